package io.gantry.server.artifact;

import io.gantry.server.artifact.store.ArtifactStore;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Transactions;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after uploads that never finished: versions PENDING_UPLOAD for longer than the upload timeout become
 * FAILED, and blobs that no live version references are deleted once unused for the grace period. A blob a READY
 * (or PENDING_UPLOAD, or ARCHIVED) version references is never deleted. Every step is audited.
 */
public final class ArtifactJanitor {

  /** Who cleans up, in the audit log. */
  static final String ACTOR = "system:janitor";
  private static final Logger log = LoggerFactory.getLogger(ArtifactJanitor.class);
  private static final int BATCH = 100;

  private final DSLContext dsl;
  private final Transactions transactions;
  private final ArtifactRepository artifacts;
  private final VersionRepository versions;
  private final ArtifactStore store;
  private final Clock clock;
  private final Duration uploadTimeout;
  private final Duration blobGrace;

  public ArtifactJanitor(DSLContext dsl, Transactions transactions, ArtifactRepository artifacts,
      VersionRepository versions, ArtifactStore store, Clock clock, Duration uploadTimeout, Duration blobGrace) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.artifacts = artifacts;
    this.versions = versions;
    this.store = store;
    this.clock = clock;
    this.uploadTimeout = uploadTimeout;
    this.blobGrace = blobGrace;
  }

  /** What one run did. */
  public record Report(int failedVersions, int deletedBlobs) {}

  public Report run() {
    int failed = failStalledUploads();
    int deleted = deleteUnreferencedBlobs();
    if (failed + deleted > 0) {
      log.info("Janitor: {} stalled upload(s) failed, {} unreferenced blob(s) deleted", failed, deleted);
    }
    return new Report(failed, deleted);
  }

  private int failStalledUploads() {
    Instant cutoff = clock.instant().minus(uploadTimeout);
    int failed = 0;
    List<ArtifactRepository.StalledVersion> stalled;
    do {
      stalled = artifacts.stalledUploads(dsl, cutoff, BATCH);
      for (ArtifactRepository.StalledVersion version : stalled) {
        failed += transactions.write(ACTOR, tx -> {
          boolean stillPending = versions.lockById(tx.dsl(), version.id())
              .filter(row -> Version.Status.PENDING_UPLOAD.name().equals(row.getStatus())).isPresent();
          if (!stillPending) {
            tx.unchanged();
            return 0;
          }
          String reason = "the upload did not finish within " + uploadTimeout;
          versions.setStatus(tx.dsl(), version.id(), Version.Status.FAILED);
          versions.setStatusMessage(tx.dsl(), version.id(), reason);
          versions.touch(tx.dsl(), version.id(), ACTOR);
          tx.record(Action.VERSION_FAILED, version.name(), Payload.of(
              "before", Payload.of("status", "PENDING_UPLOAD"), "after", Payload.of("status", "FAILED"),
              "reason", reason));
          return 1;
        });
      }
    } while (stalled.size() == BATCH);
    return failed;
  }

  private int deleteUnreferencedBlobs() {
    Instant cutoff = clock.instant().minus(blobGrace);
    int deleted = 0;
    List<String> candidates;
    do {
      candidates = artifacts.unreferencedBlobs(dsl, cutoff, BATCH);
      for (String sha256 : candidates) {
        deleted += transactions.write(ACTOR, tx -> {
          var size = artifacts.lockDeletable(tx.dsl(), sha256, cutoff);
          if (size.isEmpty()) {
            tx.unchanged();
            return 0;
          }
          // deleted while the row is locked: an upload of the same content waits on the row, then stores anew
          try {
            store.delete(sha256);
          } catch (IOException e) {
            throw ArtifactService.storeFailure(e);
          }
          artifacts.deleteBlob(tx.dsl(), sha256);
          tx.record(Action.BLOB_DELETED, "blobs/sha256/" + sha256, Payload.of("size", size.get(),
              "reason", "no version references it and it was unused for " + blobGrace));
          return 1;
        });
      }
    } while (candidates.size() == BATCH);
    return deleted;
  }
}
