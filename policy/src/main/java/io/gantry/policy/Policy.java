package io.gantry.policy;

/**
 * A promotion gate. A policy is configured once, when it is bound to an alias, and then evaluated for every
 * promotion to that alias, possibly from many threads at once: implementations are immutable.
 *
 * <p>A policy looks at nothing but its {@link PolicyInput}, so the same input always yields the same verdict.
 */
public interface Policy {

  /** The policy's type, as its {@link PolicyFactory} names it; verdicts carry it. */
  String type();

  /**
   * Decides about one promotion. An exception thrown here is reported as a {@link Outcome#FAIL} verdict by
   * {@link Policies#evaluate}, but a policy should rather return a failing verdict that says what went wrong.
   */
  Verdict evaluate(PolicyInput input);
}
