package io.gantry.policy.builtin;

import java.math.BigDecimal;

/** Number formatting for messages. */
final class Numbers {

  private Numbers() {}

  /** The shortest decimal that reads back as {@code value}: 5.6 rather than 5.6000000000000005 or 5.60. */
  static String format(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return BigDecimal.valueOf(value).toPlainString();
  }

  /**
   * A metric value as a verdict's fact: the number, or its name ({@code "NaN"}, {@code "Infinity"}) when it is not
   * finite, because facts are stored as JSON, which has no such numbers.
   */
  static Object fact(double value) {
    return Double.isFinite(value) ? (Object) value : Double.toString(value);
  }
}
