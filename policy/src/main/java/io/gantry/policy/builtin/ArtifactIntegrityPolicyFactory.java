package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/**
 * {@code artifact-integrity}: every stored file of the candidate must still match its manifest entry. Takes no
 * parameters. When a set holds it, the registry reads the candidate's files back and hashes them for the snapshot
 * (at request and at every re-evaluation), which costs one full read of the model.
 */
public final class ArtifactIntegrityPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return ArtifactIntegrityPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams.of(type(), params).rejectUnknown();
    return new ArtifactIntegrityPolicy();
  }
}
