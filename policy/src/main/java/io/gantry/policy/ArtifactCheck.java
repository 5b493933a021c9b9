package io.gantry.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry's re-reading of a candidate's stored files, made when the policy set asks for it (the
 * {@code artifact-integrity} policy): each file read back from the artifact store and hashed again.
 *
 * @param manifestDigest the version's manifest digest; empty when the registry holds no files of the version (it
 *     points at its source instead)
 * @param files how many files were read
 * @param bytes how many bytes were read
 * @param problems one line per file that is missing from the store or no longer matches its manifest entry
 */
public record ArtifactCheck(Optional<String> manifestDigest, int files, long bytes, List<String> problems) {

  public ArtifactCheck {
    Objects.requireNonNull(manifestDigest, "manifestDigest");
    problems = List.copyOf(problems);
  }

  /** The check of a version whose files the registry does not hold. */
  public static ArtifactCheck unmanaged() {
    return new ArtifactCheck(Optional.empty(), 0, 0, List.of());
  }
}
