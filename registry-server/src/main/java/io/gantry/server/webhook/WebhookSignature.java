package io.gantry.server.webhook;

import io.gantry.proto.WebhookSignatures;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/** The secrets the server makes and accepts for webhooks; signing itself is {@link WebhookSignatures}'. */
public final class WebhookSignature {

  public static final String PREFIX = WebhookSignatures.SECRET_PREFIX;
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

  /** The key of a secret the server accepts (24 to 64 bytes); empty otherwise. */
  public static Optional<byte[]> key(String secret) {
    return WebhookSignatures.key(secret).filter(key -> key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES);
  }
}
