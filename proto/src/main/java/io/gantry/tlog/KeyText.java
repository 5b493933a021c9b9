package io.gantry.tlog;

import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A key as text, {@code <name>+<hex key ID>+<base64(0x01 || 32-byte key)>}: a verifier key, and a
 * signer key after its {@code PRIVATE+KEY+} prefix.
 *
 * @param key the 32 bytes after the signature type
 */
record KeyText(String name, int keyId, byte[] key) {

  private static final Pattern KEY_ID = Pattern.compile("[0-9a-fA-F]{8}");

  /**
   * Parses a key text. The error messages never quote it, as it may be a private key.
   *
   * @param usage what a key looks like, the start of every error message
   * @throws IllegalArgumentException if {@code text} is not a well-formed Ed25519 key text
   */
  static KeyText parse(String text, String usage) {
    // Base64 has plus signs too, but the name has none and the key ID is hex.
    String[] parts = text.split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException(usage + "; this one has no two plus signs");
    }
    if (!NoteFormat.isKeyName(parts[0])) {
      throw new IllegalArgumentException(usage + "; the name is empty or holds spaces or control characters");
    }
    if (!KEY_ID.matcher(parts[1]).matches()) {
      throw new IllegalArgumentException(usage + "; the key ID is not 8 hex digits");
    }
    byte[] typeAndKey;
    try {
      typeAndKey = NoteFormat.decodeBase64(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(usage + "; the key is not base64", e);
    }
    if (typeAndKey.length == 0 || typeAndKey[0] != NoteFormat.ED25519) {
      throw new IllegalArgumentException(usage + "; the key is not of signature type 0x01 (Ed25519)"
          + (typeAndKey.length == 0 ? "" : String.format(" but 0x%02x", typeAndKey[0])));
    }
    if (typeAndKey.length != 1 + Ed25519.KEY_SIZE) {
      throw new IllegalArgumentException(
          usage + "; an Ed25519 key is " + Ed25519.KEY_SIZE + " bytes, got " + (typeAndKey.length - 1));
    }
    byte[] key = Arrays.copyOfRange(typeAndKey, 1, typeAndKey.length);
    return new KeyText(parts[0], Integer.parseUnsignedInt(parts[1], 16), key);
  }

  static String format(String name, int keyId, byte[] key) {
    byte[] typeAndKey = new byte[1 + key.length];
    typeAndKey[0] = NoteFormat.ED25519;
    System.arraycopy(key, 0, typeAndKey, 1, key.length);
    return name + "+" + hex(keyId) + "+" + Base64.getEncoder().encodeToString(typeAndKey);
  }

  static String hex(int keyId) {
    return String.format("%08x", keyId);
  }
}
