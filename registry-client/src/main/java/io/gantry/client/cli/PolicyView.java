package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.v1.EffectivePolicy;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import java.util.stream.Collectors;

/** How {@code gantry policy} shows policy bindings, what a policy file set, and the policies that gate an alias. */
final class PolicyView {

  private PolicyView() {
  }

  /** The bindings a policy file set, each with its digest, or removed ({@code policies: []}). */
  static void fileApplied(Printer printer, ListPromotionPoliciesResponse applied) {
    printer.printTable(applied, () -> {
      TextTable table = new TextTable().row("MODELS", "ALIAS", "PURPOSE", "RESULT", "DIGEST");
      for (PolicyBinding binding : applied.getBindingsList()) {
        int policies = binding.getPoliciesCount();
        table.row(binding.getModelPattern(), binding.getAlias(), binding.getPurpose(),
            policies == 0 ? "removed" : "set (" + policies + (policies == 1 ? " policy)" : " policies)"),
            binding.getDigest());
      }
      return table;
    });
  }

  static void bindings(Printer printer, ListPromotionPoliciesResponse bindings) {
    printer.printTable(bindings, () -> {
      TextTable table = new TextTable().row("MODELS", "ALIAS", "PURPOSE", "UPDATED", "UPDATED_BY", "POLICIES");
      for (PolicyBinding binding : bindings.getBindingsList()) {
        table.row(binding.getModelPattern(), binding.getAlias(), binding.getPurpose(), time(binding.getUpdateTime()),
            binding.getUpdatedBy(), binding.getPoliciesList().stream().map(PolicySpec::getType)
                .collect(Collectors.joining(", ")));
      }
      return table;
    });
  }

  /** The policies that gate an alias, binding by binding in the order they apply, each with its params. */
  static void effective(Printer printer, EffectivePolicy effective) {
    printer.print(effective, out -> {
      new TextTable()
          .row("alias", effective.getAlias())
          .row("purpose", effective.getPurpose())
          .row("bindings", Integer.toString(effective.getBindingsCount()))
          .row("policy_set_digest", effective.getPolicySetDigest())
          .print(out);
      if (effective.getBindingsCount() == 0) {
        return;
      }
      TextTable table = new TextTable().row("MODELS", "PURPOSE", "POLICY", "PARAMS");
      for (PolicyBinding binding : effective.getBindingsList()) {
        for (int i = 0; i < binding.getPoliciesCount(); i++) {
          PolicySpec policy = binding.getPolicies(i);
          // The binding is named on its first policy only, so each binding reads as one group of rows.
          table.row(i == 0 ? binding.getModelPattern() : "", i == 0 ? binding.getPurpose() : "", policy.getType(),
              params(policy.getParams()));
        }
      }
      out.println();
      table.print(out);
    });
  }

  /** Params as {@code metric=rmse, op=<=, value=5.6, approvers=[alice, bob]}. */
  private static String params(Struct params) {
    return params.getFieldsMap().entrySet().stream()
        .map(param -> param.getKey() + "=" + param(param.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static String param(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue() == Math.rint(value.getNumberValue())
          ? Long.toString((long) value.getNumberValue())
          : Double.toString(value.getNumberValue());
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case LIST_VALUE -> value.getListValue().getValuesList().stream().map(PolicyView::param)
          .collect(Collectors.joining(", ", "[", "]"));
      case STRUCT_VALUE -> "{" + params(value.getStructValue()) + "}";
      default -> "null";
    };
  }
}
