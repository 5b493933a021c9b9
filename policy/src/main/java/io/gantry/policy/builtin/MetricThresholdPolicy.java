package io.gantry.policy.builtin;

import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Passes when the candidate's metric on a dataset satisfies {@code metric op threshold}. A value that is not finite
 * (NaN, an infinity: stored before the API refused them) fails, whatever the operator.
 */
record MetricThresholdPolicy(String metric, String dataset, ComparisonOperator op, double threshold) implements Policy {

  static final String TYPE = "metric-threshold";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    String rule = metric + " " + op.symbol() + " " + Numbers.format(threshold);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("metric", metric);
    facts.put("dataset", dataset);
    facts.put("op", op.symbol());
    facts.put("threshold", threshold);
    Optional<Double> value = candidate.metric(dataset, metric);
    if (value.isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + " has no " + metric + " on dataset " + dataset
          + "; report it to check " + rule, facts);
    }
    facts.put("value", Numbers.fact(value.get()));
    String observed = metric + " on " + dataset + " is " + Numbers.format(value.get());
    // NaN would fail < and pass !=, an infinity would pass one side: a broken evaluation never opens a gate
    if (!Double.isFinite(value.get())) {
      return Verdict.fail(TYPE, candidate.reference() + " " + observed + ", which is not a finite number and "
          + "satisfies no " + rule + "; report a finite value", facts);
    }
    if (op.holds(value.get(), threshold)) {
      return Verdict.pass(TYPE, observed + ", which satisfies " + rule, facts);
    }
    return Verdict.fail(TYPE, candidate.reference() + " " + observed + ", which fails " + rule, facts);
  }
}
