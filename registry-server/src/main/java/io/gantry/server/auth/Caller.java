package io.gantry.server.auth;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.error.GantryException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Who a call runs for, placed in the gRPC {@link Context} by the identity interceptor. */
public final class Caller {

  /** How a caller proved who it is. */
  public enum Method {
    /** The unverified {@code x-gantry-user} header of the loopback default. */
    HEADER("header"),
    JWT("jwt"),
    API_TOKEN("api-token"),
    MTLS("mtls");

    private final String wireName;

    Method(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /**
   * Who a credential proves. A name is a user's when role bindings on {@code user:NAME} may name it: a JWT's subject,
   * an API token's principal, the loopback header, and a client certificate's name only when it is of the type
   * {@code GANTRY_TLS_CLIENT_PRINCIPAL} names (docs/access.md). Any other certificate is {@code cert:NAME}, which only
   * bindings on {@code cert:NAME} match, so that a certificate cannot take a user's name by carrying it in some other
   * field.
   *
   * @param name the name the credential proves, without a kind
   * @param user whether {@code name} is a user name
   * @param groups the groups the credential names (JWT groups claim); role bindings on {@code group:NAME} apply
   * @param apiToken the token presented, when the caller used one: audit events of its calls record its id
   */
  public record Identity(String name, boolean user, Set<String> groups, Method method, Optional<UUID> apiToken) {

    public static Identity of(String name, Method method) {
      return new Identity(name, true, Set.of(), method, Optional.empty());
    }

    /** The name audit events, messages and approvals policies know the caller by: a user name, or cert:NAME. */
    public String principal() {
      return user ? name : CERTIFICATE + name;
    }
  }

  /** The kind of a certificate's name that is no user name. */
  public static final String CERTIFICATE = "cert:";
  /** What subjects of role bindings and approvers' memberships begin with; no user name may. */
  public static final List<String> SUBJECT_KINDS = List.of("user:", "group:", "role:", CERTIFICATE, "jwt:", "token:");
  private static final Pattern USER_NAME = Pattern.compile("[!-~]{1,256}");
  /** Says, for a message, what {@link #isUserName} accepts. */
  public static final String USER_NAME_RULE = "a name of 1 to 256 printable characters without spaces, not beginning "
      + "with " + String.join(", ", SUBJECT_KINDS);

  /**
   * Whether {@code name} may be a user's: printable, and not beginning with a subject kind, which would let it pass
   * for a group, a role or a certificate in bindings, audit events and approvals.
   */
  public static boolean isUserName(String name) {
    return USER_NAME.matcher(name).matches() && SUBJECT_KINDS.stream().noneMatch(name::startsWith);
  }

  static final Context.Key<Identity> IDENTITY = Context.key("gantry-caller");

  private Caller() {}

  /** The principal of the current call. */
  public static String principal() {
    return identity().principal();
  }

  /** The identity of the current call. */
  public static Identity identity() {
    Identity identity = IDENTITY.get();
    if (identity == null) {
      throw new IllegalStateException("no caller in context: is the identity interceptor installed?");
    }
    return identity;
  }

  /** The identity of the current call, if this thread runs one (background work runs none). */
  public static Optional<Identity> current() {
    return Optional.ofNullable(IDENTITY.get());
  }

  /**
   * The one value of the header {@code key}, or null without it. HTTP allows one authorization field (RFC 9110); with
   * two, which one a proxy, a log and the server would each judge differs, so a call with more is refused.
   *
   * @throws CredentialRejected when the call has more than one
   */
  static String onlyValue(Metadata headers, Metadata.Key<String> key) {
    Iterable<String> values = headers.getAll(key);
    if (values == null) {
      return null;
    }
    Iterator<String> each = values.iterator();
    String first = each.next();
    if (each.hasNext()) {
      throw new CredentialRejected("more than one " + key.name() + " header: send one");
    }
    return first;
  }

  /** Runs the call as {@code identity}: what an identity interceptor does once it knows who calls. */
  static <Q, R> ServerCall.Listener<Q> runAs(Identity identity, ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(Context.current().withValue(IDENTITY, identity), call, headers, next);
  }

  /** Ends the call with {@code error} before it reaches a service. */
  public static <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, GantryException error) {
    var status = GrpcErrors.toStatusException(error);
    call.close(status.getStatus(), status.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
