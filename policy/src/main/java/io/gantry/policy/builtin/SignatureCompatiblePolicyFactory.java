package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/**
 * {@code signature-compatible}: the candidate accepts every input the alias's current holder accepts and produces
 * the same outputs. Takes no parameters.
 *
 * <p>For column inputs: no column removed, no new required column, no optional column made required, and no type
 * change except a safe widening (integer → long → double, float → double, anything → any; applied inside arrays,
 * maps and objects). For tensor inputs: the dtype equal or widened safely as numpy defines it (int32 → int64,
 * float32 → float64, int16 → float32 …), the same rank, and every dimension either {@code -1} or the current
 * size. Outputs must keep their names and types exactly, unless the holder declared none. Passes when no version
 * holds the alias, or when the holder has no signature.
 */
public final class SignatureCompatiblePolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return SignatureCompatiblePolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams.of(type(), params).rejectUnknown();
    return new SignatureCompatiblePolicy();
  }
}
