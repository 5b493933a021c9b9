package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.ListRoleBindingsRequest;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(name = "roles",
    description = "Who may do what: roles bound to users or groups on model-name globs. Needs the admin role on "
        + "every model; bindings from the server's GANTRY_ADMINS are listed but cannot be revoked here.",
    subcommands = {RolesCommand.Grant.class, RolesCommand.Revoke.class, RolesCommand.ListBindings.class})
final class RolesCommand extends CommandGroup {

  private static final String SUBJECT_LABEL = "SUBJECT";
  private static final String SUBJECT_DESCRIPTION = "user:NAME, group:NAME, cert:NAME (a client certificate), "
      + "jwt:NAME or token:NAME (a user proven by that credential only); a bare NAME is user:NAME.";

  @Command(name = "grant",
      description = "Bind ROLE to SUBJECT on the models --models matches. A subject already holding the role on "
          + "that pattern is refused: revoke that binding first to change its aliases.")
  static final class Grant implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = SUBJECT_LABEL, description = SUBJECT_DESCRIPTION)
    String subject;

    @Parameters(index = "1", paramLabel = "ROLE", converter = RoleConverter.class,
        completionCandidates = RoleNames.class, description = "One of ${COMPLETION-CANDIDATES}.")
    Role role;

    @Option(names = "--models", paramLabel = "GLOB", defaultValue = "*",
        description = "A model name, or a glob over names (* any run of characters, ? one); default * (every "
            + "model).")
    String models;

    @Option(names = "--alias", paramLabel = "ALIAS",
        description = "For publisher and approver: an alias they may request promotions to, or decide on; repeat "
            + "for more (default: every alias).")
    List<String> aliases = new ArrayList<>();

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        RoleView.binding(common.printer(), client.access().createRoleBinding(CreateRoleBindingRequest.newBuilder()
            .setRoleBinding(RoleBinding.newBuilder()
                .setSubject(subject(subject))
                .setRole(role)
                .setModelPattern(models)
                .addAllAliases(aliases))
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "revoke", description = "Delete a role binding (see gantry roles list).")
  static final class Revoke implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "BINDING", description = "roleBindings/ID, or the ID alone.")
    String binding;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.roleBinding(binding));
      try (GantryClient client = common.connect()) {
        client.access().deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(name).build());
      }
      common.printer().deleted(name);
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "list", description = "List every role binding, those from GANTRY_ADMINS first.")
  static final class ListBindings implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--subject", paramLabel = SUBJECT_LABEL,
        description = "Only the bindings of this subject (not those of its groups): " + SUBJECT_DESCRIPTION)
    String subject;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        RoleView.bindings(common.printer(), client.access().listRoleBindings(ListRoleBindingsRequest.newBuilder()
            .setSubject(subject == null ? "" : subject(subject))
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  /** A subject with its kind as given, a bare name as {@code user:NAME}, as GANTRY_ADMINS reads. */
  private static String subject(String subject) {
    return subject.contains(":") ? subject : "user:" + subject;
  }

  /** The roles a binding can give, from the least to admin. */
  private static List<Role> roles() {
    return Arrays.stream(Role.values())
        .filter(role -> role != Role.ROLE_UNSPECIFIED && role != Role.UNRECOGNIZED)
        .toList();
  }

  /** {@code publisher}, {@code PUBLISHER} or {@code ROLE_PUBLISHER}. */
  static final class RoleConverter implements ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      String name = value.strip().toLowerCase(Locale.ROOT);
      for (Role role : roles()) {
        if (RoleView.role(role).equals(name) || role.name().toLowerCase(Locale.ROOT).equals(name)) {
          return role;
        }
      }
      throw new TypeConversionException(
          "unknown role '" + value + "'; one of " + String.join(", ", new RoleNames()));
    }
  }

  /** The role names, for the parameter's help. */
  static final class RoleNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return roles().stream().map(RoleView::role).iterator();
    }
  }
}
