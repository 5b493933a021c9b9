package io.gantry.server.query;

import java.util.List;

/** A parsed list filter: comparisons and IN lists joined by AND, OR and NOT. */
public sealed interface Filter {

  /** {@code path op value}, e.g. {@code metrics.holdout.rmse < 5.6}. */
  record Comparison(List<String> path, Operator operator, Literal value, int column) implements Filter {
    public String field() {
      return String.join(".", path);
    }
  }

  /** {@code path IN (v1, v2, ...)}: true when any {@code path = v} is; at least one value. */
  record In(List<String> path, List<Literal> values, int column) implements Filter {
    /** One {@code =} comparison per value, which the field's schema then checks as it checks any other. */
    public List<Comparison> comparisons() {
      return values.stream().map(v -> new Comparison(path, Operator.EQ, v, column)).toList();
    }
  }

  record And(Filter left, Filter right) implements Filter {}

  record Or(Filter left, Filter right) implements Filter {}

  record Not(Filter operand) implements Filter {}

  enum Operator {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), LIKE("LIKE"), ILIKE("ILIKE");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** A value as written: a quoted string, a number, or a bare word such as {@code READY}. */
  record Literal(Kind kind, String text) {
    public enum Kind { STRING, NUMBER, WORD }
  }
}
