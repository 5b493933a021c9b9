package io.gantry.server.auth;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.error.GantryException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;

/** The principal a call runs for, placed in the gRPC {@link Context} by the identity interceptor. */
public final class Caller {

  static final Context.Key<String> PRINCIPAL = Context.key("gantry-principal");

  private Caller() {}

  /** The principal of the current call. */
  public static String principal() {
    String principal = PRINCIPAL.get();
    if (principal == null) {
      throw new IllegalStateException("no caller in context: is the identity interceptor installed?");
    }
    return principal;
  }

  /** Runs the call as {@code principal}: what an identity interceptor does once it knows who calls. */
  static <Q, R> ServerCall.Listener<Q> runAs(String principal, ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal), call, headers, next);
  }

  /** Ends the call with {@code error} before it reaches a service: the caller could not be identified. */
  static <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, GantryException error) {
    var status = GrpcErrors.toStatusException(error);
    call.close(status.getStatus(), status.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
