package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceNamesTest {

  @Test
  void modelNamesAcceptTheIdOrTheResourceName() {
    assertThat(ResourceNames.model("taxi")).isEqualTo("models/taxi");
    assertThat(ResourceNames.model("models/taxi")).isEqualTo("models/taxi");
    assertThat(ResourceNames.modelId("models/taxi")).isEqualTo("taxi");
    assertThat(ResourceNames.modelId("taxi")).isEqualTo("taxi");
  }

  @Test
  void versionFromModelAndNumber() {
    assertThat(ResourceNames.version("taxi", "3")).isEqualTo("models/taxi/versions/3");
    assertThat(ResourceNames.version("models/taxi", "12")).isEqualTo("models/taxi/versions/12");
  }

  @Test
  void versionFromUriOrResourceName() {
    assertThat(ResourceNames.version("models:/taxi/3")).isEqualTo("models/taxi/versions/3");
    assertThat(ResourceNames.version("models:/fraud.v2-eu/40")).isEqualTo("models/fraud.v2-eu/versions/40");
    assertThat(ResourceNames.version("models/taxi/versions/3")).isEqualTo("models/taxi/versions/3");
  }

  @Test
  void versionNumbersMustBePositiveWholeNumbers() {
    for (String bad : new String[] {"0", "-1", "three", "3.0", "", "99999999999999999999"}) {
      assertThatThrownBy(() -> ResourceNames.version("taxi", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("positive whole number");
    }
  }

  @Test
  void malformedReferencesAreRefusedWithTheExpectedForms() {
    for (String bad : new String[] {"models:/taxi", "models:/taxi@champion", "models:/", "taxi/3", "runs:/abc/model"}) {
      assertThatThrownBy(() -> ResourceNames.version(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("models:/MODEL/VERSION");
    }
  }

  @Test
  void tellsAVersionReferenceFromAModelName() {
    assertThat(ResourceNames.isVersionReference("models:/taxi/3")).isTrue();
    assertThat(ResourceNames.isVersionReference("models/taxi/versions/3")).isTrue();
    assertThat(ResourceNames.isVersionReference("taxi")).isFalse();
    assertThat(ResourceNames.isVersionReference("models/taxi")).isFalse();
  }

  @Test
  void versionNamesSplitIntoModelAndNumber() {
    assertThat(ResourceNames.versionParent("models/fraud.v2-eu/versions/40")).isEqualTo("models/fraud.v2-eu");
    assertThat(ResourceNames.versionNumber("models/fraud.v2-eu/versions/40")).isEqualTo(40);
    assertThatThrownBy(() -> ResourceNames.versionNumber("models:/taxi/3"))
        .hasMessageContaining("models/MODEL/versions/VERSION");
  }

  @Test
  void aliasFromModelAndAliasOrFromUriOrResourceName() {
    assertThat(ResourceNames.alias("taxi", "champion")).isEqualTo("models/taxi/aliases/champion");
    assertThat(ResourceNames.alias("models/taxi", "champion")).isEqualTo("models/taxi/aliases/champion");
    assertThat(ResourceNames.alias("models:/taxi@champion")).isEqualTo("models/taxi/aliases/champion");
    assertThat(ResourceNames.alias("models/taxi/aliases/champion")).isEqualTo("models/taxi/aliases/champion");
    for (String bad : new String[] {"models:/taxi/3", "models:/taxi@", "models:/@champion", "taxi@champion"}) {
      assertThatThrownBy(() -> ResourceNames.alias(bad)).as(bad).hasMessageContaining("models:/MODEL@ALIAS");
    }
  }

  @Test
  void tellsAnAliasReferenceFromAVersionReference() {
    assertThat(ResourceNames.isAliasReference("models:/taxi@champion")).isTrue();
    assertThat(ResourceNames.isAliasReference("models/taxi/aliases/champion")).isTrue();
    assertThat(ResourceNames.isAliasReference("models:/taxi/3")).isFalse();
  }

  @Test
  void promotionsByIdOrResourceName() {
    String id = "0b7e3f9a-5c1d-4e2f-8a6b-9c0d1e2f3a4b";
    assertThat(ResourceNames.promotion(id)).isEqualTo("promotions/" + id);
    assertThat(ResourceNames.promotion("promotions/" + id)).isEqualTo("promotions/" + id);
    for (String bad : new String[] {"", "promotions/", "models/taxi", "a b"}) {
      assertThatThrownBy(() -> ResourceNames.promotion(bad)).as(bad).hasMessageContaining("promotions/ID");
    }
  }

  @Test
  void roleBindingsAndApiTokensByIdOrResourceName() {
    assertThat(ResourceNames.roleBinding("12")).isEqualTo("roleBindings/12");
    assertThat(ResourceNames.roleBinding("roleBindings/-1")).isEqualTo("roleBindings/-1");
    String uuid = "0b7e3f9a-5c1d-4e2f-8a6b-9c0d1e2f3a4b";
    assertThat(ResourceNames.apiToken(uuid)).isEqualTo("apiTokens/" + uuid);
    assertThat(ResourceNames.apiToken("apiTokens/" + uuid)).isEqualTo("apiTokens/" + uuid);
    assertThatThrownBy(() -> ResourceNames.roleBinding("roleBindings/")).hasMessageContaining("roleBindings/ID");
    assertThatThrownBy(() -> ResourceNames.apiToken("apiTokens/a/b")).hasMessageContaining("apiTokens/ID");
  }
}
