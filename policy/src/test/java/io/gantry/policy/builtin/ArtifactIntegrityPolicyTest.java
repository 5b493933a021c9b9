package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.ArtifactCheck;
import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyConfigException;
import io.gantry.policy.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArtifactIntegrityPolicyTest {

  private final Policy policy = Policies.discover().create("artifact-integrity", Map.of());

  private Verdict evaluate(Candidate candidate) {
    return policy.evaluate(input(candidate, Optional.empty(), "champion"));
  }

  @Test
  void passes_whenEveryStoredFileStillMatches() {
    Verdict verdict = evaluate(version(3).artifactCheck(
        new ArtifactCheck(Optional.of("sha256:beef"), 4, 1_234_567, List.of())).build());

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.message()).isEqualTo(
        "all 4 files of nyc-taxi-duration/3 (1234567 bytes) match manifest sha256:beef");
  }

  @Test
  void fails_namingTheFirstFileThatNoLongerMatches() {
    Verdict verdict = evaluate(version(3).artifactCheck(new ArtifactCheck(Optional.of("sha256:beef"), 4, 99,
        List.of("model/model.pkl: the stored bytes hash to 00ff…", "MLmodel: missing from the store"))).build());

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/3: 2 of 4 files no longer match the manifest; "
        + "first: model/model.pkl: the stored bytes hash to 00ff…");
    assertThat(verdict.facts()).containsEntry("problems", List.of("model/model.pkl: the stored bytes hash to 00ff…",
        "MLmodel: missing from the store"));
  }

  @Test
  void fails_forAVersionWhoseFilesTheRegistryDoesNotHold() {
    Verdict verdict = evaluate(version(3).artifactCheck(ArtifactCheck.unmanaged()).build());

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).contains("holds no files in the registry");
  }

  @Test
  void fails_whenTheSnapshotCarriesNoCheck() {
    assertThat(evaluate(version(3).build()).outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void takesNoParameters() {
    assertThatThrownBy(() -> Policies.discover().create("artifact-integrity", Map.of("deep", true)))
        .isInstanceOf(PolicyConfigException.class).hasMessageContaining("unknown parameter 'deep'");
  }
}
