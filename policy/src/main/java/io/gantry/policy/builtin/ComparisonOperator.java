package io.gantry.policy.builtin;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiPredicate;

/** The comparison a {@code metric-threshold} applies: {@code value op threshold}. */
enum ComparisonOperator {
  LESS("<", (value, threshold) -> value < threshold),
  LESS_OR_EQUAL("<=", (value, threshold) -> value <= threshold),
  GREATER(">", (value, threshold) -> value > threshold),
  GREATER_OR_EQUAL(">=", (value, threshold) -> value >= threshold),
  EQUAL("==", (value, threshold) -> value.doubleValue() == threshold.doubleValue()),
  NOT_EQUAL("!=", (value, threshold) -> value.doubleValue() != threshold.doubleValue());

  private final String symbol;
  private final BiPredicate<Double, Double> test;

  ComparisonOperator(String symbol, BiPredicate<Double, Double> test) {
    this.symbol = symbol;
    this.test = test;
  }

  static Optional<ComparisonOperator> fromSymbol(String symbol) {
    return Arrays.stream(values()).filter(op -> op.symbol.equals(symbol)).findFirst();
  }

  String symbol() {
    return symbol;
  }

  boolean holds(double value, double threshold) {
    return test.test(value, threshold);
  }
}
