package io.gantry.policy.builtin;

import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.Map;

/** Passes when the candidate was logged with a signature. */
final class SignatureRequiredPolicy implements Policy {

  static final String TYPE = "signature-required";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    Map<String, Object> facts = Map.of("has_signature", candidate.signature().isPresent());
    if (candidate.signature().isPresent()) {
      return Verdict.pass(TYPE, candidate.reference() + " has a signature", facts);
    }
    return Verdict.fail(TYPE,
        candidate.reference() + " has no signature; log the model with one (mlflow.models.infer_signature)",
        facts);
  }
}
