package io.gantry.server.artifact;

import static io.gantry.db.Tables.ARTIFACT_BLOB;
import static io.gantry.db.Tables.ARTIFACT_FILE;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.server.common.Names;
import io.gantry.server.version.Version;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The files of versions and the blobs the store holds, in PostgreSQL. Every method runs in the context given. */
public final class ArtifactRepository {

  /** A version whose upload timed out, for the janitor. */
  public record StalledVersion(long id, String name) {}

  /** Attaches a file to a version; false when the version already has a file at that path. */
  public boolean insertFile(DSLContext tx, long versionId, ArtifactFile file) {
    return tx.insertInto(ARTIFACT_FILE)
        .set(ARTIFACT_FILE.VERSION_ID, versionId)
        .set(ARTIFACT_FILE.PATH, file.path())
        .set(ARTIFACT_FILE.SIZE, file.size())
        .set(ARTIFACT_FILE.SHA256, file.sha256())
        .onConflictDoNothing()
        .execute() == 1;
  }

  public List<ArtifactFile> files(DSLContext ctx, long versionId) {
    return ctx.selectFrom(ARTIFACT_FILE)
        .where(ARTIFACT_FILE.VERSION_ID.eq(versionId))
        .orderBy(ARTIFACT_FILE.PATH)
        .fetch(r -> new ArtifactFile(r.getPath(), r.getSize(), r.getSha256()));
  }

  public Optional<ArtifactFile> file(DSLContext ctx, long versionId, String path) {
    return ctx.selectFrom(ARTIFACT_FILE)
        .where(ARTIFACT_FILE.VERSION_ID.eq(versionId))
        .and(ARTIFACT_FILE.PATH.eq(path))
        .fetchOptional(r -> new ArtifactFile(r.getPath(), r.getSize(), r.getSha256()));
  }

  /**
   * Records that a blob is in use now. An upload does this before it stores (or finds) the blob, and the janitor
   * deletes a blob only while holding its row and only when it has been unused for the grace period, so a blob
   * an upload is about to reference is never deleted under it.
   */
  public void touchBlob(DSLContext tx, String sha256, long size) {
    upsertBlob(tx, sha256, size);
  }

  /**
   * {@link #touchBlob} ahead of an upload, in a transaction of its own that commits without waiting for the disk:
   * losing it in a crash loses nothing (the upload it served fails with the server), and skipping that wait saves
   * one disk flush per uploaded file.
   */
  public void reserveBlob(DSLContext tx, String sha256, long size) {
    tx.setLocal(DSL.name("synchronous_commit"), DSL.inline("off")).execute();
    upsertBlob(tx, sha256, size);
  }

  private static void upsertBlob(DSLContext tx, String sha256, long size) {
    tx.insertInto(ARTIFACT_BLOB)
        .set(ARTIFACT_BLOB.SHA256, sha256)
        .set(ARTIFACT_BLOB.SIZE, size)
        .onConflict(ARTIFACT_BLOB.SHA256)
        .doUpdate()
        .set(ARTIFACT_BLOB.LAST_USED, DSL.currentOffsetDateTime())
        .execute();
  }

  public void markReady(DSLContext tx, long versionId, String manifestDigest) {
    tx.update(MODEL_VERSION)
        .set(MODEL_VERSION.STATUS, Version.Status.READY.name())
        .set(MODEL_VERSION.MANIFEST_DIGEST, manifestDigest)
        .where(MODEL_VERSION.ID.eq(versionId))
        .execute();
  }

  /** Versions still PENDING_UPLOAD that were created before {@code cutoff}. */
  public List<StalledVersion> stalledUploads(DSLContext ctx, Instant cutoff, int limit) {
    return ctx.select(MODEL_VERSION.ID, REGISTERED_MODEL.NAME, MODEL_VERSION.VERSION)
        .from(MODEL_VERSION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID))
        .where(MODEL_VERSION.STATUS.eq(Version.Status.PENDING_UPLOAD.name()))
        .and(MODEL_VERSION.CREATE_TIME.lt(cutoff.atOffset(ZoneOffset.UTC)))
        .orderBy(MODEL_VERSION.ID)
        .limit(limit)
        .fetch(r -> new StalledVersion(r.value1(), Names.versionName(r.value2(), r.value3())));
  }

  /**
   * Blobs unused since {@code cutoff} that no version still holding its files references; a FAILED version's
   * files do not hold their blobs.
   */
  public List<String> unreferencedBlobs(DSLContext ctx, Instant cutoff, int limit) {
    return ctx.select(ARTIFACT_BLOB.SHA256).from(ARTIFACT_BLOB)
        .where(ARTIFACT_BLOB.LAST_USED.lt(cutoff.atOffset(ZoneOffset.UTC)))
        .andNotExists(referencing(ctx))
        .orderBy(ARTIFACT_BLOB.LAST_USED)
        .limit(limit)
        .fetch(ARTIFACT_BLOB.SHA256);
  }

  /** Locks the blob's row if it is still unused since {@code cutoff} and unreferenced; returns its size. */
  public Optional<Long> lockDeletable(DSLContext tx, String sha256, Instant cutoff) {
    return tx.select(ARTIFACT_BLOB.SIZE).from(ARTIFACT_BLOB)
        .where(ARTIFACT_BLOB.SHA256.eq(sha256))
        .and(ARTIFACT_BLOB.LAST_USED.lt(cutoff.atOffset(ZoneOffset.UTC)))
        .andNotExists(referencing(tx))
        .forUpdate()
        .fetchOptional(ARTIFACT_BLOB.SIZE);
  }

  public void deleteBlob(DSLContext tx, String sha256) {
    tx.deleteFrom(ARTIFACT_BLOB).where(ARTIFACT_BLOB.SHA256.eq(sha256)).execute();
  }

  private static org.jooq.Select<?> referencing(DSLContext ctx) {
    return ctx.selectOne().from(ARTIFACT_FILE).join(MODEL_VERSION).on(MODEL_VERSION.ID.eq(ARTIFACT_FILE.VERSION_ID))
        .where(ARTIFACT_FILE.SHA256.eq(ARTIFACT_BLOB.SHA256))
        .and(MODEL_VERSION.STATUS.ne(Version.Status.FAILED.name()));
  }
}
