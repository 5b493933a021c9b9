package io.gantry.policy.builtin;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code required-tags}: the candidate must carry tags, optionally with values of a given form.
 *
 * <ul>
 *   <li>{@code keys} (list of strings, required, not empty): the tags that must be present
 *   <li>{@code patterns} (map from key to <a href="https://github.com/google/re2/wiki/Syntax">RE2</a> pattern,
 *       optional): a listed key's value must match its pattern as a whole, such as
 *       {@code git_commit: "[0-9a-f]{40}"}
 * </ul>
 *
 * <p>RE2 rather than {@code java.util.regex}: a tag is the version creator's input and the pattern the binder's,
 * and RE2 matches in time linear in the tag whatever the pattern, where a backtracking engine can take years
 * on {@code (a+)+$}. The price is RE2's syntax: no backreferences or lookaround, refused when bound.
 */
public final class RequiredTagsPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return RequiredTagsPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    List<String> keys = p.optionalStringList("keys").orElseThrow(() -> p.invalid("keys", "is required"));
    if (keys.isEmpty()) {
      throw p.invalid("keys", "must name at least one tag");
    }
    Map<String, Pattern> patterns = new LinkedHashMap<>();
    p.optionalStringMap("patterns").orElse(Map.of()).forEach((key, regex) -> {
      if (!keys.contains(key)) {
        throw p.invalid("patterns", "has a pattern for '" + key + "', which is not listed in keys");
      }
      try {
        patterns.put(key, Pattern.compile(regex));
      } catch (PatternSyntaxException e) {
        throw p.invalid("patterns", "has an invalid RE2 pattern for '" + key + "': " + e.getDescription()
            + " in " + regex + " (RE2 has no backreferences or lookaround)");
      }
    });
    p.rejectUnknown();
    return new RequiredTagsPolicy(keys, Map.copyOf(patterns));
  }
}
