package io.gantry.server.access;

import io.gantry.server.auth.Caller;
import io.gantry.server.common.ModelGlob;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A role given to a subject on the models a glob matches. The subject says whom, and how they must have proven it:
 * {@code user:NAME} a user (a JWT's subject, an API token's principal, or a client certificate's user name, see
 * {@link Caller.Identity}), {@code group:NAME} a group a JWT names, {@code cert:NAME} a client certificate's name, and
 * {@code jwt:NAME} or {@code token:NAME} a user who proved it with that credential only.
 *
 * @param id 0 for a binding from configuration (GANTRY_ADMINS), which is not stored
 * @param aliases for publishers and approvers, the only aliases they may request or decide on; empty for all
 */
public record RoleBinding(long id, String subject, Role role, String modelPattern, List<String> aliases,
    Instant createTime, String createdBy, boolean fromConfiguration) {

  public static final String USER = "user:";
  public static final String GROUP = "group:";
  public static final String CERT = Caller.CERTIFICATE;
  public static final String JWT = "jwt:";
  public static final String TOKEN = "token:";
  public static final Pattern SUBJECT = Pattern.compile("(user|group|cert|jwt|token):[!-~]{1,256}");
  /** Says, for a message, what {@link #SUBJECT} accepts. */
  public static final String SUBJECT_RULE = "user:NAME, group:NAME, cert:NAME, jwt:NAME or token:NAME (printable "
      + "characters, no spaces, at most 256)";
  public static final String EVERY_MODEL = "*";

  public RoleBinding {
    aliases = List.copyOf(aliases);
  }

  public String name() {
    return "roleBindings/" + id;
  }

  /** Whether the binding is the caller's: its name, proven the way the subject's kind asks, or one of its groups. */
  public boolean appliesTo(Caller.Identity caller) {
    int colon = subject.indexOf(':');
    String name = subject.substring(colon + 1);
    return switch (subject.substring(0, colon + 1)) {
      case USER -> caller.user() && caller.name().equals(name);
      case GROUP -> caller.groups().contains(name);
      case CERT -> caller.method() == Caller.Method.MTLS && caller.name().equals(name);
      case JWT -> caller.method() == Caller.Method.JWT && caller.name().equals(name);
      case TOKEN -> caller.method() == Caller.Method.API_TOKEN && caller.name().equals(name);
      default -> false;
    };
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
