package io.gantry.policy.builtin;

import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Passes when the candidate improves on the alias's current holder by at least a margin. A value that is not finite
 * (NaN, an infinity: stored before the API refused them), the candidate's or the holder's, fails.
 */
record BeatsCurrentPolicy(String metric, String dataset, boolean lowerIsBetter, double minDelta) implements Policy {

  static final String TYPE = "beats-current";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    String alias = input.request().alias();
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("metric", metric);
    facts.put("dataset", dataset);
    facts.put("direction", lowerIsBetter ? "lower" : "higher");
    facts.put("min_delta", minDelta);
    if (input.current().isEmpty()) {
      return Verdict.pass(TYPE, "no version holds " + alias + " yet, so there is nothing to beat", facts);
    }
    Candidate current = input.current().get();
    facts.put("current_version", current.version());
    Optional<Double> candidateValue = candidate.metric(dataset, metric);
    Optional<Double> currentValue = current.metric(dataset, metric);
    if (candidateValue.isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + " has no " + metric + " on dataset " + dataset
          + " to compare with the current " + alias, facts);
    }
    if (currentValue.isEmpty()) {
      return Verdict.fail(TYPE, "the current " + alias + " " + current.reference() + " has no " + metric
          + " on dataset " + dataset + "; report it so " + candidate.reference() + " can be compared", facts);
    }
    facts.put("value", Numbers.fact(candidateValue.get()));
    facts.put("current_value", Numbers.fact(currentValue.get()));
    // no margin can be measured against NaN or an infinity, on either side: the gate stays closed
    if (!Double.isFinite(candidateValue.get())) {
      return Verdict.fail(TYPE, candidate.reference() + " has " + metric + " " + Numbers.format(candidateValue.get())
          + " on dataset " + dataset + ", which is not a finite number; report a finite value", facts);
    }
    if (!Double.isFinite(currentValue.get())) {
      return Verdict.fail(TYPE, "the current " + alias + " " + current.reference() + " has " + metric + " "
          + Numbers.format(currentValue.get()) + " on dataset " + dataset + ", which is not a finite number; report a "
          + "finite value for it so " + candidate.reference() + " can be compared", facts);
    }
    // Decimal arithmetic, so 5.6 - 5.5 counts as the 0.1 a person reads rather than 0.09999999999999964.
    BigDecimal improvement = BigDecimal.valueOf(currentValue.get()).subtract(BigDecimal.valueOf(candidateValue.get()));
    if (!lowerIsBetter) {
      improvement = improvement.negate();
    }
    facts.put("improvement", improvement.doubleValue());
    String comparison = metric + " on " + dataset + " is " + Numbers.format(candidateValue.get()) + " against "
        + Numbers.format(currentValue.get()) + " for " + current.reference() + " ("
        + (lowerIsBetter ? "lower" : "higher") + " is better; improvement "
        + improvement.stripTrailingZeros().toPlainString() + ", at least " + Numbers.format(minDelta) + " required)";
    boolean beats = improvement.compareTo(BigDecimal.valueOf(minDelta)) >= 0;
    String message = candidate.reference() + (beats ? " beats" : " does not beat") + " the current " + alias + ": "
        + comparison;
    return beats ? Verdict.pass(TYPE, message, facts) : Verdict.fail(TYPE, message, facts);
  }
}
