package io.gantry.client;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.policy.PolicyFile;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import java.util.Map;

/** The bindings of a policy file ({@link PolicyFile}) as the {@code SetPromotionPolicy} request carries them. */
public final class PolicyBindings {

  private PolicyBindings() {}

  public static PolicyBinding toProto(PolicyFile.Binding binding) {
    PolicyBinding.Builder proto = PolicyBinding.newBuilder()
        .setModelPattern(binding.modelPattern())
        .setAlias(binding.alias())
        .setPurpose(binding.purpose());
    for (PolicyFile.PolicySpec spec : binding.policies()) {
      proto.addPolicies(PolicySpec.newBuilder().setType(spec.type()).setParams(struct(spec.params())));
    }
    return proto.build();
  }

  private static Struct struct(Map<?, ?> map) {
    Struct.Builder struct = Struct.newBuilder();
    map.forEach((key, value) -> struct.putFields(String.valueOf(key), value(value)));
    return struct.build();
  }

  /** What the policy file holds (see {@link PolicyFile}) as JSON values: every number a double, as in JSON. */
  private static Value value(Object value) {
    Value.Builder json = Value.newBuilder();
    if (value == null) {
      json.setNullValue(NullValue.NULL_VALUE);
    } else if (value instanceof Number number) {
      json.setNumberValue(number.doubleValue());
    } else if (value instanceof Boolean bool) {
      json.setBoolValue(bool);
    } else if (value instanceof Map<?, ?> map) {
      json.setStructValue(struct(map));
    } else if (value instanceof Iterable<?> list) {
      ListValue.Builder values = ListValue.newBuilder();
      list.forEach(element -> values.addValues(value(element)));
      json.setListValue(values);
    } else {
      json.setStringValue(value.toString());
    }
    return json.build();
  }
}
