package io.gantry.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** The rules of C2SP signed-note that signer, verifier and checkpoint share. */
final class NoteFormat {

  /** Starts every signature line: an em dash (U+2014) and a space. */
  static final String SIGNATURE_PREFIX = "\u2014 ";

  /** The signature type of Ed25519, which prefixes the public key in key IDs and verifier keys. */
  static final byte ED25519 = 0x01;

  private NoteFormat() {}

  /** Non-empty, without Unicode spaces, plus signs or control characters, well-formed. */
  static boolean isKeyName(String name) {
    if (name.isEmpty() || name.indexOf('+') >= 0 || !isNoteText(name)) {
      return false;
    }
    // Unicode's White_Space property, which is what the spec (like Go's unicode.IsSpace) means.
    return name.codePoints()
        .noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085');
  }

  /** Encodable as UTF-8 and without ASCII control characters other than newline. */
  static boolean isNoteText(String text) {
    return firstInvalidChar(text) < 0;
  }

  /** The index of the first character {@link #isNoteText} rejects, or -1. */
  static int firstInvalidChar(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n') {
        return i;
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** {@code SHA-256(name || "\n" || type || publicKey)[:4]} as a big-endian integer. */
  static int keyId(String name, byte type, byte[] publicKey) {
    MessageDigest sha256 = MerkleTree.sha256();
    sha256.update(name.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) '\n');
    sha256.update(type);
    sha256.update(publicKey);
    return ByteBuffer.wrap(sha256.digest()).getInt();
  }

  /**
   * Decodes standard, padded base64 (RFC 4648 section 4), accepting only the one canonical encoding
   * of the bytes, so that a signed text has one spelling.
   *
   * @throws IllegalArgumentException if {@code encoded} is not that
   */
  static byte[] decodeBase64(String encoded) {
    byte[] decoded = Base64.getDecoder().decode(encoded);
    if (!Base64.getEncoder().encodeToString(decoded).equals(encoded)) {
      throw new IllegalArgumentException("not canonical padded base64");
    }
    return decoded;
  }
}
