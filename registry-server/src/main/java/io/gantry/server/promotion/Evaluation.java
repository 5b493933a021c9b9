package io.gantry.server.promotion;

import io.gantry.policy.Approval;
import io.gantry.policy.Outcome;
import io.gantry.policy.Verdict;
import io.gantry.server.promotion.Promotion.State;
import java.util.List;

/** The verdicts of one evaluation, and what they were computed from. */
record Evaluation(EffectivePolicy effective, List<Verdict> verdicts, Outcome outcome, String contentDigest,
    List<Approval> approvals) {

  /** The state the verdicts lead to. */
  State state() {
    return switch (outcome) {
      case FAIL -> State.REJECTED;
      case PENDING -> State.AWAITING_APPROVAL;
      case PASS -> State.APPLIED;
    };
  }

  /** One sentence: the first failing, else the first pending, verdict. */
  String reason() {
    State state = state();
    Outcome deciding = state == State.REJECTED ? Outcome.FAIL : Outcome.PENDING;
    return switch (state) {
      case REJECTED, AWAITING_APPROVAL -> verdicts.stream()
          .filter(v -> v.outcome() == deciding)
          .findFirst()
          .map(v -> (state == State.REJECTED ? "refused by " : "waiting for ") + v.policy() + ": " + v.message())
          .orElseThrow();
      default -> "every policy passed (" + verdicts.size() + ")";
    };
  }
}
