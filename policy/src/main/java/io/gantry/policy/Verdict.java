package io.gantry.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One policy's decision about one promotion.
 *
 * @param policy the type of the policy that decided, such as {@code metric-threshold}
 * @param outcome pass, fail or pending
 * @param message a sentence a person can act on: it names the metric, threshold and value, the column, or the
 *     requirement line that decided
 * @param facts what the policy looked at, in the order it looked, so a verdict can be recorded and explained
 *     later; values are strings, numbers, booleans, lists or maps of those
 */
public record Verdict(String policy, Outcome outcome, String message, Map<String, Object> facts) {

  public Verdict {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(message, "message");
    facts.forEach((key, value) -> Objects.requireNonNull(value, () -> "fact " + key));
    // A LinkedHashMap keeps the order the policy recorded its facts in, which reads better than hash order.
    facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
  }

  /** A passing verdict. */
  public static Verdict pass(String policy, String message, Map<String, Object> facts) {
    return new Verdict(policy, Outcome.PASS, message, facts);
  }

  /** A failing verdict. */
  public static Verdict fail(String policy, String message, Map<String, Object> facts) {
    return new Verdict(policy, Outcome.FAIL, message, facts);
  }

  /** A pending verdict. */
  public static Verdict pending(String policy, String message, Map<String, Object> facts) {
    return new Verdict(policy, Outcome.PENDING, message, facts);
  }
}
