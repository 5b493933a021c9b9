package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/**
 * {@code beats-current}: the candidate's metric on a dataset must improve on the alias's current holder by at
 * least a margin. Passes when no version holds the alias; fails when either version lacks the metric.
 *
 * <ul>
 *   <li>{@code metric} (string, required), {@code dataset} (string, required)
 *   <li>{@code direction} (string, required): {@code lower} or {@code higher}, whichever is better
 *   <li>{@code min_delta} (number ≥ 0, default 0): the least improvement that counts; with 0 a tie passes, so
 *       an equally good retrain is not blocked
 * </ul>
 */
public final class BeatsCurrentPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return BeatsCurrentPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    String metric = p.string("metric");
    String dataset = p.string("dataset");
    String direction = p.string("direction");
    if (!direction.equals("lower") && !direction.equals("higher")) {
      throw p.invalid("direction", "must be lower or higher, got '" + direction + "'");
    }
    double minDelta = p.optionalNumber("min_delta").orElse(0.0);
    if (minDelta < 0) {
      throw p.invalid("min_delta", "must be at least 0, got " + Numbers.format(minDelta));
    }
    p.rejectUnknown();
    return new BeatsCurrentPolicy(metric, dataset, direction.equals("lower"), minDelta);
  }
}
