package io.gantry.server.common;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;

/** A side table of key-value tags owned by one resource row (models and versions each have one). */
public record TagTable<R extends Record>(
    Table<R> table, TableField<R, Long> owner, TableField<R, String> key, TableField<R, String> value) {

  /** Sets or replaces one tag; returns the value it replaced. */
  public Optional<String> set(DSLContext tx, long ownerId, String tagKey, String tagValue) {
    Optional<String> before = tx.select(value).from(table).where(owner.eq(ownerId)).and(key.eq(tagKey))
        .fetchOptional(value);
    tx.insertInto(table)
        .set(owner, ownerId)
        .set(key, tagKey)
        .set(value, tagValue)
        .onConflict(owner, key)
        .doUpdate().set(value, tagValue)
        .execute();
    return before;
  }

  /** Removes one tag; returns its value, or empty when it was not set. */
  public Optional<String> delete(DSLContext tx, long ownerId, String tagKey) {
    return tx.deleteFrom(table).where(owner.eq(ownerId)).and(key.eq(tagKey)).returningResult(value)
        .fetchOptional(value);
  }

  /** The tags of each owner, sorted by key; owners without tags are absent. */
  public Map<Long, Map<String, String>> load(DSLContext ctx, Collection<Long> ownerIds) {
    if (ownerIds.isEmpty()) {
      return Map.of();
    }
    return ctx.select(owner, key, value).from(table).where(owner.in(ownerIds)).fetch().stream()
        .collect(Collectors.groupingBy(r -> r.value1(),
            Collectors.toMap(r -> r.value2(), r -> r.value3(), (a, b) -> a, TreeMap::new)));
  }
}
