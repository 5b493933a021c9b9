package io.gantry.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.gantry.server.common.Names;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig.Jwt;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Verifies bearer JWTs with nimbus-jose-jwt: the signature against the configured JWKS (a file, re-read when it
 * changes, or an https URL, cached and refetched for an unknown key id, so keys can rotate), one of the allowed
 * asymmetric algorithms, the type (a JWT, or an RFC 9068 access token), the issuer, the audience, and the expiry with a
 * minute of clock skew. Refusals say what is wrong in our words, never the library's.
 *
 * <p>A verified token is remembered for at most a minute (never past its expiry, never past a change of the key set),
 * so that cache hits on the event loop do not pay for a signature check on every call, and a key removed from the
 * JWKS stops its tokens at their next call.
 */
public final class JwtAuthenticator {

  private static final Pattern GROUP = Pattern.compile("[!-~]{1,256}");
  private static final Duration REMEMBERED = Duration.ofMinutes(1);
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  // RFC 7519 tokens, typed or not, and RFC 9068 access tokens, which many identity providers issue
  private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES = new DefaultJOSEObjectTypeVerifier<>(
      JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null);

  private record Verified(Caller.Identity identity, Instant expires, long keySetVersion) {}

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final KeySet keys;
  private final Set<JWSAlgorithm> algorithms;
  private final String accepted;
  private final String issuer;
  private final String audience;
  private final String principalClaim;
  private final String groupsClaim;
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBERED).build();

  public JwtAuthenticator(Jwt config) {
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.principalClaim = config.principalClaim();
    this.groupsClaim = config.groupsClaim();
    this.algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
    this.accepted = String.join(", ", new TreeSet<>(config.algorithms()));
    this.keys = keys(config.keys());
    JWSKeySelector<SecurityContext> byKeyId = new JWSVerificationKeySelector<>(algorithms, keys);
    processor.setJWSTypeVerifier((type, context) -> {
      try {
        TYPES.verify(type, context);
      } catch (BadJOSEException e) {
        throw new CredentialRejected("token type '" + Names.printable(type.getType()) + "' is not accepted "
            + "(accepted: JWT, at+jwt, application/at+jwt, or none)");
      }
    });
    processor.setJWSKeySelector((header, context) -> verificationKeys(byKeyId, header, context));
    processor.setJWTClaimsSetVerifier((claims, context) -> checkClaims(claims));
  }

  /**
   * The caller {@code token} names: its principal and groups.
   *
   * @throws CredentialRejected saying why the token cannot be accepted
   */
  public Caller.Identity identity(String token) {
    long keySetVersion = keys.version();
    Verified known = verified.getIfPresent(token);
    if (known != null && known.expires().isAfter(Instant.now()) && known.keySetVersion() == keySetVersion) {
      return known.identity();
    }
    JWTClaimsSet claims = verify(token);
    Object principal = claims.getClaim(principalClaim);
    if (!(principal instanceof String name) || !Caller.isUserName(name)) {
      throw new CredentialRejected("the token's " + principalClaim + " claim must be " + Caller.USER_NAME_RULE);
    }
    Caller.Identity identity = new Caller.Identity(name, true, groups(claims.getClaim(groupsClaim)), Caller.Method.JWT,
        Optional.empty());
    // the version read before verifying: a key set changed meanwhile makes the next call verify again
    verified.put(token, new Verified(identity, claims.getExpirationTime().toInstant(), keySetVersion));
    return identity;
  }

  private JWTClaimsSet verify(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new CredentialRejected("malformed JWT: the bearer token is neither a Gantry API token nor a JWT");
    }
    if (jwt instanceof PlainJWT) {
      throw new CredentialRejected("algorithm none is not accepted: the token must be signed");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new CredentialRejected("encrypted JWTs are not accepted: send a signed one");
    }
    try {
      signed.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new CredentialRejected("malformed JWT: its claims are not a JSON object of registered claims");
    }
    try {
      return processor.process(signed, null);
    } catch (BadJWSException e) {
      String keyId = signed.getHeader().getKeyID();
      throw new CredentialRejected("signature does not verify"
          + (keyId == null ? "" : " with key id '" + Names.printable(keyId) + "'"));
    } catch (BadJOSEException | JOSEException e) {
      throw new CredentialRejected("the token cannot be verified with the configured keys");
    }
  }

  private List<? extends Key> verificationKeys(JWSKeySelector<SecurityContext> byKeyId, JWSHeader header,
      SecurityContext context) throws KeySourceException {
    if (!algorithms.contains(header.getAlgorithm())) {
      throw new CredentialRejected("algorithm " + Names.printable(header.getAlgorithm().getName())
          + " is not accepted (accepted: " + accepted + ")");
    }
    List<? extends Key> found = byKeyId.selectJWSKeys(header, context);
    if (found.isEmpty()) {
      throw new CredentialRejected(header.getKeyID() == null
          ? "the token names no key id (kid) and no " + header.getAlgorithm() + " key of GANTRY_JWT_KEYS fits it"
          : "unknown key id '" + Names.printable(header.getKeyID()) + "'");
    }
    return found;
  }

  private void checkClaims(JWTClaimsSet claims) {
    Instant now = Instant.now();
    Date expires = claims.getExpirationTime();
    if (expires == null) {
      throw new CredentialRejected("the token has no expiry (exp claim)");
    }
    if (expires.toInstant().plus(CLOCK_SKEW).isBefore(now)) {
      throw new CredentialRejected("token expired at " + expires.toInstant());
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && notBefore.toInstant().minus(CLOCK_SKEW).isAfter(now)) {
      throw new CredentialRejected("token not valid before " + notBefore.toInstant());
    }
    if (claims.getIssuer() == null) {
      throw new CredentialRejected("the token names no issuer (iss claim); the configured issuer is " + issuer);
    }
    if (!claims.getIssuer().equals(issuer)) {
      throw new CredentialRejected("issuer '" + Names.printable(claims.getIssuer()) + "' is not the configured issuer "
          + issuer);
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
      throw new CredentialRejected("audience does not include " + audience + " (the token's audience: "
          + Names.printable(String.valueOf(claims.getAudience())) + ")");
    }
  }

  /** Identity providers send a list of group names, or one name; anything else names no group. */
  private static Set<String> groups(Object claim) {
    Set<String> groups = new TreeSet<>();
    if (claim instanceof String one) {
      groups.add(one);
    } else if (claim instanceof List<?> many) {
      for (Object group : many) {
        if (group instanceof String name) {
          groups.add(name);
        }
      }
    }
    groups.removeIf(group -> !GROUP.matcher(group).matches());
    return Set.copyOf(groups);
  }

  /** The JWKS, and a number that changes whenever the keys in it may have: tokens verified before must be again. */
  private interface KeySet extends JWKSource<SecurityContext> {
    long version();
  }

  private static KeySet keys(String location) {
    if (location.startsWith("https://")) {
      return new JwksUrl(location);
    }
    return new JwksFile(Path.of(location));
  }

  /** An https URL, fetched by nimbus (cached, refetched for an unknown key id); every fetch is a new version. */
  private static final class JwksUrl implements KeySet {
    private final AtomicLong fetches = new AtomicLong();
    private final JWKSource<SecurityContext> source;

    JwksUrl(String location) {
      try {
        source = JWKSourceBuilder.<SecurityContext>create(URI.create(location).toURL())
            .cache(JWKSourceBuilder.DEFAULT_CACHE_TIME_TO_LIVE, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT,
                event -> {
                  if (event instanceof CachingJWKSetSource.RefreshCompletedEvent<?>) {
                    fetches.incrementAndGet();
                  }
                })
            .retrying(true).build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new ConfigException("GANTRY_JWT_KEYS is not a URL: " + location);
      }
    }

    @Override
    public long version() {
      return fetches.get();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
      return source.get(selector, context);
    }
  }

  /**
   * A JWKS file, read again whenever it has changed: replacing the file rotates the keys without a restart. Its
   * modification time is looked at on every call, remembered tokens' too, which costs a {@code stat}.
   */
  private static final class JwksFile implements KeySet {
    private record Read(FileTime modified, JWKSet keys, long version) {}

    private final Path file;
    private volatile Read read;

    JwksFile(Path file) {
      this.file = file;
      this.read = load(0);
    }

    @Override
    public long version() {
      return current().version();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
      return selector.select(current().keys());
    }

    private Read current() {
      Read last = read;
      try {
        if (!Files.getLastModifiedTime(file).equals(last.modified())) {
          synchronized (this) {
            if (read == last) {
              read = load(last.version() + 1);
            }
            return read;
          }
        }
      } catch (IOException | ConfigException e) {
        // keep verifying with the keys last read: a file being replaced is briefly missing or partial
      }
      return last;
    }

    private Read load(long version) {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        return new Read(modified, JWKSet.load(file.toFile()), version);
      } catch (IOException | ParseException e) {
        throw new ConfigException("GANTRY_JWT_KEYS " + file + " is not a JWKS file: " + e.getMessage());
      }
    }
  }
}
