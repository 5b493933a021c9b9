package io.gantry.proto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures as Standard Webhooks defines them, for the server that signs deliveries and the receivers that
 * check them: a secret is {@code whsec_} and the base64 of the key; the {@code webhook-signature} header is {@code v1,}
 * and the base64 HMAC-SHA256 of {@code {webhook-id}.{webhook-timestamp}.{body}}.
 */
public final class WebhookSignatures {

  public static final String SECRET_PREFIX = "whsec_";
  public static final String VERSION = "v1,";

  private WebhookSignatures() {}

  /** The key of a secret; empty when {@code secret} is not {@code whsec_} and base64. */
  public static Optional<byte[]> key(String secret) {
    if (!secret.startsWith(SECRET_PREFIX)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The HMAC-SHA256 a {@code v1,} signature carries. */
  public static byte[] hmac(byte[] key, String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The {@code webhook-signature} header's value. */
  public static String header(byte[] key, String id, long timestampSeconds, String body) {
    return VERSION + Base64.getEncoder().encodeToString(hmac(key, id, timestampSeconds, body));
  }
}
