package io.gantry.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs texts as C2SP signed notes with an Ed25519 key, the way a log signs its {@link Checkpoint
 * checkpoints}; {@link NoteVerifier} checks them.
 *
 * <p>A key has a name (for a log, its origin) and a key ID, the first four bytes of
 * {@code SHA-256(name || "\n" || 0x01 || public key)}, which together pick it out among the keys a
 * verifier knows. A signed note is the text, a blank line and one signature line per key:
 *
 * <pre>
 * gantry.example/audit
 * 8
 * XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
 *
 * — gantry.example/audit Hpz0v0ZZ1c3Ns0iYEODO0WyH6LHV+Vzd5k…
 * </pre>
 *
 * <p>The signature line is an em dash (U+2014), a space, the key name, a space and the base64 of the
 * key ID (big-endian) followed by the 64-byte Ed25519 signature of the text, newline included.
 *
 * <p>The private key can be stored as PKCS#8 ({@link #privateKeyPkcs8()}, as {@code openssl genpkey
 * -algorithm ed25519} writes it) or as a signer key ({@link #signerKey()}), the one-line form of
 * golang.org/x/mod/sumdb/note that carries the name as well. Instances are immutable and thread-safe.
 *
 * @see <a href="https://c2sp.org/signed-note">c2sp.org/signed-note</a>
 */
public final class NoteSigner {

  private static final String SIGNER_KEY_PREFIX = "PRIVATE+KEY+";

  private final String name;
  private final PrivateKey privateKey;
  private final byte[] publicKey;
  private final int keyId;

  private NoteSigner(String name, KeyPair keyPair) {
    this.name = name;
    this.privateKey = keyPair.getPrivate();
    this.publicKey = Ed25519.publicKey(keyPair.getPublic());
    this.keyId = NoteFormat.keyId(name, NoteFormat.ED25519, publicKey);
  }

  /**
   * A signer with a new random key.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid key name (non-empty, no spaces,
   *     plus signs or control characters)
   */
  public static NoteSigner generate(String name) {
    return new NoteSigner(requireKeyName(name), Ed25519.generate());
  }

  /**
   * A signer with the given Ed25519 key pair.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid key name, the keys are not Ed25519
   *     keys whose bytes can be read, or the public key is not that of the private key
   */
  public static NoteSigner of(String name, KeyPair keyPair) {
    requireKeyName(name);
    KeyPair derived = Ed25519.fromPrivateKey(Ed25519.privateKey(keyPair.getPrivate()));
    if (!Arrays.equals(Ed25519.publicKey(keyPair.getPublic()), Ed25519.publicKey(derived.getPublic()))) {
      throw new IllegalArgumentException("the public key does not belong to the private key");
    }
    return new NoteSigner(name, derived);
  }

  /**
   * A signer with the Ed25519 private key in {@code pkcs8} (DER); the public key is derived from it.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid key name or {@code pkcs8} is not an
   *     Ed25519 private key
   */
  public static NoteSigner fromPkcs8(String name, byte[] pkcs8) {
    requireKeyName(name);
    PrivateKey key;
    try {
      key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("not a PKCS#8 Ed25519 private key", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the Java platform has no Ed25519", e);
    }
    return new NoteSigner(name, Ed25519.fromPrivateKey(Ed25519.privateKey(key)));
  }

  /**
   * A signer from a signer key {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte private
   * key)>}, as {@link #signerKey()} and Go's {@code note.GenerateKey} write it.
   *
   * @throws IllegalArgumentException naming what is wrong, if {@code signerKey} is not one, or its key ID
   *     does not match its name and key
   */
  public static NoteSigner parse(String signerKey) {
    Objects.requireNonNull(signerKey, "signerKey");
    String usage = "a signer key is PRIVATE+KEY+<name>+<hex key ID>+<base64 key>";
    if (!signerKey.startsWith(SIGNER_KEY_PREFIX)) {
      throw new IllegalArgumentException(usage + "; this one does not start with PRIVATE+KEY+");
    }
    KeyText parts = KeyText.parse(signerKey.substring(SIGNER_KEY_PREFIX.length()), usage);
    NoteSigner signer = new NoteSigner(parts.name(), Ed25519.fromPrivateKey(parts.key()));
    if (signer.keyId != parts.keyId()) {
      throw new IllegalArgumentException("the key ID " + KeyText.hex(parts.keyId())
          + " of the signer key is not that of its name and key, " + KeyText.hex(signer.keyId));
    }
    return signer;
  }

  /** The key name, which appears in signature lines. */
  public String name() {
    return name;
  }

  /**
   * The verifier key {@code <name>+<hex key ID>+<base64(0x01 || 32-byte public key)>} to give to
   * those who check the signatures ({@link NoteVerifier#parse}).
   */
  public String verifierKey() {
    return KeyText.format(name, keyId, publicKey);
  }

  /** The verifier of this signer's signatures. */
  public NoteVerifier verifier() {
    return NoteVerifier.parse(verifierKey());
  }

  /** The raw 32-byte Ed25519 public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The public key as X.509 SubjectPublicKeyInfo DER, the form PEM files and DSSE tools take. */
  public byte[] publicKeyDer() {
    return Ed25519.publicKey(publicKey).getEncoded();
  }

  /** An Ed25519 signature of {@code message} as it is: for envelopes other than signed notes (DSSE). */
  public byte[] signBytes(byte[] message) {
    return Ed25519.sign(privateKey, message);
  }

  /** The private key as PKCS#8 DER. Secret. */
  public byte[] privateKeyPkcs8() {
    return privateKey.getEncoded();
  }

  /** The private key and name as a signer key, the inverse of {@link #parse}. Secret. */
  public String signerKey() {
    return SIGNER_KEY_PREFIX + KeyText.format(name, keyId, Ed25519.privateKey(privateKey));
  }

  /**
   * The signed note of {@code text}: the text, a blank line and this key's signature line.
   *
   * @throws IllegalArgumentException if {@code text} does not end in a newline, or holds control
   *     characters other than newline or unpaired surrogates (no UTF-8 for them)
   */
  public String sign(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("note text must end with a newline");
    }
    if (!NoteFormat.isNoteText(text)) {
      throw new IllegalArgumentException("note text must not hold control characters other than newline");
    }
    byte[] signature = Ed25519.sign(privateKey, text.getBytes(StandardCharsets.UTF_8));
    byte[] keyIdAndSignature = ByteBuffer.allocate(4 + signature.length).putInt(keyId).put(signature).array();
    return text + "\n" + NoteFormat.SIGNATURE_PREFIX + name + " "
        + Base64.getEncoder().encodeToString(keyIdAndSignature) + "\n";
  }

  /** The verifier key; never the private key. */
  @Override
  public String toString() {
    return "NoteSigner[" + verifierKey() + "]";
  }

  private static String requireKeyName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NoteFormat.isKeyName(name)) {
      throw new IllegalArgumentException(
          "a key name must be non-empty, without spaces, plus signs or control characters, got '" + name + "'");
    }
    return name;
  }
}
