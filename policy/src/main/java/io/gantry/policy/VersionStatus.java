package io.gantry.policy;

/** The lifecycle state of a model version. */
public enum VersionStatus {
  /** Created; its artifacts are still being uploaded. */
  PENDING_UPLOAD,
  /** Every artifact is stored and verified; the version can be promoted. */
  READY,
  /** The upload did not complete. */
  FAILED,
  /** Retired; it can no longer be promoted. */
  ARCHIVED
}
