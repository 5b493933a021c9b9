package io.gantry.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.policy.Approval;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PolicyRunner;
import io.gantry.policy.Verdict;
import io.gantry.server.mlflow.MlflowMetadata;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.Promotion.State;
import io.gantry.server.version.Version;
import io.gantry.v1.MlflowFiles;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The evaluator on its own: a snapshot in, verdicts out, with no database and no server. */
class PromotionEvaluatorTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final OffsetDateTime REGISTERED = OffsetDateTime.parse("2026-12-01T09:00:00Z");
  private static final String CONTENT = "sha256:content";
  private static final String POLICY_SET = "policy-set-1";
  private static final PolicyRunner RUNNER = new PolicyRunner(Duration.ofSeconds(5), 2);

  /** Passes with one approval, waits without. */
  private static final Policy ONE_APPROVAL = new Policy() {
    @Override
    public String type() {
      return "one-approval";
    }

    @Override
    public Verdict evaluate(PolicyInput input) {
      return input.approvals().isEmpty() ? Verdict.pending(type(), "needs one approval", Map.of())
          : Verdict.pass(type(), "approved by " + input.approvals().get(0).approver(), Map.of());
    }
  };

  private final PromotionEvaluator evaluator = new PromotionEvaluator(RUNNER);

  @AfterAll
  static void stopRunner() {
    RUNNER.close();
  }

  @Test
  void promotion_waits_untilAnApprovalGivenUnderTheSameContentAndPolicySet() {
    Snapshot snapshot = snapshot(version(Version.Status.READY));

    Evaluation waiting = evaluator.evaluate(subject(Kind.MOVE), snapshot, List.of(), List.of(), NOW);
    Evaluation stale = evaluator.evaluate(subject(Kind.MOVE), snapshot,
        List.of(approval("carol", CONTENT, "policy-set-0")), List.of(), NOW);
    Evaluation approved = evaluator.evaluate(subject(Kind.MOVE), snapshot,
        List.of(approval("carol", CONTENT, POLICY_SET)), List.of(), NOW);

    assertThat(waiting.state()).isEqualTo(State.AWAITING_APPROVAL);
    assertThat(waiting.reason()).isEqualTo("waiting for one-approval: needs one approval");
    assertThat(stale.state()).isEqualTo(State.AWAITING_APPROVAL);
    assertThat(stale.approvals()).isEmpty();
    assertThat(approved.state()).isEqualTo(State.APPLIED);
    assertThat(approved.approvals()).extracting(Approval::approver).containsExactly("carol");
    assertThat(approved.reason()).isEqualTo("every policy passed (1)");
  }

  @Test
  void candidateNotReady_isRefusedBeforeItsPolicies_butARemovalIsNot() {
    Snapshot snapshot = snapshot(version(Version.Status.PENDING_UPLOAD));

    Evaluation move = evaluator.evaluate(subject(Kind.MOVE), snapshot, List.of(), List.of(), NOW);
    Evaluation removal = evaluator.evaluate(subject(Kind.REMOVE), snapshot, List.of(), List.of(), NOW);

    assertThat(move.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(move.verdicts()).extracting(Verdict::policy).containsExactly("version-ready", "one-approval");
    assertThat(move.reason()).startsWith("refused by version-ready: version ");
    assertThat(removal.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(removal.verdicts()).extracting(Verdict::policy).containsExactly("one-approval");
  }

  private static Subject subject(Kind kind) {
    return new Subject("wine-quality", "champion", kind, kind == Kind.REMOVE ? Optional.empty() : Optional.of(3),
        "alice", "better on the June data", Optional.empty(), false, NOW);
  }

  private static Snapshot snapshot(Version candidate) {
    EffectivePolicy effective = new EffectivePolicy("champion", Purpose.PROMOTE, List.of(), List.of(ONE_APPROVAL),
        POLICY_SET);
    return new Snapshot(effective, candidate, Optional.empty(), CONTENT, Optional.empty());
  }

  private static Decision approval(String principal, String content, String policySet) {
    return new Decision(principal, true, "", REGISTERED, content, policySet, Set.of());
  }

  private static Version version(Version.Status status) {
    MlflowFiles files = MlflowFiles.getDefaultInstance();
    MlflowMetadata.Parsed parsed = MlflowMetadata.parse(files);
    return new Version(17, "wine-quality", 3, status, "s3://models/wine-quality/3", "", "", "", "", Map.of(), files,
        parsed.mlmodel(), parsed.dependencies(), Map.of(), REGISTERED, REGISTERED, "alice", "alice", 1, false,
        Optional.empty(), "");
  }
}
