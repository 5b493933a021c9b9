package io.gantry.tlog;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/** Ed25519 through the JDK's provider, with keys as the 32-byte strings of RFC 8032. */
final class Ed25519 {

  static final int KEY_SIZE = 32;

  private static final String ALGORITHM = "Ed25519";
  /** The DER of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), up to the 32 key bytes. */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private Ed25519() {}

  static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw unsupported(e);
    }
  }

  /**
   * The key pair of a 32-byte private key. The JDK has no API that derives the public key, but its
   * generator takes the private key from the random source, so it is given one that returns the seed;
   * the result is checked, so a provider that works differently fails here instead of signing with a
   * key other than the one asked for.
   */
  static KeyPair fromPrivateKey(byte[] privateKey) {
    if (privateKey.length != KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 private key is " + KEY_SIZE + " bytes, got " + privateKey.length);
    }
    KeyPair pair;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.ED25519, new FixedRandom(privateKey));
      pair = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw unsupported(e);
    }
    if (!Arrays.equals(privateKey(pair.getPrivate()), privateKey)) {
      throw new IllegalStateException("the Ed25519 provider did not derive the key pair from the private key");
    }
    return pair;
  }

  /**
   * The 32 bytes of an Ed25519 private key.
   *
   * @throws IllegalArgumentException if {@code key} is not an Ed25519 key or its bytes cannot be read
   */
  static byte[] privateKey(PrivateKey key) {
    if (!(key instanceof EdECPrivateKey edKey) || !ALGORITHM.equalsIgnoreCase(edKey.getParams().getName())) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm());
    }
    return edKey.getBytes()
        .orElseThrow(() -> new IllegalArgumentException("the bytes of the Ed25519 private key cannot be read"));
  }

  /**
   * The 32 bytes of an Ed25519 public key, the end of its X.509 encoding.
   *
   * @throws IllegalArgumentException if {@code key} is not an Ed25519 key
   */
  static byte[] publicKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null || encoded.length != X509_PREFIX.length + KEY_SIZE
        || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
    }
    return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
  }

  /**
   * The public key with the given 32 bytes.
   *
   * @throws IllegalArgumentException if the bytes are not an Ed25519 public key
   */
  static PublicKey publicKey(byte[] key) {
    if (key.length != KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 public key is " + KEY_SIZE + " bytes, got " + key.length);
    }
    byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_SIZE);
    System.arraycopy(key, 0, encoded, X509_PREFIX.length, KEY_SIZE);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(encoded));
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    } catch (NoSuchAlgorithmException e) {
      throw unsupported(e);
    }
  }

  static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(key);
      signature.update(message);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw unsupported(e);
    }
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false; // a signature that is not even well-formed
    } catch (InvalidKeyException | NoSuchAlgorithmException e) {
      throw unsupported(e);
    }
  }

  private static IllegalStateException unsupported(GeneralSecurityException e) {
    return new IllegalStateException("the Java platform's Ed25519 provider failed", e);
  }

  /** A random source that returns one fixed value: how {@link #fromPrivateKey} feeds the generator. */
  private static final class FixedRandom extends SecureRandom {

    private static final long serialVersionUID = 1;

    private final byte[] value;

    FixedRandom(byte[] value) {
      this.value = value.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != value.length) {
        throw new IllegalStateException("asked for " + bytes.length + " bytes, has " + value.length);
      }
      System.arraycopy(value, 0, bytes, 0, bytes.length);
    }
  }
}
