package io.gantry.server.artifact;

import io.gantry.proto.Manifests;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The files of a version, by path, and the digest that identifies all of them together.
 *
 * @param digest {@code sha256:<hex>} of the manifest's canonical text ({@link Manifests#canonical}); empty until the
 *     version is finalized
 */
public record Manifest(String version, List<ArtifactFile> files, Optional<String> digest) {

  public Manifest {
    files = files.stream().sorted(Comparator.comparing(ArtifactFile::path)).toList();
  }

  /** The digest of these files, whether or not the version is finalized yet (see {@link Manifests#canonical}). */
  public String computeDigest() {
    return Manifests.digest(files.stream().map(f -> io.gantry.v1.ArtifactFile.newBuilder().setPath(f.path())
        .setSize(f.size()).setSha256(f.sha256()).build()).toList());
  }

  public long totalSize() {
    return files.stream().mapToLong(ArtifactFile::size).sum();
  }
}
