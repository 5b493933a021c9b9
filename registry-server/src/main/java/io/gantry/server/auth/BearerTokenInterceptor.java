package io.gantry.server.auth;

import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Identity from a verified credential: {@code authorization: Bearer <JWT>}. A call without one, or with one the
 * authenticator refuses, ends {@code UNAUTHENTICATED} ({@code CREDENTIAL_REJECTED}) saying why; the
 * {@code x-gantry-user} header means nothing here.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final JwtAuthenticator authenticator;

  public BearerTokenInterceptor(JwtAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String authorization = headers.get(AUTHORIZATION);
    String principal;
    try {
      if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        throw new JwtAuthenticator.CredentialRejected(
            "no credential: send the header 'authorization: Bearer <token>' (gantry --token, or GANTRY_TOKEN)");
      }
      principal = authenticator.principal(authorization.substring(BEARER.length()).trim());
    } catch (JwtAuthenticator.CredentialRejected e) {
      return Caller.refuse(call, new GantryException(ErrorCode.CREDENTIAL_REJECTED, e.getMessage()));
    }
    return Caller.runAs(principal, call, headers, next);
  }
}
