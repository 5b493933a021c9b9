package io.gantry.server.auth;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.error.GantryException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

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
   * @param groups the groups the credential names (JWT groups claim); role bindings on {@code group:NAME} apply
   * @param apiToken the token presented, when the caller used one: audit events of its calls record its id
   */
  public record Identity(String principal, Set<String> groups, Method method, Optional<UUID> apiToken) {

    public static Identity of(String principal, Method method) {
      return new Identity(principal, Set.of(), method, Optional.empty());
    }
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
