package io.gantry.server.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook secrets and signatures as Standard Webhooks defines them, so receivers can use its libraries: a secret is
 * {@code whsec_} and the base64 of the key; the {@code webhook-signature} header is {@code v1,} and the base64
 * HMAC-SHA256 of {@code {webhook-id}.{webhook-timestamp}.{body}}.
 */
public final class WebhookSignature {

  public static final String PREFIX = "whsec_";
  public static final String VERSION = "v1,";
  static final int MIN_KEY_BYTES = 24;
  static final int MAX_KEY_BYTES = 64;
  private static final int GENERATED_KEY_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  public static String generateSecret() {
    byte[] key = new byte[GENERATED_KEY_BYTES];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The key of a well-formed secret; empty when {@code secret} is not one. */
  public static Optional<byte[]> key(String secret) {
    if (!secret.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
      return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? Optional.of(key) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The {@code webhook-signature} header's value. */
  public static String sign(byte[] key, String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signature = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return VERSION + Base64.getEncoder().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
