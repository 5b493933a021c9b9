package io.gantry.server.auth;

import io.gantry.server.config.ServerConfig.CertificateUserName;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Identity from a verified credential: {@code authorization: Bearer} with a Gantry API token or a JWT, or else a
 * client certificate the TLS handshake verified (mTLS). A call with none, with more than one {@code authorization}
 * header, or with one that cannot be accepted, ends {@code UNAUTHENTICATED} ({@code CREDENTIAL_REJECTED}) saying why,
 * and the refusal is audited; the {@code x-gantry-user} header means nothing here.
 */
public final class VerifiedIdentityInterceptor implements ServerInterceptor {

  /** Records a refused credential in the audit log; must not block the calling thread. */
  public interface Refusals {
    /**
     * @param peer where the call came from
     * @param credential what the caller presented (to be told apart by, never to be stored), or null for nothing
     */
    void credentialRejected(String method, SocketAddress peer, String credential, String reason);
  }

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";
  // subjectAltName types (RFC 5280)
  private static final int EMAIL = 1;
  private static final int DNS = 2;
  private static final int URI = 6;
  // a certificate's name, when it names no user: its first e-mail, DNS or URI (a SPIFFE ID) name
  private static final Set<Integer> NAME_TYPES = Set.of(EMAIL, DNS, URI);

  private final Optional<JwtAuthenticator> jwt;
  private final Optional<ApiTokenAuthenticator> apiTokens;
  private final Optional<CertificateUserName> clientCertificates;
  private final Refusals refusals;

  /** @param clientCertificates whether client certificates are accepted, and which of their names is a user's */
  public VerifiedIdentityInterceptor(Optional<JwtAuthenticator> jwt, Optional<ApiTokenAuthenticator> apiTokens,
      Optional<CertificateUserName> clientCertificates, Refusals refusals) {
    this.jwt = jwt;
    this.apiTokens = apiTokens;
    this.clientCertificates = clientCertificates;
    this.refusals = refusals;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Caller.Identity identity;
    try {
      identity = identify(call, Caller.onlyValue(headers, AUTHORIZATION));
    } catch (CredentialRejected e) {
      Iterable<String> presented = headers.getAll(AUTHORIZATION);
      refusals.credentialRejected(call.getMethodDescriptor().getFullMethodName(),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          presented == null ? null : String.join("\n", presented), e.getMessage());
      return Caller.refuse(call, new GantryException(ErrorCode.CREDENTIAL_REJECTED, e.getMessage()));
    }
    return Caller.runAs(identity, call, headers, next);
  }

  private Caller.Identity identify(ServerCall<?, ?> call, String authorization) {
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        throw new CredentialRejected("the authorization header must be 'Bearer <token>'");
      }
      String token = authorization.substring(BEARER.length()).trim();
      if (token.startsWith(ApiTokenAuthenticator.PREFIX)) {
        return apiTokens.orElseThrow(() -> new CredentialRejected("this server does not accept API tokens "
            + "(GANTRY_API_TOKENS is not true)")).identity(token);
      }
      return jwt.orElseThrow(() -> new CredentialRejected("this server does not accept JWTs (GANTRY_JWT_KEYS is "
          + "not set)")).identity(token);
    }
    if (clientCertificates.isPresent()) {
      Optional<Caller.Identity> fromCertificate = fromCertificate(
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION), clientCertificates.get());
      if (fromCertificate.isPresent()) {
        return fromCertificate.get();
      }
    }
    throw new CredentialRejected("no credential: send the header 'authorization: Bearer <token>' (gantry --token, or "
        + "GANTRY_TOKEN)" + (clientCertificates.isPresent()
            ? ", or a client certificate (gantry --cert and --cert-key, or GANTRY_CERT_FILE and GANTRY_KEY_FILE)" : ""));
  }

  /**
   * Who a verified client certificate names: the user its {@code userName} field names, or else {@code cert:NAME}
   * with its first DNS, e-mail or URI subject alternative name, else the common name of its subject.
   */
  static Optional<Caller.Identity> fromCertificate(SSLSession session, CertificateUserName userName) {
    if (session == null) {
      return Optional.empty();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
      return Optional.empty();
    }
    Optional<String> user = (switch (userName) {
      case EMAIL -> alternativeName(certificate, Set.of(EMAIL));
      case URI -> alternativeName(certificate, Set.of(URI));
      case DNS -> alternativeName(certificate, Set.of(DNS));
      case CN -> commonName(certificate);
      case NONE -> Optional.<String>empty();
    }).filter(Caller::isUserName);
    if (user.isPresent()) {
      return user.map(name -> Caller.Identity.of(name, Caller.Method.MTLS));
    }
    return alternativeName(certificate, NAME_TYPES).or(() -> commonName(certificate))
        .map(name -> new Caller.Identity(name, false, Set.of(), Caller.Method.MTLS, Optional.empty()));
  }

  /** The certificate's first subject alternative name of one of {@code types}. */
  private static Optional<String> alternativeName(X509Certificate certificate, Set<Integer> types) {
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
          if (types.contains((Integer) name.get(0)) && name.get(1) instanceof String value) {
            return Optional.of(value);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // an unreadable extension names nobody
    }
    return Optional.empty();
  }

  private static Optional<String> commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
