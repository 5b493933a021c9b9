package io.gantry.policy.builtin;

import com.google.re2j.Pattern;
import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Passes when the candidate carries every required tag, each matching its pattern if it has one. */
record RequiredTagsPolicy(List<String> keys, Map<String, Pattern> patterns) implements Policy {

  static final String TYPE = "required-tags";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    Map<String, Object> checked = new LinkedHashMap<>();
    for (String key : keys) {
      String value = candidate.tags().get(key);
      if (value == null) {
        missing.add(key);
        continue;
      }
      checked.put(key, value);
      Pattern pattern = patterns.get(key);
      if (pattern != null && !pattern.matcher(value).matches()) {
        mismatched.add("tag " + key + "='" + value + "' does not match " + pattern.pattern());
      }
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("required", keys);
    facts.put("tags", checked);
    facts.put("missing", missing);
    if (missing.isEmpty() && mismatched.isEmpty()) {
      return Verdict.pass(TYPE, candidate.reference() + " has tags " + String.join(", ", keys), facts);
    }
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) {
      problems.add("missing tag" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing));
    }
    problems.addAll(mismatched);
    return Verdict.fail(TYPE, candidate.reference() + ": " + String.join("; ", problems), facts);
  }
}
