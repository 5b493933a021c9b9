package io.gantry.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gantry.server.common.Digests;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static API tokens for pipelines: {@code gantry_<id>_<secret>}, 32 random bytes of secret. The id finds the
 * token; the server holds only the SHA-256 of the whole token and compares it in constant time, so a leaked
 * database gives no usable token.
 */
public final class ApiTokenAuthenticator {

  public static final String PREFIX = "gantry_";
  private static final Pattern FORMAT = Pattern.compile("gantry_([0-9a-f]{32})_[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A token as the server keeps it. */
  public record Stored(UUID id, String principal, byte[] sha256, Optional<Instant> expireTime, boolean revoked) {}

  /** Where tokens are kept. */
  public interface Directory {
    Optional<Stored> find(UUID id);

    /** Told of every accepted use; must not block. */
    void used(UUID id);
  }

  /** A new token: the secret to hand out once, and the digest to keep. */
  public record Minted(UUID id, String secret, byte[] sha256) {}

  private final Directory directory;
  // a token whose digest matched once only needs to be looked up again (is it revoked? expired?) on later calls,
  // which keeps a SHA-256 off every cached resolve
  private final Cache<String, Caller.Identity> verified = Caffeine.newBuilder().maximumSize(10_000).build();

  public ApiTokenAuthenticator(Directory directory) {
    this.directory = directory;
  }

  public static Minted mint() {
    UUID id = UUID.randomUUID();
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + id.toString().replace("-", "") + "_"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new Minted(id, token, digest(token));
  }

  /**
   * The caller {@code token} stands for.
   *
   * @throws CredentialRejected saying why it cannot be accepted
   */
  public Caller.Identity identity(String token) {
    Caller.Identity identity = verified.getIfPresent(token);
    if (identity == null) {
      identity = verify(token);
      verified.put(token, identity);
    }
    requireActive(identity.apiToken().orElseThrow());
    return identity;
  }

  /**
   * Records a use of the token {@code id}, which must still be neither revoked nor expired: asked on every call made
   * with it, or with a web session signed in with it.
   *
   * @throws CredentialRejected saying why it cannot be used
   */
  public void requireActive(UUID id) {
    Stored stored = directory.find(id).orElseThrow(() -> unknown(id));
    if (stored.revoked()) {
      throw new CredentialRejected("API token " + id + " was revoked");
    }
    if (stored.expireTime().isPresent() && !stored.expireTime().get().isAfter(Instant.now())) {
      throw new CredentialRejected("API token " + id + " expired at " + stored.expireTime().get());
    }
    directory.used(id);
  }

  private Caller.Identity verify(String token) {
    Matcher m = FORMAT.matcher(token);
    if (!m.matches()) {
      throw new CredentialRejected("the bearer token is not a Gantry API token (gantry_<id>_<secret>)");
    }
    ByteBuffer id = ByteBuffer.wrap(HexFormat.of().parseHex(m.group(1)));
    UUID uuid = new UUID(id.getLong(), id.getLong());
    Stored stored = directory.find(uuid)
        .filter(found -> MessageDigest.isEqual(found.sha256(), digest(token)))
        .orElseThrow(() -> unknown(uuid));
    return new Caller.Identity(stored.principal(), true, Set.of(), Caller.Method.API_TOKEN, Optional.of(uuid));
  }

  private static CredentialRejected unknown(UUID id) {
    return new CredentialRejected("API token " + id + " is unknown, or its secret is wrong");
  }

  private static byte[] digest(String token) {
    return Digests.sha256(token.getBytes(StandardCharsets.UTF_8));
  }
}
