package io.gantry.server.imports;

import static io.gantry.db.Tables.MODEL_TAG;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;
import static io.gantry.db.Tables.VERSION_TAG;

import io.gantry.server.version.Version;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The statements of an import: rows written with the times, users and version numbers the source recorded, which
 * no other write may set. Every method runs in the context it is given.
 */
public final class ImportRepository {

  /** @return the model's row id */
  public long insertModel(DSLContext tx, String modelId, String description, OffsetDateTime createTime,
      String createdBy) {
    return tx.insertInto(REGISTERED_MODEL)
        .set(REGISTERED_MODEL.NAME, modelId)
        .set(REGISTERED_MODEL.DESCRIPTION, description)
        .set(REGISTERED_MODEL.CREATE_TIME, createTime)
        .set(REGISTERED_MODEL.UPDATE_TIME, createTime)
        .set(REGISTERED_MODEL.CREATED_BY, createdBy)
        .set(REGISTERED_MODEL.UPDATED_BY, createdBy)
        .returning(REGISTERED_MODEL.ID)
        .fetchSingle(REGISTERED_MODEL.ID);
  }

  /** Locks the model's row; null when there is none. */
  public Long lockModel(DSLContext tx, String modelId) {
    return tx.select(REGISTERED_MODEL.ID).from(REGISTERED_MODEL).where(REGISTERED_MODEL.NAME.eq(modelId))
        .forUpdate().fetchOne(REGISTERED_MODEL.ID);
  }

  public Set<String> modelTagKeys(DSLContext tx, long modelRow) {
    return Set.copyOf(tx.select(MODEL_TAG.KEY).from(MODEL_TAG).where(MODEL_TAG.MODEL_ID.eq(modelRow))
        .fetch(MODEL_TAG.KEY));
  }

  public void insertModelTag(DSLContext tx, long modelRow, String key, String value) {
    tx.insertInto(MODEL_TAG).set(MODEL_TAG.MODEL_ID, modelRow).set(MODEL_TAG.KEY, key).set(MODEL_TAG.VALUE, value)
        .execute();
  }

  public Set<Integer> versionNumbers(DSLContext tx, long modelRow) {
    return Set.copyOf(tx.select(MODEL_VERSION.VERSION).from(MODEL_VERSION).where(MODEL_VERSION.MODEL_ID.eq(modelRow))
        .fetch(MODEL_VERSION.VERSION));
  }

  /** Inserts a version under its recorded number, and keeps the model's counter at or above it. */
  public void insertVersion(DSLContext tx, long modelRow, int version, Version.Status status,
      boolean managedArtifacts, String source,
      String runId, String runLink, String description, Map<String, String> tags, OffsetDateTime createTime,
      String createdBy) {
    long id = tx.insertInto(MODEL_VERSION)
        .set(MODEL_VERSION.MODEL_ID, modelRow)
        .set(MODEL_VERSION.VERSION, version)
        .set(MODEL_VERSION.STATUS, status.name())
        .set(MODEL_VERSION.MANAGED_ARTIFACTS, managedArtifacts)
        .set(MODEL_VERSION.SOURCE, source)
        .set(MODEL_VERSION.RUN_ID, runId)
        .set(MODEL_VERSION.RUN_LINK, runLink)
        .set(MODEL_VERSION.DESCRIPTION, description)
        .set(MODEL_VERSION.CREATE_TIME, createTime)
        .set(MODEL_VERSION.UPDATE_TIME, createTime)
        .set(MODEL_VERSION.CREATED_BY, createdBy)
        .set(MODEL_VERSION.UPDATED_BY, createdBy)
        .returning(MODEL_VERSION.ID)
        .fetchSingle(MODEL_VERSION.ID);
    tags.forEach((key, value) -> tx.insertInto(VERSION_TAG).set(VERSION_TAG.VERSION_ID, id)
        .set(VERSION_TAG.KEY, key).set(VERSION_TAG.VALUE, value).execute());
    tx.update(REGISTERED_MODEL)
        .set(REGISTERED_MODEL.LAST_VERSION, DSL.greatest(REGISTERED_MODEL.LAST_VERSION, DSL.val(version)))
        .where(REGISTERED_MODEL.ID.eq(modelRow))
        .execute();
  }
}
