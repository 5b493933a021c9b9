package io.gantry.server.query;

import static io.gantry.db.Tables.PAGE_TOKEN_KEY;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jooq.DSLContext;

/**
 * Seals what a page token holds with AES-256-GCM, so a client can neither read it (the last row's position, the query
 * it belongs to) nor alter or forge it. The key is one random key in the database, shared by every replica, so a
 * token made by one turns the page on another. Each token is sealed under a key of its own, derived from the shared
 * key and a random 128-bit salt the token carries: no key and nonce are ever used twice, however many tokens are
 * made (one key with random 96-bit nonces would be safe for about 2^32 tokens only).
 */
public final class PageTokens {

  private static final byte FORMAT = 1;
  private static final int KEY_BYTES = 32;
  private static final int SALT_BYTES = 16;
  private static final int TAG_BITS = 128;
  /** Each derived key seals exactly one token, so its nonce may be fixed. */
  private static final byte[] NONCE = new byte[12];
  private static final byte[] DERIVATION_LABEL = "gantry page token".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private PageTokens(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  /** The database's key: written by the first replica to start, read by every one. */
  public static PageTokens load(DSLContext dsl) {
    byte[] fresh = new byte[KEY_BYTES];
    RANDOM.nextBytes(fresh);
    dsl.insertInto(PAGE_TOKEN_KEY).set(PAGE_TOKEN_KEY.SECRET, fresh).onConflictDoNothing().execute();
    return new PageTokens(dsl.select(PAGE_TOKEN_KEY.SECRET).from(PAGE_TOKEN_KEY).fetchSingle(PAGE_TOKEN_KEY.SECRET));
  }

  String seal(byte[] content) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] sealed;
    try {
      sealed = cipher(Cipher.ENCRYPT_MODE, salt, content);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has AES-GCM and HMAC-SHA256", e);
    }
    byte[] token = ByteBuffer.allocate(1 + SALT_BYTES + sealed.length).put(FORMAT).put(salt).put(sealed).array();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** What {@link #seal} sealed; empty for anything else (altered, cut, another database's, not base64). */
  Optional<byte[]> open(String token) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length < 1 + SALT_BYTES + TAG_BITS / 8 || bytes[0] != FORMAT) {
      return Optional.empty();
    }
    try {
      return Optional.of(cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(bytes, 1, 1 + SALT_BYTES),
          Arrays.copyOfRange(bytes, 1 + SALT_BYTES, bytes.length)));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has AES-GCM and HMAC-SHA256", e);
    }
  }

  private byte[] cipher(int mode, byte[] salt, byte[] input) throws GeneralSecurityException {
    Mac derive = Mac.getInstance("HmacSHA256");
    derive.init(key);
    derive.update(DERIVATION_LABEL);
    SecretKeySpec tokenKey = new SecretKeySpec(derive.doFinal(salt), "AES");
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, tokenKey, new GCMParameterSpec(TAG_BITS, NONCE));
    cipher.updateAAD(new byte[] {FORMAT});
    return cipher.doFinal(input);
  }
}
