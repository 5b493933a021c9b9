package io.gantry.server.model;

import static io.gantry.db.Tables.MODEL_TAG;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.db.tables.records.ModelTagRecord;
import io.gantry.db.tables.records.RegisteredModelRecord;
import io.gantry.server.common.TagTable;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.SortKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Registered models and their tags in PostgreSQL. Every method runs in the context it is given. */
public final class ModelRepository {

  static final TagTable<ModelTagRecord> TAGS =
      new TagTable<>(MODEL_TAG, MODEL_TAG.MODEL_ID, MODEL_TAG.KEY, MODEL_TAG.VALUE);

  static final FilterSchema FILTER = new FilterSchema()
      .string("name", REGISTERED_MODEL.NAME)
      .string("description", REGISTERED_MODEL.DESCRIPTION)
      .string("created_by", REGISTERED_MODEL.CREATED_BY)
      .number("latest_version", REGISTERED_MODEL.LAST_VERSION)
      .timestamp("create_time", REGISTERED_MODEL.CREATE_TIME)
      .timestamp("update_time", REGISTERED_MODEL.UPDATE_TIME)
      .tags("tags", ModelRepository.TAGS, REGISTERED_MODEL.ID);

  static final Map<String, SortKey<?>> SORT_KEYS = SortKey.byName(
      SortKey.text("name", REGISTERED_MODEL.NAME),
      SortKey.time("create_time", REGISTERED_MODEL.CREATE_TIME),
      SortKey.time("update_time", REGISTERED_MODEL.UPDATE_TIME));

  public Model insert(DSLContext tx, String modelId, String description, Map<String, String> tags, String actor) {
    RegisteredModelRecord row = tx.insertInto(REGISTERED_MODEL)
        .set(REGISTERED_MODEL.NAME, modelId)
        .set(REGISTERED_MODEL.DESCRIPTION, description)
        .set(REGISTERED_MODEL.CREATED_BY, actor)
        .set(REGISTERED_MODEL.UPDATED_BY, actor)
        .returning()
        .fetchOne();
    tags.forEach((key, value) -> tx.insertInto(MODEL_TAG)
        .set(MODEL_TAG.MODEL_ID, row.getId())
        .set(MODEL_TAG.KEY, key)
        .set(MODEL_TAG.VALUE, value)
        .execute());
    return toModel(row, new TreeMap<>(tags));
  }

  public Optional<Model> find(DSLContext ctx, String modelId) {
    return ctx.selectFrom(REGISTERED_MODEL).where(REGISTERED_MODEL.NAME.eq(modelId)).fetchOptional()
        .map(row -> toModel(row, TAGS.load(ctx, List.of(row.getId())).getOrDefault(row.getId(), Map.of())));
  }

  /** Locks the model's row until the transaction ends. */
  public Optional<RegisteredModelRecord> lock(DSLContext tx, String modelId) {
    return tx.selectFrom(REGISTERED_MODEL).where(REGISTERED_MODEL.NAME.eq(modelId)).forUpdate().fetchOptional();
  }

  /** @param readable which models the caller may read, in SQL: rows beyond them are never fetched */
  public ListQuery.Page<Model> list(DSLContext ctx, ListQuery query, Condition readable) {
    var rows = ctx.selectFrom(REGISTERED_MODEL)
        .where(readable).and(query.condition())
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch();
    Map<Long, Map<String, String>> tags = TAGS.load(ctx, rows.getValues(REGISTERED_MODEL.ID));
    return query.page(rows, row -> toModel(row, tags.getOrDefault(row.getId(), Map.of())));
  }

  /** Records a change of the model: who, when, and a new revision (etag). */
  public void touch(DSLContext tx, long id, String actor) {
    tx.update(REGISTERED_MODEL)
        .set(REGISTERED_MODEL.REVISION, REGISTERED_MODEL.REVISION.plus(1))
        .set(REGISTERED_MODEL.UPDATE_TIME, DSL.currentOffsetDateTime())
        .set(REGISTERED_MODEL.UPDATED_BY, actor)
        .where(REGISTERED_MODEL.ID.eq(id))
        .execute();
  }

  public void setDescription(DSLContext tx, long id, String description) {
    tx.update(REGISTERED_MODEL).set(REGISTERED_MODEL.DESCRIPTION, description)
        .where(REGISTERED_MODEL.ID.eq(id)).execute();
  }

  /** Returns the value the tag had. */
  public Optional<String> setTag(DSLContext tx, long id, String key, String value) {
    return TAGS.set(tx, id, key, value);
  }

  /** Returns the value the tag had, or empty when it was not set. */
  public Optional<String> deleteTag(DSLContext tx, long id, String key) {
    return TAGS.delete(tx, id, key);
  }

  public int countVersionsNotIn(DSLContext tx, long id, String status) {
    return tx.fetchCount(MODEL_VERSION, MODEL_VERSION.MODEL_ID.eq(id).and(MODEL_VERSION.STATUS.ne(status)));
  }

  public void delete(DSLContext tx, long id) {
    tx.deleteFrom(REGISTERED_MODEL).where(REGISTERED_MODEL.ID.eq(id)).execute();
  }

  static Model toModel(RegisteredModelRecord row, Map<String, String> tags) {
    return new Model(row.getId(), row.getName(), row.getDescription(), tags, row.getLastVersion(),
        row.getCreateTime(), row.getUpdateTime(), row.getCreatedBy(), row.getUpdatedBy(), row.getRevision());
  }
}
