package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyConfigException;
import io.gantry.policy.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tag patterns are RE2: linear in the tag's length whatever the pattern, so a tag cannot stall a promotion. */
class RequiredTagsRe2Test {

  private final Policies policies = Policies.discover();

  @Test
  void patternsThatBacktrackInJava_matchA5000CharacterTagAtOnce() {
    // java.util.regex: 1.2 s for the first, a StackOverflowError for the second
    Policy owner = policies.create("required-tags", Map.of("keys", List.of("owner", "team"),
        "patterns", Map.of("owner", "(a+)+$", "team", "(a|aa)+$")));
    String tag = "a".repeat(5_000) + "!";

    Verdict verdict = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> owner.evaluate(
        input(version(2).tag("owner", tag).tag("team", tag).build(), Optional.empty(), "champion")));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).contains("does not match (a+)+$").contains("does not match (a|aa)+$");
  }

  @Test
  void javaOnlySyntax_isRefusedWhenBound_namingThePatternsParameter() {
    assertThatThrownBy(() -> policies.create("required-tags",
        Map.of("keys", List.of("git_commit"), "patterns", Map.of("git_commit", "(a)\\1"))))
        .isInstanceOfSatisfying(PolicyConfigException.class, e -> {
          assertThat(e.parameter()).contains("patterns");
          assertThat(e.getMessage()).contains("invalid RE2 pattern for 'git_commit'");
        });
  }
}
