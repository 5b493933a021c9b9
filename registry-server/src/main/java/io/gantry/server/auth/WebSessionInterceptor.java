package io.gantry.server.auth;

import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.session.WebSessions;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Identity for the web page's own calls: a call that names a web session in {@value #HEADER} runs as the caller that
 * session was begun for, as long as it lives. Only the in-process transport, which only this server's own HTTP port
 * reaches, may send that header: from the network it is {@code UNAUTHENTICATED} and audited, whatever it holds.
 * Every other call goes to the server's identity interceptor ({@code identity}), unchanged.
 */
public final class WebSessionInterceptor implements ServerInterceptor {

  public static final String HEADER = "x-gantry-web-session";
  private static final Metadata.Key<String> SESSION = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final WebSessions sessions;
  private final Set<Caller.Method> accepted;
  private final Optional<ApiTokenAuthenticator> apiTokens;
  private final VerifiedIdentityInterceptor.Refusals refusals;
  private final ServerInterceptor identity;

  /**
   * @param accepted how a session's credential must have been proven for this server to honour it: what it accepts
   *     itself (a session begun on a loopback-default replica names its caller unverified)
   * @param apiTokens checks that a session's API token is still neither revoked nor expired
   * @param identity the identity interceptor of every other call
   */
  public WebSessionInterceptor(WebSessions sessions, Set<Caller.Method> accepted,
      Optional<ApiTokenAuthenticator> apiTokens, VerifiedIdentityInterceptor.Refusals refusals,
      ServerInterceptor identity) {
    this.sessions = sessions;
    this.accepted = Set.copyOf(accepted);
    this.apiTokens = apiTokens;
    this.refusals = refusals;
    this.identity = identity;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String session = headers.get(SESSION);
    if (session == null) {
      return identity.interceptCall(call, headers, next);
    }
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Caller.Identity caller;
    try {
      if (!(peer instanceof InProcessSocketAddress)) {
        throw new CredentialRejected(HEADER + " is the web page's own header, accepted only from inside the server: "
            + "send 'authorization: Bearer <token>'");
      }
      caller = caller(sessions.resume(session).orElseThrow(() -> new CredentialRejected(
          "the web session has ended (signed out, or expired): sign in again")));
    } catch (CredentialRejected e) {
      refusals.credentialRejected(call.getMethodDescriptor().getFullMethodName(), peer, session, e.getMessage());
      return Caller.refuse(call, new GantryException(ErrorCode.CREDENTIAL_REJECTED, e.getMessage()));
    }
    return Caller.runAs(caller, call, headers, next);
  }

  private Caller.Identity caller(WebSessions.Session session) {
    Caller.Method method = Arrays.stream(Caller.Method.values())
        .filter(m -> m.wireName().equals(session.authenticatedBy()) && accepted.contains(m))
        .findFirst()
        .orElseThrow(() -> new CredentialRejected("the web session was signed in with a credential of kind '"
            + session.authenticatedBy() + "', which this server does not accept: sign in again"));
    session.apiToken().ifPresent(token -> apiTokens.orElseThrow(() -> new CredentialRejected(
        "this server does not accept API tokens (GANTRY_API_TOKENS is not true)")).requireActive(token));
    // sign-in takes a name, a JWT or an API token, never a certificate: what a session proves is a user name
    return new Caller.Identity(session.principal(), true, session.groups(), method, session.apiToken());
  }
}
