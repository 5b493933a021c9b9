package io.gantry.server.promotion;

import io.gantry.policy.ArtifactCheck;
import io.gantry.server.version.Version;
import java.util.Optional;

/**
 * What an evaluation looks at besides the decisions: the policy set, the candidate and the alias's holder, as read
 * at one moment.
 *
 * @param contentDigest the candidate's content digest: its manifest digest when it has files
 * @param artifactCheck the candidate's files read back and hashed; only when a policy asks for it
 */
record Snapshot(EffectivePolicy effective, Version candidate, Optional<Version> holder, String contentDigest,
    Optional<ArtifactCheck> artifactCheck) {

  /** The policy type whose snapshot needs the candidate's files read back. */
  private static final String ARTIFACT_INTEGRITY = "artifact-integrity";

  boolean needsArtifactCheck() {
    return effective.policies().stream().anyMatch(policy -> policy.type().equals(ARTIFACT_INTEGRITY));
  }

  Snapshot with(ArtifactCheck check) {
    return new Snapshot(effective, candidate, holder, contentDigest, Optional.of(check));
  }
}
