package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/** {@code signature-required}: the candidate must have an MLflow signature. Takes no parameters. */
public final class SignatureRequiredPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return SignatureRequiredPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams.of(type(), params).rejectUnknown();
    return new SignatureRequiredPolicy();
  }
}
