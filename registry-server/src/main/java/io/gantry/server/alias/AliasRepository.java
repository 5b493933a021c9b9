package io.gantry.server.alias;

import static io.gantry.db.Tables.ALIAS_MOVE;
import static io.gantry.db.Tables.MODEL_ALIAS;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.db.tables.records.AliasMoveRecord;
import io.gantry.db.tables.records.ModelAliasRecord;
import io.gantry.policy.AliasSpan;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.SortKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/** Aliases and their history in PostgreSQL. Every method runs in the context it is given. */
public final class AliasRepository {

  static final Map<String, SortKey<?>> HISTORY_SORT_KEYS = SortKey.byName(SortKey.number("id", ALIAS_MOVE.ID));

  /**
   * Locks the alias's row until the transaction ends, creating it (no version, revision 0) the first time
   * the alias is used, so that every promotion of an alias, the first one included, queues on one row.
   *
   * @return empty when the model does not exist
   */
  public Optional<Alias> lockOrCreate(DSLContext tx, String modelId, String alias, String actor) {
    Optional<Long> model = modelKey(tx, modelId);
    if (model.isEmpty()) {
      return Optional.empty();
    }
    tx.insertInto(MODEL_ALIAS)
        .set(MODEL_ALIAS.MODEL_ID, model.get())
        .set(MODEL_ALIAS.ALIAS, alias)
        .set(MODEL_ALIAS.REVISION, 0L)
        .set(MODEL_ALIAS.UPDATED_BY, actor)
        .onConflictDoNothing()
        .execute();
    ModelAliasRecord row = tx.selectFrom(MODEL_ALIAS)
        .where(MODEL_ALIAS.MODEL_ID.eq(model.get()))
        .and(MODEL_ALIAS.ALIAS.eq(alias))
        .forUpdate()
        .fetchSingle();
    return Optional.of(toAlias(row, modelId));
  }

  /** The alias as it stands; one that was never used reads as revision 0 with no version. */
  public Alias current(DSLContext ctx, String modelId, String alias) {
    return ctx.select(MODEL_ALIAS.fields())
        .from(MODEL_ALIAS).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_ALIAS.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(MODEL_ALIAS.ALIAS.eq(alias))
        .fetchOptional()
        .map(r -> toAlias(r.into(MODEL_ALIAS), modelId))
        .orElseGet(() -> new Alias(modelId, alias, Optional.empty(), 0, OffsetDateTime.now(ZoneOffset.UTC), "",
            Optional.empty()));
  }

  /**
   * Moves a locked alias to {@code version} (empty removes it) and appends the move to its history.
   *
   * @param promotion the promotion that moves it; null for an import, which records a move made elsewhere
   *
   * @return the move, carrying the alias's new revision
   */
  public AliasMove move(DSLContext tx, Alias locked, Optional<Integer> version, String actor, UUID promotion) {
    long model = modelKey(tx, locked.modelId()).orElseThrow();
    long revision = locked.revision() + 1;
    int updated = tx.update(MODEL_ALIAS)
        .set(MODEL_ALIAS.VERSION, version.orElse(null))
        .set(MODEL_ALIAS.REVISION, revision)
        .set(MODEL_ALIAS.UPDATE_TIME, DSL.currentOffsetDateTime())
        .set(MODEL_ALIAS.UPDATED_BY, actor)
        .set(MODEL_ALIAS.PROMOTION_ID, promotion)
        .where(MODEL_ALIAS.MODEL_ID.eq(model))
        .and(MODEL_ALIAS.ALIAS.eq(locked.alias()))
        .and(MODEL_ALIAS.REVISION.eq(locked.revision()))
        .execute();
    if (updated != 1) {
      throw new IllegalStateException("alias " + locked.name() + " is not at revision " + locked.revision()
          + " although its row is locked");
    }
    AliasMoveRecord row = tx.insertInto(ALIAS_MOVE)
        .set(ALIAS_MOVE.MODEL_ID, model)
        .set(ALIAS_MOVE.ALIAS, locked.alias())
        .set(ALIAS_MOVE.REVISION, revision)
        .set(ALIAS_MOVE.FROM_VERSION, locked.version().orElse(null))
        .set(ALIAS_MOVE.TO_VERSION, version.orElse(null))
        .set(ALIAS_MOVE.MOVED_BY, actor)
        .set(ALIAS_MOVE.PROMOTION_ID, promotion)
        .returning()
        .fetchSingle();
    return toMove(row, locked.modelId());
  }

  /** The aliases of a model that point at a version, by alias. */
  public List<Alias> list(DSLContext ctx, String modelId) {
    return ctx.select(MODEL_ALIAS.fields())
        .from(MODEL_ALIAS).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_ALIAS.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(MODEL_ALIAS.VERSION.isNotNull())
        .orderBy(MODEL_ALIAS.ALIAS)
        .fetch(r -> toAlias(r.into(MODEL_ALIAS), modelId));
  }

  /** Every alias of the model that ever moved, pointing at a version or not, by alias. */
  public List<Alias> moved(DSLContext ctx, String modelId) {
    return ctx.select(MODEL_ALIAS.fields())
        .from(MODEL_ALIAS).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_ALIAS.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(MODEL_ALIAS.REVISION.gt(0L))
        .orderBy(MODEL_ALIAS.ALIAS)
        .fetch(r -> toAlias(r.into(MODEL_ALIAS), modelId));
  }

  /** The moves of the alias after revision {@code after} up to {@code upTo}, oldest first. */
  public List<AliasMove> movesBetween(DSLContext ctx, String modelId, String alias, long after, long upTo) {
    return ctx.select(ALIAS_MOVE.fields())
        .from(ALIAS_MOVE).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(ALIAS_MOVE.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(ALIAS_MOVE.ALIAS.eq(alias))
        .and(ALIAS_MOVE.REVISION.gt(after)).and(ALIAS_MOVE.REVISION.le(upTo))
        .orderBy(ALIAS_MOVE.REVISION)
        .fetch(r -> toMove(r, modelId));
  }

  /** The aliases other than {@code except} that point at the version. */
  public List<String> aliasesOf(DSLContext ctx, String modelId, int version, String except) {
    return ctx.select(MODEL_ALIAS.ALIAS)
        .from(MODEL_ALIAS).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_ALIAS.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(MODEL_ALIAS.VERSION.eq(version))
        .and(MODEL_ALIAS.ALIAS.ne(except))
        .orderBy(MODEL_ALIAS.ALIAS)
        .fetch(MODEL_ALIAS.ALIAS);
  }

  /** Moves of one alias, or of every alias of the model when {@code alias} is empty. */
  public ListQuery.Page<AliasMove> history(DSLContext ctx, String modelId, Optional<String> alias, ListQuery query) {
    Condition ofAlias = alias.map(ALIAS_MOVE.ALIAS::eq).orElse(DSL.noCondition());
    var rows = ctx.select(ALIAS_MOVE.fields())
        .from(ALIAS_MOVE).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(ALIAS_MOVE.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId)).and(ofAlias).and(query.condition())
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch();
    return query.page(rows, row -> toMove(row.into(ALIAS_MOVE), modelId));
  }

  /** The latest move of the alias, if it ever moved. */
  public Optional<AliasMove> lastMove(DSLContext ctx, String modelId, String alias) {
    return latestMove(ctx, modelId, alias, DSL.noCondition());
  }

  /** The latest move of the alias at or before {@code instant}. */
  public Optional<AliasMove> lastMoveAt(DSLContext ctx, String modelId, String alias, Instant instant) {
    return latestMove(ctx, modelId, alias, ALIAS_MOVE.MOVE_TIME.le(instant.atOffset(ZoneOffset.UTC)));
  }

  /** Every stretch of time any alias of the model pointed at one version, oldest first. */
  public List<AliasSpan> spans(DSLContext ctx, String modelId) {
    var moves = ctx.select(ALIAS_MOVE.ALIAS, ALIAS_MOVE.TO_VERSION, ALIAS_MOVE.MOVE_TIME)
        .from(ALIAS_MOVE).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(ALIAS_MOVE.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .orderBy(ALIAS_MOVE.ID)
        .fetch();
    List<AliasSpan> spans = new ArrayList<>();
    // the span each alias is in, by alias: index into spans
    Map<String, Integer> open = new HashMap<>();
    for (var move : moves) {
      Instant time = move.value3().toInstant();
      Integer previous = open.remove(move.value1());
      if (previous != null) {
        AliasSpan span = spans.get(previous);
        spans.set(previous, new AliasSpan(span.alias(), span.version(), span.from(), Optional.of(time)));
      }
      if (move.value2() != null) {
        open.put(move.value1(), spans.size());
        spans.add(new AliasSpan(move.value1(), move.value2(), time, Optional.empty()));
      }
    }
    return spans;
  }

  private static Optional<AliasMove> latestMove(DSLContext ctx, String modelId, String alias, Condition condition) {
    return ctx.select(ALIAS_MOVE.fields())
        .from(ALIAS_MOVE).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(ALIAS_MOVE.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(ALIAS_MOVE.ALIAS.eq(alias))
        .and(condition)
        .orderBy(ALIAS_MOVE.REVISION.desc())
        .limit(1)
        .fetchOptional(r -> toMove(r.into(ALIAS_MOVE), modelId));
  }

  private static Optional<Long> modelKey(DSLContext ctx, String modelId) {
    return ctx.select(REGISTERED_MODEL.ID).from(REGISTERED_MODEL).where(REGISTERED_MODEL.NAME.eq(modelId))
        .fetchOptional(REGISTERED_MODEL.ID);
  }

  private static Alias toAlias(ModelAliasRecord row, String modelId) {
    return new Alias(modelId, row.getAlias(), Optional.ofNullable(row.getVersion()), row.getRevision(),
        row.getUpdateTime(), row.getUpdatedBy(), Optional.ofNullable(row.getPromotionId()));
  }

  private static AliasMove toMove(Record row, String modelId) {
    AliasMoveRecord move = row.into(ALIAS_MOVE);
    return new AliasMove(move.getId(), modelId, move.getAlias(), move.getRevision(),
        Optional.ofNullable(move.getFromVersion()), Optional.ofNullable(move.getToVersion()), move.getMoveTime(),
        move.getMovedBy(), Optional.ofNullable(move.getPromotionId()));
  }
}
