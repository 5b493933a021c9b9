package io.gantry.policy.testplugin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PolicyParams;
import io.gantry.policy.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A third-party policy as a plugin author would write one, registered only in the test resources'
 * {@code META-INF/services}: {@code frozen-alias} refuses every promotion to the listed aliases.
 */
public final class FrozenAliasPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return "frozen-alias";
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    List<String> aliases = p.optionalStringList("aliases").orElseThrow(() -> p.invalid("aliases", "is required"));
    p.rejectUnknown();
    // Set.of refuses duplicates with its own exception, as a plugin's validation might.
    Set<String> frozen = Set.of(aliases.toArray(String[]::new));
    return new Policy() {
      @Override
      public String type() {
        return "frozen-alias";
      }

      @Override
      public Verdict evaluate(PolicyInput input) {
        String alias = input.request().alias();
        Map<String, Object> facts = Map.of("frozen", aliases);
        return frozen.contains(alias)
            ? Verdict.fail(type(), alias + " is frozen", facts)
            : Verdict.pass(type(), alias + " is not frozen", facts);
      }
    };
  }
}
