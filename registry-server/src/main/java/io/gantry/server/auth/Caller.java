package io.gantry.server.auth;

import io.grpc.Context;

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
}
