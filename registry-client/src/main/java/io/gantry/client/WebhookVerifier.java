package io.gantry.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a webhook receiver checks before it acts on a delivery (docs/webhooks.md): the {@code webhook-signature}
 * header is an HMAC-SHA256, under the webhook's secret, of {@code {webhook-id}.{webhook-timestamp}.{body}}, and the
 * timestamp is recent, so a recorded delivery cannot be replayed later. This is Standard Webhooks' scheme.
 */
public final class WebhookVerifier {

  /** How far a delivery's timestamp may be from the receiver's clock. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final String PREFIX = "whsec_";
  private static final String VERSION = "v1,";

  /** A delivery that must not be acted on. */
  public static final class Rejected extends RuntimeException {
    Rejected(String message) {
      super(message);
    }
  }

  private final byte[] key;

  private WebhookVerifier(byte[] key) {
    this.key = key;
  }

  /** @param secret the webhook's secret, {@code whsec_} and base64, as {@code gantry webhooks create} gave it */
  public static WebhookVerifier of(String secret) {
    String trimmed = secret.strip();
    if (!trimmed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
    }
    try {
      return new WebhookVerifier(Base64.getDecoder().decode(trimmed.substring(PREFIX.length())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret is " + PREFIX + " followed by base64", e);
    }
  }

  /**
   * Checks a delivery's headers against its body.
   *
   * @param signatures the {@code webhook-signature} header: one or more space-separated {@code v1,BASE64}
   * @throws Rejected saying what does not hold
   */
  public void verify(String id, String timestamp, String signatures, String body, Instant now) {
    if (id == null || timestamp == null || signatures == null) {
      throw new Rejected("the webhook-id, webhook-timestamp and webhook-signature headers are "
          + "required");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new Rejected("webhook-timestamp '" + timestamp + "' is not a number of seconds");
    }
    if (Duration.between(Instant.ofEpochSecond(seconds), now).abs().compareTo(TOLERANCE) > 0) {
      throw new Rejected("webhook-timestamp " + Instant.ofEpochSecond(seconds) + " is more than "
          + TOLERANCE.toMinutes() + " minutes from now: a replay, or a clock to fix");
    }
    byte[] expected = sign(id + "." + seconds + "." + body);
    for (String signature : signatures.trim().split("\\s+")) {
      if (signature.startsWith(VERSION) && MessageDigest.isEqual(expected, decode(signature.substring(VERSION.length())))) {
        return;
      }
    }
    throw new Rejected("webhook-signature does not match: another secret, or a changed body");
  }

  private byte[] sign(String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }
}
