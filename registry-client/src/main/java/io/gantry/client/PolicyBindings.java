package io.gantry.client;

import io.gantry.policy.PolicyFile;
import io.gantry.proto.Structs;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;

/** The bindings of a policy file ({@link PolicyFile}) as the {@code SetPromotionPolicy} request carries them. */
public final class PolicyBindings {

  private PolicyBindings() {}

  public static PolicyBinding toProto(PolicyFile.Binding binding) {
    PolicyBinding.Builder proto = PolicyBinding.newBuilder()
        .setModelPattern(binding.modelPattern())
        .setAlias(binding.alias())
        .setPurpose(binding.purpose());
    for (PolicyFile.PolicySpec spec : binding.policies()) {
      proto.addPolicies(PolicySpec.newBuilder().setType(spec.type()).setParams(Structs.toStruct(spec.params())));
    }
    return proto.build();
  }
}
