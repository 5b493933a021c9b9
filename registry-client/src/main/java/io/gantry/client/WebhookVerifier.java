package io.gantry.client;

import io.gantry.proto.WebhookSignatures;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * What a webhook receiver checks before it acts on a delivery (docs/webhooks.md): the {@code webhook-signature}
 * header is an HMAC-SHA256, under the webhook's secret, of {@code {webhook-id}.{webhook-timestamp}.{body}}, and the
 * timestamp is recent, so a recorded delivery cannot be replayed later. This is Standard Webhooks' scheme.
 */
public final class WebhookVerifier {

  /** How far a delivery's timestamp may be from the receiver's clock. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

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
    return new WebhookVerifier(WebhookSignatures.key(secret.strip()).orElseThrow(() -> new IllegalArgumentException(
        "a webhook secret is " + WebhookSignatures.SECRET_PREFIX + " followed by base64")));
  }

  /**
   * Checks a delivery's headers against its body.
   *
   * @param signatures the {@code webhook-signature} header: one or more space-separated {@code v1,BASE64}
   * @throws Rejected saying what does not hold
   */
  public void verify(String id, String timestamp, String signatures, String body, Instant now) {
    if (id == null || timestamp == null || signatures == null) {
      throw new Rejected("the webhook-id, webhook-timestamp and webhook-signature headers are required");
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
    byte[] expected = WebhookSignatures.hmac(key, id, seconds, body);
    String version = WebhookSignatures.VERSION;
    for (String signature : signatures.trim().split("\\s+")) {
      if (signature.startsWith(version)
          && MessageDigest.isEqual(expected, decode(signature.substring(version.length())))) {
        return;
      }
    }
    throw new Rejected("webhook-signature does not match: another secret, or a changed body");
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }
}
