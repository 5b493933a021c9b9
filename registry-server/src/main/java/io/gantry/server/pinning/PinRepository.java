package io.gantry.server.pinning;

import static io.gantry.db.Tables.ARTIFACT_FILE;
import static io.gantry.db.Tables.MLFLOW_PIN;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/** The copies still to do ({@code mlflow_pin}), each leased to one replica at a time. */
final class PinRepository {

  /** The version a copy is for, as the copy needs it. */
  record PinnedVersion(long id, String modelId, int number, String source, String status) {}

  /** A copy taken: the version, and which attempt this is (1 for the first). */
  record Claim(long versionId, int attempt) {}

  Optional<PinnedVersion> version(DSLContext ctx, long versionId) {
    return ctx.select(REGISTERED_MODEL.NAME, MODEL_VERSION.VERSION, MODEL_VERSION.SOURCE, MODEL_VERSION.STATUS)
        .from(MODEL_VERSION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID))
        .where(MODEL_VERSION.ID.eq(versionId))
        .fetchOptional(r -> new PinnedVersion(versionId, r.value1(), r.value2(), r.value3(), r.value4()));
  }

  void insert(DSLContext tx, long versionId) {
    tx.insertInto(MLFLOW_PIN).set(MLFLOW_PIN.VERSION_ID, versionId).onConflictDoNothing().execute();
  }

  /**
   * Takes the copy whose lease lapsed longest ago, for {@code lease}, as {@code owner}; skips those another replica
   * is taking at this moment.
   */
  Optional<Claim> claim(DSLContext tx, String owner, Duration lease) {
    Optional<Long> next = tx.select(MLFLOW_PIN.VERSION_ID).from(MLFLOW_PIN)
        .where(MLFLOW_PIN.LEASE_UNTIL.le(DSL.currentOffsetDateTime()))
        .orderBy(MLFLOW_PIN.LEASE_UNTIL, MLFLOW_PIN.VERSION_ID)
        .limit(1)
        .forUpdate().skipLocked()
        .fetchOptional(MLFLOW_PIN.VERSION_ID);
    return next.map(id -> tx.update(MLFLOW_PIN)
        .set(MLFLOW_PIN.ATTEMPTS, MLFLOW_PIN.ATTEMPTS.plus(1))
        .set(MLFLOW_PIN.CLAIMED_BY, owner)
        .set(MLFLOW_PIN.LEASE_UNTIL, leaseEnd(lease))
        .where(MLFLOW_PIN.VERSION_ID.eq(id))
        .returning(MLFLOW_PIN.ATTEMPTS)
        .fetchOne(r -> new Claim(id, r.getAttempts())));
  }

  /** Keeps a copy in progress from being taken by another replica for {@code lease} more. */
  void renew(DSLContext ctx, long versionId, String owner, Duration lease) {
    ctx.update(MLFLOW_PIN).set(MLFLOW_PIN.LEASE_UNTIL, leaseEnd(lease))
        .where(MLFLOW_PIN.VERSION_ID.eq(versionId)).and(MLFLOW_PIN.CLAIMED_BY.eq(owner)).execute();
  }

  /** Lets the copy be taken again once {@code delay} has passed. */
  void retryAfter(DSLContext tx, long versionId, Duration delay) {
    tx.update(MLFLOW_PIN).set(MLFLOW_PIN.LEASE_UNTIL, leaseEnd(delay)).set(MLFLOW_PIN.CLAIMED_BY, "")
        .where(MLFLOW_PIN.VERSION_ID.eq(versionId)).execute();
  }

  /** Gives back every copy {@code owner} holds, to be taken at once (by this replica's successor, or another). */
  void release(DSLContext ctx, String owner) {
    ctx.update(MLFLOW_PIN).set(MLFLOW_PIN.LEASE_UNTIL, DSL.currentOffsetDateTime()).set(MLFLOW_PIN.CLAIMED_BY, "")
        .where(MLFLOW_PIN.CLAIMED_BY.eq(owner)).execute();
  }

  void delete(DSLContext tx, long versionId) {
    tx.deleteFrom(MLFLOW_PIN).where(MLFLOW_PIN.VERSION_ID.eq(versionId)).execute();
  }

  /** Forgets the files an interrupted or failed attempt attached to a version still PENDING_UPLOAD. */
  void clearFiles(DSLContext tx, long versionId) {
    tx.deleteFrom(ARTIFACT_FILE).where(ARTIFACT_FILE.VERSION_ID.eq(versionId)).execute();
  }

  /** The database's now plus {@code duration}: every replica measures leases by the same clock. */
  private static Field<OffsetDateTime> leaseEnd(Duration duration) {
    return DSL.field("now() + {0} * interval '1 millisecond'", OffsetDateTime.class, DSL.val(duration.toMillis()));
  }
}
