package io.gantry.server.access;

import io.gantry.server.auth.Caller;
import io.gantry.server.common.ModelGlob;
import java.time.Instant;
import java.util.List;

/**
 * A role given to a principal ({@code user:NAME}) or a group ({@code group:NAME}) on the models a glob matches.
 *
 * @param id 0 for a binding from configuration (GANTRY_ADMINS), which is not stored
 * @param aliases for publishers and approvers, the only aliases they may request or decide on; empty for all
 */
public record RoleBinding(long id, String subject, Role role, String modelPattern, List<String> aliases,
    Instant createTime, String createdBy, boolean fromConfiguration) {

  public static final String USER = "user:";
  public static final String GROUP = "group:";
  public static final String EVERY_MODEL = "*";

  public RoleBinding {
    aliases = List.copyOf(aliases);
  }

  public String name() {
    return "roleBindings/" + id;
  }

  /** Whether the binding is the caller's: its principal, or one of its groups. */
  public boolean appliesTo(Caller.Identity caller) {
    if (subject.startsWith(USER)) {
      return subject.equals(USER + caller.principal());
    }
    return subject.startsWith(GROUP) && caller.groups().contains(subject.substring(GROUP.length()));
  }

  /** Whether the binding gives {@code right} on {@code scope}. */
  public boolean grants(Right right, Scope scope) {
    if (!role.gives(right)) {
      return false;
    }
    boolean model = switch (scope.kind()) {
      case MODEL -> ModelGlob.compile(modelPattern).matcher(scope.model()).matches();
      case PATTERN -> modelPattern.equals(EVERY_MODEL) || modelPattern.equals(scope.model())
          || (!hasWildcard(scope.model()) && ModelGlob.compile(modelPattern).matcher(scope.model()).matches());
      case EVERY_MODEL -> modelPattern.equals(EVERY_MODEL);
      case ANY_MODEL, CALLER -> true;
    };
    boolean alias = aliases.isEmpty() || (right != Right.PUBLISH && right != Right.APPROVE)
        || scope.alias().map(aliases::contains).orElse(true);
    return model && alias;
  }

  private static boolean hasWildcard(String pattern) {
    return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
  }
}
