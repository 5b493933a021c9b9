package io.gantry.server.query;

import io.gantry.server.common.TagTable;
import io.gantry.server.error.GantryException;
import io.gantry.server.query.Filter.Comparison;
import io.gantry.server.query.Filter.Literal;
import io.gantry.server.query.Filter.Operator;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The fields a list call can filter on, and how each comparison becomes a jOOQ condition. Values are
 * always bind values; a field not declared here is refused with the list of known ones.
 */
public final class FilterSchema {

  /** Builds the condition for a field that takes one or more path segments after its prefix. */
  @FunctionalInterface
  public interface PrefixField {
    Condition condition(List<String> rest, Operator operator, Literal value, Comparison comparison);
  }

  private final Map<String, Function<Comparison, Condition>> fields = new LinkedHashMap<>();
  private final Map<String, PrefixField> prefixes = new LinkedHashMap<>();
  private final Map<String, Integer> prefixArity = new LinkedHashMap<>();

  public FilterSchema string(String name, Field<String> field) {
    fields.put(name, c -> compare(field, c.operator(), stringValue(c), c));
    return this;
  }

  public FilterSchema number(String name, Field<? extends Number> field) {
    fields.put(name, c -> compareNumber(field, c));
    return this;
  }

  public FilterSchema timestamp(String name, Field<OffsetDateTime> field) {
    fields.put(name, c -> compare(field, c.operator(), timestampValue(c), c));
    return this;
  }

  /** A field holding one of {@code values}; the filter may write them in any case. */
  public FilterSchema enumeration(String name, Field<String> field, Set<String> values) {
    fields.put(name, c -> {
      if (c.operator() != Operator.EQ && c.operator() != Operator.NE) {
        throw invalid(c, "only = and != apply to " + name);
      }
      String value = c.value().text().toUpperCase(Locale.ROOT);
      if (!values.contains(value)) {
        throw invalid(c, "'" + c.value().text() + "' is not one of " + values);
      }
      return compare(field, c.operator(), value, c);
    });
    return this;
  }

  /** A family of fields such as {@code tags.KEY}: {@code arity} segments follow the prefix. */
  public FilterSchema prefix(String name, int arity, PrefixField field) {
    prefixes.put(name, field);
    prefixArity.put(name, arity);
    return this;
  }

  /**
   * Key-value tags in a side table: {@code tags.KEY op "v"}. {@code !=} also holds for rows without
   * the tag; every other operator needs the tag to be set.
   */
  public FilterSchema tags(String name, TagTable<?> tags, Field<Long> ownerId) {
    return prefix(name, 1, (key, operator, value, comparison) -> {
      String text = stringValue(comparison);
      var tagged = DSL.selectOne().from(tags.table()).where(tags.owner().eq(ownerId)).and(tags.key().eq(key.get(0)));
      if (operator == Operator.NE) {
        return DSL.notExists(tagged.and(tags.value().eq(text)));
      }
      return DSL.exists(tagged.and(compare(tags.value(), operator, text, comparison)));
    });
  }

  public Condition toCondition(Filter filter) {
    if (filter instanceof Filter.And and) {
      return toCondition(and.left()).and(toCondition(and.right()));
    }
    if (filter instanceof Filter.Or or) {
      return toCondition(or.left()).or(toCondition(or.right()));
    }
    if (filter instanceof Filter.Not not) {
      return DSL.not(toCondition(not.operand()));
    }
    if (filter instanceof Filter.In in) {
      return DSL.or(in.comparisons().stream().map(this::comparison).toList());
    }
    return comparison((Comparison) filter);
  }

  private Condition comparison(Comparison c) {
    List<String> path = c.path();
    if (path.size() == 1 && fields.containsKey(path.get(0))) {
      return fields.get(path.get(0)).apply(c);
    }
    PrefixField prefix = prefixes.get(path.get(0));
    if (prefix != null) {
      int arity = prefixArity.get(path.get(0));
      if (path.size() != arity + 1) {
        throw invalid(c, "'" + path.get(0) + "' takes " + arity + " name" + (arity == 1 ? "" : "s")
            + " after it, e.g. " + example(path.get(0), arity));
      }
      return prefix.condition(path.subList(1, path.size()), c.operator(), c.value(), c);
    }
    throw invalid(c, "unknown field '" + c.field() + "'; known fields: " + knownFields());
  }

  private String knownFields() {
    StringBuilder known = new StringBuilder(String.join(", ", fields.keySet()));
    prefixArity.forEach((name, arity) -> known.append(", ").append(example(name, arity)));
    return known.toString();
  }

  private static String example(String prefix, int arity) {
    return arity == 1 ? prefix + ".KEY" : prefix + ".DATASET.KEY";
  }

  /** Compares a column with a value of the same type. LIKE and ILIKE (any case) apply to strings only. */
  public static <T> Condition compare(Field<T> field, Operator operator, T value, Comparison c) {
    return switch (operator) {
      case EQ -> field.eq(value);
      case NE -> field.ne(value);
      case LT -> field.lt(value);
      case LE -> field.le(value);
      case GT -> field.gt(value);
      case GE -> field.ge(value);
      case LIKE -> {
        if (!(value instanceof String pattern)) {
          throw invalid(c, "LIKE applies to text fields only");
        }
        yield field.cast(String.class).like(pattern);
      }
      case ILIKE -> {
        if (!(value instanceof String pattern)) {
          throw invalid(c, "ILIKE applies to text fields only");
        }
        yield field.cast(String.class).likeIgnoreCase(pattern);
      }
    };
  }

  public static String stringValue(Comparison c) {
    if (c.value().kind() == Literal.Kind.NUMBER) {
      throw invalid(c, c.field() + " is text: quote the value, e.g. \"" + c.value().text() + "\"");
    }
    return c.value().text();
  }

  public static double numberValue(Comparison c) {
    if (c.value().kind() != Literal.Kind.NUMBER || c.operator() == Operator.LIKE || c.operator() == Operator.ILIKE) {
      throw invalid(c, c.field() + " is a number: compare it with = != < <= > >= and a number");
    }
    return Double.parseDouble(c.value().text());
  }

  private static Condition compareNumber(Field<? extends Number> field, Comparison c) {
    return compare(field.cast(Double.class), c.operator(), numberValue(c), c);
  }

  private static OffsetDateTime timestampValue(Comparison c) {
    if (c.value().kind() != Literal.Kind.STRING) {
      throw invalid(c, c.field() + " is a time: quote an RFC 3339 timestamp, e.g. \"2026-01-31T12:00:00Z\"");
    }
    try {
      return OffsetDateTime.parse(c.value().text());
    } catch (DateTimeParseException e) {
      throw invalid(c, "'" + c.value().text() + "' is not an RFC 3339 timestamp such as \"2026-01-31T12:00:00Z\"");
    }
  }

  public static GantryException invalid(Comparison c, String problem) {
    return GantryException.invalid("filter", "at column " + c.column() + ": " + problem);
  }
}
