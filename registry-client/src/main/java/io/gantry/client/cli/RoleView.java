package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.v1.Caller;
import io.gantry.v1.ListRoleBindingsResponse;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import java.util.Locale;

/** How {@code gantry roles} shows role bindings, and {@code gantry whoami} the caller with the bindings it has. */
final class RoleView {

  private RoleView() {
  }

  /** Who the server takes the caller for, then the role bindings that apply to it. */
  static void caller(Printer printer, Caller caller) {
    printer.print(caller, out -> {
      new TextTable()
          .row("principal", caller.getPrincipal())
          .field("groups", String.join(", ", caller.getGroupsList()))
          .row("authenticated_by", caller.getAuthenticatedBy())
          .field("api_token", caller.getApiToken())
          .row("roles_enforced", caller.getRolesEnforced()
              ? "true"
              : "false: this server checks no roles, so every caller may do everything")
          .row("role_bindings", Integer.toString(caller.getRoleBindingsCount()))
          .print(out);
      if (caller.getRoleBindingsCount() == 0) {
        return;
      }
      TextTable table = new TextTable().row("NAME", "SUBJECT", "ROLE", "MODELS", "ALIASES");
      for (RoleBinding binding : caller.getRoleBindingsList()) {
        table.row(binding.getName(), binding.getSubject(), role(binding.getRole()), binding.getModelPattern(),
            aliases(binding));
      }
      out.println();
      table.print(out);
    });
  }

  static void binding(Printer printer, RoleBinding binding) {
    printer.printTable(binding, () -> new TextTable()
        .row("name", binding.getName())
        .row("subject", binding.getSubject())
        .row("role", role(binding.getRole()))
        .row("models", binding.getModelPattern())
        .row("aliases", aliases(binding))
        .field("created", timeAndActor(binding.getCreateTime(), binding.getCreatedBy())));
  }

  /** Every binding; those from the server's configuration (GANTRY_ADMINS) say so in CREATED_BY. */
  static void bindings(Printer printer, ListRoleBindingsResponse bindings) {
    printer.printTable(bindings, () -> {
      TextTable table = new TextTable().row("NAME", "SUBJECT", "ROLE", "MODELS", "ALIASES", "CREATED", "CREATED_BY");
      for (RoleBinding binding : bindings.getRoleBindingsList()) {
        table.row(binding.getName(), binding.getSubject(), role(binding.getRole()), binding.getModelPattern(),
            aliases(binding), time(binding.getCreateTime()), binding.getCreatedBy());
      }
      return table;
    });
  }

  /** {@code ROLE_PUBLISHER} → {@code publisher}, as the server names roles in its messages. */
  static String role(Role role) {
    return role.name().replace("ROLE_", "").toLowerCase(Locale.ROOT);
  }

  /** A binding without aliases applies to every alias. */
  private static String aliases(RoleBinding binding) {
    return binding.getAliasesCount() == 0 ? "*" : String.join(", ", binding.getAliasesList());
  }
}
