package io.gantry.server.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jooq.Field;

/**
 * A column a list can be ordered by, and how its value is written into a page token. Every order
 * is completed by the row id, so the keyset is unique and pages neither skip nor repeat rows.
 */
public record SortKey<T>(String name, Field<T> field, Function<T, String> encode, Function<String, T> decode) {

  /** The keys by name, in the order given. */
  public static Map<String, SortKey<?>> byName(SortKey<?>... keys) {
    Map<String, SortKey<?>> byName = new LinkedHashMap<>();
    for (SortKey<?> key : keys) {
      byName.put(key.name(), key);
    }
    return byName;
  }

  public static SortKey<String> text(String name, Field<String> field) {
    return new SortKey<>(name, field, Function.identity(), Function.identity());
  }

  public static SortKey<Integer> integer(String name, Field<Integer> field) {
    return new SortKey<>(name, field, String::valueOf, Integer::valueOf);
  }

  public static SortKey<Long> number(String name, Field<Long> field) {
    return new SortKey<>(name, field, String::valueOf, Long::valueOf);
  }

  /** Timestamps travel as epoch microseconds, PostgreSQL's precision. */
  public static SortKey<OffsetDateTime> time(String name, Field<OffsetDateTime> field) {
    return new SortKey<>(name, field,
        t -> String.valueOf(ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant())),
        s -> Instant.EPOCH.plus(Long.parseLong(s), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
  }
}
