package io.gantry.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as the Artifacts API writes it: lower-case hex. */
final class Sha256 {

  private static final int READ_BUFFER_BYTES = 1 << 20;

  private Sha256() {}

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The digest of a file, read once in bounded memory; {@code listener} hears each read. */
  static String of(Path file, TransferListener listener) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[READ_BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        listener.transferred(n);
      }
    }
    return hex(digest);
  }
}
