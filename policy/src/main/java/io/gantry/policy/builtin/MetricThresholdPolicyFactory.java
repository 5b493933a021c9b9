package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/**
 * {@code metric-threshold}: the candidate's latest value of a metric on a dataset must satisfy a comparison.
 *
 * <ul>
 *   <li>{@code metric} (string, required): the metric name, such as {@code rmse}
 *   <li>{@code dataset} (string, required): the evaluation dataset, such as {@code test}
 *   <li>{@code op} (string, required): one of {@code < <= > >= == !=}, read as {@code metric op value}
 *   <li>{@code value} (number, required): the threshold
 * </ul>
 *
 * <p>A candidate that never reported the metric on the dataset fails.
 */
public final class MetricThresholdPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return MetricThresholdPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    String metric = p.string("metric");
    String dataset = p.string("dataset");
    String symbol = p.string("op");
    ComparisonOperator op = ComparisonOperator.fromSymbol(symbol)
        .orElseThrow(() -> p.invalid("op", "must be one of < <= > >= == !=, got '" + symbol + "'"));
    double value = p.number("value");
    p.rejectUnknown();
    return new MetricThresholdPolicy(metric, dataset, op, value);
  }
}
