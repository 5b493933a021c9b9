package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every spelling of a resource name the API takes, read for the model and alias it touches. */
class ScopeTest {

  @Test
  void namesOfModelsVersionsAndAliases_giveTheirModel_andTheAliasTheyName() {
    assertThat(Scope.of("models/fraud")).isEqualTo(Scope.model("fraud"));
    assertThat(Scope.of("models/fraud/versions/3")).isEqualTo(Scope.model("fraud"));
    assertThat(Scope.of("models/fraud/versions/3/evaluations/9")).isEqualTo(Scope.model("fraud"));
    assertThat(Scope.of("models:/fraud/3")).isEqualTo(Scope.model("fraud"));
    assertThat(Scope.of("models/fraud/aliases/champion").alias()).isEqualTo(Optional.of("champion"));
    assertThat(Scope.of("models:/fraud@champion")).isEqualTo(Scope.alias("fraud", "champion"));
  }

  @Test
  void anythingElse_isAnyModel_forTheServiceToRefuseOrList() {
    for (String name : new String[] {"", "models/", "models/-", "models:/", "promotions/x", "model/fraud",
        "models:/fraud@champion/x", "models/fraud/aliases/a/b"}) {
      assertThat(Scope.of(name)).as(name).isEqualTo(Scope.ANY_MODEL);
    }
  }
}
