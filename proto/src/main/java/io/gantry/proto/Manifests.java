package io.gantry.proto;

import io.gantry.v1.ArtifactFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** The manifest digest of a version's files, as the server computes it and an offline verifier recomputes it. */
public final class Manifests {

  private Manifests() {}

  /**
   * The text the manifest digest covers: a first line {@code gantry-manifest-v1}, then one line per file in path
   * order (by UTF-16 code unit, Java's {@code String} order), {@code <sha256> <size> <path>}, each ending in a
   * newline. Paths hold no newline (they refuse control characters), so the lines cannot be confused.
   */
  public static String canonical(List<ArtifactFile> files) {
    StringBuilder text = new StringBuilder("gantry-manifest-v1\n");
    files.stream().sorted(Comparator.comparing(ArtifactFile::getPath)).forEach(f -> text.append(f.getSha256())
        .append(' ').append(f.getSize()).append(' ').append(f.getPath()).append('\n'));
    return text.toString();
  }

  /** {@code sha256:<hex>} of {@link #canonical}. */
  public static String digest(List<ArtifactFile> files) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical(files).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the Java platform has no SHA-256", e);
    }
  }
}
