package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dependencies-pinned}: every Python requirement of the candidate is pinned to one version with
 * {@code ==}, so the environment it was validated in is the one it deploys into.
 *
 * <ul>
 *   <li>{@code deny} (list of {@code name==version}, optional): pins that are refused even though pinned, such
 *       as a release with a known vulnerability. Names compare as PEP 503 normalizes them; versions as written.
 * </ul>
 */
public final class DependenciesPinnedPolicyFactory implements PolicyFactory {

  private static final Pattern PIN = Pattern.compile("\\s*([A-Za-z0-9][A-Za-z0-9._-]*)\\s*==\\s*([^\\s=,;*]+)\\s*");

  @Override
  public String type() {
    return DependenciesPinnedPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    Set<String> denied = new LinkedHashSet<>();
    for (String entry : p.optionalStringList("deny").orElse(List.of())) {
      Matcher pin = PIN.matcher(entry);
      if (!pin.matches()) {
        throw p.invalid("deny", "must list pins such as numpy==1.26.0, got '" + entry + "'");
      }
      denied.add(DependenciesPinnedPolicy.pin(pin.group(1), pin.group(2)));
    }
    p.rejectUnknown();
    return new DependenciesPinnedPolicy(Set.copyOf(denied));
  }
}
