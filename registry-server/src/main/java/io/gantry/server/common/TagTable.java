package io.gantry.server.common;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;

/** A side table of key-value tags owned by one resource row (models and versions each have one). */
public record TagTable<R extends Record>(
    Table<R> table, TableField<R, Long> owner, TableField<R, String> key, TableField<R, String> value) {

  /** Sets or replaces one tag. */
  public void set(DSLContext tx, long ownerId, String tagKey, String tagValue) {
    tx.insertInto(table)
        .set(owner, ownerId)
        .set(key, tagKey)
        .set(value, tagValue)
        .onConflict(owner, key)
        .doUpdate().set(value, tagValue)
        .execute();
  }

  /** @return false when the tag was not set */
  public boolean delete(DSLContext tx, long ownerId, String tagKey) {
    return tx.deleteFrom(table).where(owner.eq(ownerId)).and(key.eq(tagKey)).execute() > 0;
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
