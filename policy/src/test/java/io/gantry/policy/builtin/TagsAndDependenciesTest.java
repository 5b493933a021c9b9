package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.requirement;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TagsAndDependenciesTest {

  private static final Policies POLICIES = Policies.discover();

  private static Verdict evaluate(Policy policy, Candidate candidate) {
    return policy.evaluate(input(candidate, Optional.empty(), "champion"));
  }

  @Nested
  class RequiredTags {

    private final Policy policy = POLICIES.create("required-tags", Map.of(
        "keys", List.of("git_commit", "data_version"),
        "patterns", Map.of("git_commit", "[0-9a-f]{40}")));

    @Test
    void passes_whenEveryTagIsPresentAndMatches() {
      Verdict verdict = evaluate(policy, version(2).build());

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 has tags git_commit, data_version");
    }

    @Test
    void fails_namingTheMissingTag() {
      Verdict verdict = evaluate(policy, version(2).withoutTag("data_version").build());

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2: missing tag data_version");
      assertThat(verdict.facts()).containsEntry("missing", List.of("data_version"));
    }

    @Test
    void fails_namingTheTagValueAndPattern_whenTheValueDoesNotMatch() {
      Verdict verdict = evaluate(policy, version(2).tag("git_commit", "HEAD").withoutTag("data_version").build());

      assertThat(verdict.message())
          .isEqualTo("nyc-taxi-duration/2: missing tag data_version; tag git_commit='HEAD' does not match [0-9a-f]{40}");
    }

    @Test
    void refusesAnInvalidRegex_andAPatternForAnUnlistedKey_atCreation() {
      assertThatThrownBy(() -> POLICIES.create("required-tags",
          Map.of("keys", List.of("git_commit"), "patterns", Map.of("git_commit", "[0-9a-f{40"))))
          .hasMessageStartingWith("policy required-tags: parameter 'patterns' has an invalid RE2 pattern for 'git_commit': ");
      assertThatThrownBy(() -> POLICIES.create("required-tags",
          Map.of("keys", List.of("git_commit"), "patterns", Map.of("owner", ".+"))))
          .hasMessage("policy required-tags: parameter 'patterns' has a pattern for 'owner', which is not listed"
              + " in keys");
    }

    @Test
    void refusesMissingOrIllTypedKeys_atCreation() {
      assertThatThrownBy(() -> POLICIES.create("required-tags", Map.of()))
          .hasMessage("policy required-tags: parameter 'keys' is required");
      assertThatThrownBy(() -> POLICIES.create("required-tags", Map.of("keys", "git_commit")))
          .hasMessage("policy required-tags: parameter 'keys' must be a list of strings, got string 'git_commit'");
    }
  }

  @Nested
  class DependenciesPinned {

    private final Policy policy = POLICIES.create("dependencies-pinned", Map.of());

    @Test
    void passes_whenEveryRequirementIsPinned() {
      Verdict verdict = evaluate(policy, version(2).build());

      assertThat(verdict).isEqualTo(Verdict.pass("dependencies-pinned",
          "all 3 requirements of nyc-taxi-duration/2 are pinned with ==",
          Map.of("requirements", 3, "problems", List.of())));
    }

    @Test
    void fails_namingTheLine_whenARequirementIsARange() {
      Candidate v4 = version(4).requirements(
          requirement(1, "scikit-learn", ">=1.0"),
          requirement(2, "numpy", "==1.26.4")).build();

      Verdict verdict = evaluate(policy, v4);

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message())
          .isEqualTo("nyc-taxi-duration/4: requirements.txt:1 'scikit-learn>=1.0' is not pinned with ==");
    }

    @Test
    void fails_forADeniedPin_comparingNamesAsPep503Normalizes() {
      Policy denying = POLICIES.create("dependencies-pinned", Map.of("deny", List.of("NumPy==1.26.4")));

      Verdict verdict = evaluate(denying, version(2).build());

      assertThat(verdict.message())
          .isEqualTo("nyc-taxi-duration/2: requirements.txt:2 'numpy==1.26.4' is on the deny-list");
    }

    @Test
    void passes_whenNoPinIsDenied() {
      Policy denying = POLICIES.create("dependencies-pinned", Map.of("deny", List.of("numpy==1.26.0")));

      assertThat(evaluate(denying, version(2).build()).message())
          .isEqualTo("all 3 requirements of nyc-taxi-duration/2 are pinned with == and none is denied");
    }

    @Test
    void refusesADenyEntryThatIsNotAPin_atCreation() {
      assertThatThrownBy(() -> POLICIES.create("dependencies-pinned", Map.of("deny", List.of("numpy>=1"))))
          .hasMessage("policy dependencies-pinned: parameter 'deny' must list pins such as numpy==1.26.0,"
              + " got 'numpy>=1'");
    }
  }
}
