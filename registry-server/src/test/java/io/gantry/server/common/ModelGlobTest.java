package io.gantry.server.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Globs are written by binders and matched against names written by others: matching must stay linear. */
class ModelGlobTest {

  @Test
  void aGlobOfManyStars_againstALongNameThatAlmostMatches_answersAtOnce() {
    String glob = "*a".repeat(40) + "b";  // within SYNTAX's 256 characters
    assertThat(ModelGlob.SYNTAX.matcher(glob).matches()).isTrue();
    String name = "a".repeat(200);

    boolean matches = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> ModelGlob.compile(glob).matcher(name).matches());

    assertThat(matches).isFalse();
    assertThat(ModelGlob.compile("fraud-*").matcher("fraud-scorer").matches()).isTrue();
    assertThat(ModelGlob.compile("fraud-?").matcher("fraud-ab").matches()).isFalse();
  }
}
