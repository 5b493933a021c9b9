package io.gantry.server.query;

import java.util.List;

/** A parsed list filter: comparisons joined by AND, OR and NOT. */
public sealed interface Filter {

  /** {@code path op value}, e.g. {@code metrics.holdout.rmse < 5.6}. */
  record Comparison(List<String> path, Operator operator, Literal value, int column) implements Filter {
    public String field() {
      return String.join(".", path);
    }
  }

  record And(Filter left, Filter right) implements Filter {}

  record Or(Filter left, Filter right) implements Filter {}

  record Not(Filter operand) implements Filter {}

  enum Operator {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), LIKE("LIKE");

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
