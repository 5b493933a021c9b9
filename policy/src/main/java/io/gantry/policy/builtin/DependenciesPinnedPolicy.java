package io.gantry.policy.builtin;

import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Requirement;
import io.gantry.policy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Passes when every requirement is pinned with {@code ==} and none is on the deny-list.
 *
 * @param denied denied pins as {@code normalized-name==version}
 */
record DependenciesPinnedPolicy(Set<String> denied) implements Policy {

  static final String TYPE = "dependencies-pinned";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    List<String> problems = new ArrayList<>();
    for (Requirement requirement : candidate.requirements()) {
      String cited = requirement.location() + " '" + requirement.line() + "'";
      if (!requirement.pinned()) {
        problems.add(cited + " is not pinned with ==");
      } else if (denied.contains(pin(requirement.name(), requirement.specifier().strip().substring("==".length())))) {
        problems.add(cited + " is on the deny-list");
      }
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("requirements", candidate.requirements().size());
    facts.put("problems", problems);
    if (problems.isEmpty()) {
      return Verdict.pass(TYPE, "all " + candidate.requirements().size() + " requirements of "
          + candidate.reference() + " are pinned with ==" + (denied.isEmpty() ? "" : " and none is denied"), facts);
    }
    return Verdict.fail(TYPE, candidate.reference() + ": " + String.join("; ", problems), facts);
  }

  /**
   * The comparable form of {@code name==version}: the name normalized as PEP 503 does ({@code Scikit_Learn} is
   * {@code scikit-learn}), the version as written.
   */
  static String pin(String name, String version) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-") + "==" + version.trim();
  }
}
