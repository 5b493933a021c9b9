package io.gantry.policy.builtin;

import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Passes when the candidate can stand in for the alias's current holder without breaking its callers. */
final class SignatureCompatiblePolicy implements Policy {

  static final String TYPE = "signature-compatible";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    String alias = input.request().alias();
    Map<String, Object> facts = new LinkedHashMap<>();
    if (input.current().isEmpty()) {
      return Verdict.pass(TYPE, "no version holds " + alias + " yet, so there is no signature to stay compatible with",
          facts);
    }
    Candidate current = input.current().get();
    facts.put("current_version", current.version());
    if (current.signature().isEmpty()) {
      return Verdict.pass(TYPE, "the current " + alias + " " + current.reference()
          + " has no signature, so there is none to stay compatible with", facts);
    }
    if (candidate.signature().isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + " has no signature, but the current " + alias + " "
          + current.reference() + " has one", facts);
    }
    List<String> problems = SignatureCompatibility.problems(current.signature().get(), candidate.signature().get());
    facts.put("problems", problems);
    if (problems.isEmpty()) {
      return Verdict.pass(TYPE, candidate.reference() + " accepts every input and produces every output of the current "
          + alias + " " + current.reference(), facts);
    }
    return Verdict.fail(TYPE, candidate.reference() + " is not compatible with the current " + alias + " "
        + current.reference() + ": " + String.join("; ", problems), facts);
  }
}
