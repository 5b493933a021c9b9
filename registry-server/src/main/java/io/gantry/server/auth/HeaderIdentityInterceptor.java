package io.gantry.server.auth;

import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.regex.Pattern;

/**
 * The embedded default's identity: whoever the {@code x-gantry-user} header says, {@code anonymous}
 * without it (and a call with two is refused, as with two authorization headers). It trusts the caller completely,
 * which is why the server then listens on loopback only; real authenticators replace this interceptor.
 */
public final class HeaderIdentityInterceptor implements ServerInterceptor {

  public static final String HEADER = "x-gantry-user";
  public static final String ANONYMOUS = "anonymous";
  private static final Metadata.Key<String> USER = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,255}");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String user;
    try {
      user = Caller.onlyValue(headers, USER);
    } catch (CredentialRejected e) {
      return Caller.refuse(call, new GantryException(ErrorCode.BAD_IDENTITY, e.getMessage()));
    }
    if (user == null || user.isEmpty()) {
      user = ANONYMOUS;
    } else if (!VALID.matcher(user).matches()) {
      return Caller.refuse(call, new GantryException(ErrorCode.BAD_IDENTITY,
          HEADER + " must match " + VALID.pattern() + " (a user name of at most 256 characters)"));
    }
    return Caller.runAs(Caller.Identity.of(user, Caller.Method.HEADER), call, headers, next);
  }
}
