package io.gantry.policy;

import java.util.Collection;

/** What a policy decided about a promotion. */
public enum Outcome {
  /** The gate is satisfied. */
  PASS,
  /** The gate refuses the promotion; the verdict's message says what to change. */
  FAIL,
  /** The gate may still be satisfied later, for example once enough approvals arrive. */
  PENDING;

  /**
   * The outcome of a whole policy set: {@code FAIL} if any verdict failed, else {@code PENDING} if any is
   * pending, else {@code PASS} (also for no verdicts at all, an alias without gates).
   */
  public static Outcome combine(Collection<Verdict> verdicts) {
    Outcome combined = PASS;
    for (Verdict verdict : verdicts) {
      if (verdict.outcome() == FAIL) {
        return FAIL;
      }
      if (verdict.outcome() == PENDING) {
        combined = PENDING;
      }
    }
    return combined;
  }
}
