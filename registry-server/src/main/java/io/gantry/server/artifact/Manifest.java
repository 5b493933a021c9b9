package io.gantry.server.artifact;

import io.gantry.server.common.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The files of a version, by path, and the digest that identifies all of them together.
 *
 * @param digest {@code sha256:<hex>} of {@link #canonical()}; empty until the version is finalized
 */
public record Manifest(String version, List<ArtifactFile> files, Optional<String> digest) {

  public Manifest {
    files = files.stream().sorted(Comparator.comparing(ArtifactFile::path)).toList();
  }

  /**
   * The text the manifest digest covers: a first line {@code gantry-manifest-v1}, then one line per file in path
   * order (by UTF-16 code unit, Java's {@code String} order), {@code <sha256> <size> <path>}, each ending in a
   * newline. Paths hold no newline (they refuse control characters), so the lines cannot be confused.
   */
  public String canonical() {
    StringBuilder text = new StringBuilder("gantry-manifest-v1\n");
    files.forEach(f -> text.append(f.sha256()).append(' ').append(f.size()).append(' ').append(f.path()).append('\n'));
    return text.toString();
  }

  /** The digest of these files, whether or not the version is finalized yet. */
  public String computeDigest() {
    return "sha256:" + HexFormat.of().formatHex(Digests.sha256(canonical().getBytes(StandardCharsets.UTF_8)));
  }

  public long totalSize() {
    return files.stream().mapToLong(ArtifactFile::size).sum();
  }
}
