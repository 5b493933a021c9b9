package io.gantry.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig.Jwt;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Verifies bearer JWTs with nimbus-jose-jwt: the signature against the configured JWKS (a file, re-read when it
 * changes, or an https URL, cached and refetched for an unknown key id, so keys can rotate), one of the allowed
 * asymmetric algorithms, the issuer, the audience, and the expiry with a minute of clock skew. A verified token is
 * remembered for at most a minute (never past its expiry), so that cache hits on the event loop do not pay for a
 * signature check on every call.
 */
public final class JwtAuthenticator {

  private static final Pattern PRINCIPAL = Pattern.compile("[!-~]{1,256}");
  private static final Duration REMEMBERED = Duration.ofMinutes(1);

  private record Verified(Caller.Identity identity, Instant expires) {}

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String principalClaim;
  private final String groupsClaim;
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBERED).build();

  public JwtAuthenticator(Jwt config) {
    this.principalClaim = config.principalClaim();
    this.groupsClaim = config.groupsClaim();
    Set<JWSAlgorithm> algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys(config.keys())));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(config.audience(),
        new JWTClaimsSet.Builder().issuer(config.issuer()).build(), new HashSet<>(List.of("exp", principalClaim))));
  }

  /**
   * The caller {@code token} names: its principal and groups.
   *
   * @throws CredentialRejected saying why the token cannot be accepted
   */
  public Caller.Identity identity(String token) {
    Verified known = verified.getIfPresent(token);
    if (known != null && known.expires().isAfter(Instant.now())) {
      return known.identity();
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new CredentialRejected("the bearer token is not a JWT: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      throw new CredentialRejected("the bearer token was refused: " + e.getMessage());
    }
    Object principal = claims.getClaim(principalClaim);
    if (!(principal instanceof String name) || !PRINCIPAL.matcher(name).matches()) {
      throw new CredentialRejected("the token's " + principalClaim
          + " claim must be a name of 1 to 256 printable characters without spaces");
    }
    Caller.Identity identity = new Caller.Identity(name, groups(claims.getClaim(groupsClaim)), Caller.Method.JWT,
        Optional.empty());
    verified.put(token, new Verified(identity, claims.getExpirationTime().toInstant()));
    return identity;
  }

  /** Identity providers send a list of group names, or one name; anything else names no group. */
  private static Set<String> groups(Object claim) {
    Set<String> groups = new TreeSet<>();
    if (claim instanceof String one) {
      groups.add(one);
    } else if (claim instanceof List<?> many) {
      for (Object group : many) {
        if (group instanceof String name && PRINCIPAL.matcher(name).matches()) {
          groups.add(name);
        }
      }
    }
    groups.removeIf(group -> !PRINCIPAL.matcher(group).matches());
    return Set.copyOf(groups);
  }

  private static JWKSource<SecurityContext> keys(String location) {
    if (location.startsWith("https://")) {
      try {
        return JWKSourceBuilder.<SecurityContext>create(URI.create(location).toURL()).retrying(true).build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new ConfigException("GANTRY_JWT_KEYS is not a URL: " + location);
      }
    }
    return new JwksFile(Path.of(location));
  }

  /** A JWKS file, read again whenever it has changed: replacing the file rotates the keys without a restart. */
  private static final class JwksFile implements JWKSource<SecurityContext> {
    private final Path file;
    private FileTime readAt;
    private JWKSet keys;

    JwksFile(Path file) {
      this.file = file;
      reload();
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) {
      try {
        if (!Files.getLastModifiedTime(file).equals(readAt)) {
          reload();
        }
      } catch (IOException | ConfigException e) {
        // keep verifying with the keys last read: a file being replaced is briefly missing or partial
      }
      return selector.select(keys);
    }

    private void reload() {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        keys = JWKSet.load(file.toFile());
        readAt = modified;
      } catch (IOException | ParseException e) {
        throw new ConfigException("GANTRY_JWT_KEYS " + file + " is not a JWKS file: " + e.getMessage());
      }
    }
  }
}
