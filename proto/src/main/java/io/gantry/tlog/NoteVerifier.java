package io.gantry.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Checks C2SP signed notes against one Ed25519 verifier key, as {@link NoteSigner} writes them.
 *
 * <p>Following the spec, signatures by other keys (another name or key ID) are ignored, so a note may
 * also carry, say, witness cosignatures; a signature by this key that does not verify rejects the whole
 * note. Instances are immutable and thread-safe.
 *
 * @see <a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>
 */
public final class NoteVerifier {

  /** More signatures than any note needs (the spec asks to accept 16), as a bound on the work. */
  static final int MAX_SIGNATURES = 100;

  private final String name;
  private final int keyId;
  private final PublicKey publicKey;
  private final String verifierKey;

  private NoteVerifier(String name, int keyId, PublicKey publicKey, String verifierKey) {
    this.name = name;
    this.keyId = keyId;
    this.publicKey = publicKey;
    this.verifierKey = verifierKey;
  }

  /**
   * The verifier of a verifier key {@code <name>+<hex key ID>+<base64(0x01 || 32-byte public key)>},
   * as {@link NoteSigner#verifierKey()} and Go's golang.org/x/mod/sumdb/note write it.
   *
   * @throws IllegalArgumentException naming what is wrong, if {@code verifierKey} is not one, or its key
   *     ID does not match its name and key
   */
  public static NoteVerifier parse(String verifierKey) {
    Objects.requireNonNull(verifierKey, "verifierKey");
    KeyText parts = KeyText.parse(verifierKey, "a verifier key is <name>+<hex key ID>+<base64 key>");
    int keyId = NoteFormat.keyId(parts.name(), NoteFormat.ED25519, parts.key());
    if (keyId != parts.keyId()) {
      throw new IllegalArgumentException("the key ID " + KeyText.hex(parts.keyId())
          + " of the verifier key is not that of its name and key, " + KeyText.hex(keyId));
    }
    return new NoteVerifier(parts.name(), keyId, Ed25519.publicKey(parts.key()), verifierKey);
  }

  /** The key name, which the signature lines of this key carry. */
  public String name() {
    return name;
  }

  /** The verifier key this verifier was parsed from. */
  public String verifierKey() {
    return verifierKey;
  }

  /**
   * Checks a signed checkpoint: the note's signature by this key, then its text as a C2SP checkpoint.
   *
   * @throws SignatureException saying why, if the note is not validly signed by this key or what it
   *     signs is not a checkpoint
   */
  public Checkpoint verifyCheckpoint(String note) throws SignatureException {
    String text = verify(note);
    try {
      return Checkpoint.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SignatureException("the signed text is not a checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code note} is a well-formed signed note with a valid signature by this key, and
   * returns its text; only then may the text be trusted.
   *
   * @return the signed text, ending in a newline, without the blank line and the signatures
   * @throws SignatureException saying why, if the note is malformed, has no signature by this key, or a
   *     signature by this key does not verify
   */
  public String verify(String note) throws SignatureException {
    Objects.requireNonNull(note, "note");
    int invalid = NoteFormat.firstInvalidChar(note);
    if (invalid >= 0) {
      throw malformed(
          String.format("character U+%04X at offset %d is not allowed", (int) note.charAt(invalid), invalid));
    }
    // The text may hold blank lines itself; the signatures follow the last one.
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      throw malformed("no blank line before the signatures");
    }
    String text = note.substring(0, split + 1);
    String signatures = note.substring(split + 2);
    if (signatures.isEmpty()) {
      throw malformed("no signatures after the blank line");
    }
    if (!signatures.endsWith("\n")) {
      throw malformed("the signatures must end with a newline");
    }
    String[] lines = signatures.substring(0, signatures.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw malformed("more than " + MAX_SIGNATURES + " signatures");
    }
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    boolean verified = false;
    for (int i = 0; i < lines.length; i++) {
      Line line = Line.parse(lines[i]);
      if (line == null) {
        throw malformed("signature line " + (i + 1) + " is not '— <key name> <base64 signature>'");
      }
      if (line.name.equals(name) && line.keyId == keyId) {
        if (!Ed25519.verify(publicKey, message, line.signature)) {
          throw new SignatureException("the signature by key " + name + "+" + KeyText.hex(keyId) + " is not valid");
        }
        verified = true;
      }
    }
    if (!verified) {
      throw new SignatureException("the note is not signed by key " + name + "+" + KeyText.hex(keyId));
    }
    return text;
  }

  /** The verifier key. */
  @Override
  public String toString() {
    return "NoteVerifier[" + verifierKey + "]";
  }

  private static SignatureException malformed(String problem) {
    return new SignatureException("malformed signed note: " + problem);
  }

  /** A signature line: {@code — <key name> <base64(key ID || signature)>}. */
  private record Line(String name, int keyId, byte[] signature) {

    /** The line's parts, or null if it is not a signature line. */
    static Line parse(String line) {
      if (!line.startsWith(NoteFormat.SIGNATURE_PREFIX)) {
        return null;
      }
      int space = line.indexOf(' ', NoteFormat.SIGNATURE_PREFIX.length());
      if (space < 0) {
        return null;
      }
      String name = line.substring(NoteFormat.SIGNATURE_PREFIX.length(), space);
      byte[] keyIdAndSignature;
      try {
        keyIdAndSignature = NoteFormat.decodeBase64(line.substring(space + 1));
      } catch (IllegalArgumentException e) {
        return null;
      }
      // Signatures of any type are at least a key ID and one byte.
      if (!NoteFormat.isKeyName(name) || keyIdAndSignature.length < 5) {
        return null;
      }
      int keyId = ByteBuffer.wrap(keyIdAndSignature).getInt();
      return new Line(name, keyId, Arrays.copyOfRange(keyIdAndSignature, 4, keyIdAndSignature.length));
    }
  }
}
