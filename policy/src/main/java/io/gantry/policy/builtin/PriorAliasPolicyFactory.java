package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.time.Duration;
import java.util.Map;

/**
 * {@code prior-alias}: the candidate holds or held another alias for at least a duration, in one uninterrupted
 * stretch, measured from the alias history up to the evaluation instant.
 *
 * <ul>
 *   <li>{@code alias} (string, default {@code staging}): the alias the candidate must have held
 *   <li>{@code min_duration} (duration, required): ISO-8601 such as {@code PT24H}, or short such as {@code 24h}
 *       or {@code 0s}; with zero, having held the alias at all is enough
 * </ul>
 */
public final class PriorAliasPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return PriorAliasPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    String alias = p.optionalString("alias").orElse("staging");
    Duration minDuration = p.optionalDuration("min_duration")
        .orElseThrow(() -> p.invalid("min_duration", "is required"));
    p.rejectUnknown();
    return new PriorAliasPolicy(alias, minDuration);
  }
}
