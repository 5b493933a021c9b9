package io.gantry.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, strict access to the parameters of one policy binding, for {@link PolicyFactory} implementations.
 *
 * <p>Read every parameter the type knows, then call {@link #rejectUnknown()}: a parameter nobody read is a
 * typo, and it is refused with the list of the parameters that were read. Every problem becomes a
 * {@link PolicyConfigException} naming the policy type and the parameter. Values are what YAML or JSON decode
 * to; nothing is coerced from a string, so {@code value: "5.6"} is an error rather than a guess.
 */
public final class PolicyParams {

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String type;
  private final Map<String, Object> values;
  private final Set<String> read = new LinkedHashSet<>();

  private PolicyParams(String type, Map<String, ?> values) {
    this.type = type;
    this.values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Wraps the parameters of a binding of policy {@code type}. */
  public static PolicyParams of(String type, Map<String, ?> values) {
    return new PolicyParams(type, values);
  }

  /** A required, non-blank string. */
  public String string(String name) {
    return optionalString(name).orElseThrow(() -> missing(name));
  }

  /** An optional string; when present it must not be blank. */
  public Optional<String> optionalString(String name) {
    return get(name).map(value -> {
      if (!(value instanceof String text)) {
        throw wrongType(name, "a string", value);
      }
      if (text.isBlank()) {
        throw invalid(name, "must not be blank");
      }
      return text;
    });
  }

  /** A required number. */
  public double number(String name) {
    return optionalNumber(name).orElseThrow(() -> missing(name));
  }

  /** An optional number. */
  public Optional<Double> optionalNumber(String name) {
    return get(name).map(value -> {
      if (!(value instanceof Number number)) {
        throw wrongType(name, "a number", value);
      }
      double result = number.doubleValue();
      if (!Double.isFinite(result)) {
        throw invalid(name, "must be a finite number, got " + value);
      }
      return result;
    });
  }

  /**
   * An optional whole number that fits an {@code int}. An integral double such as {@code 2.0} counts, because
   * JSON read through protobuf's {@code Struct} has only doubles.
   */
  public Optional<Integer> optionalInteger(String name) {
    return get(name).map(value -> {
      if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
        throw wrongType(name, "a whole number", value);
      }
      double whole = number.doubleValue();
      if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
        throw invalid(name, "is too large: " + value);
      }
      return (int) whole;
    });
  }

  /** An optional list of non-blank strings. */
  public Optional<List<String>> optionalStringList(String name) {
    return get(name).map(value -> {
      if (!(value instanceof List<?> list)) {
        throw wrongType(name, "a list of strings", value);
      }
      List<String> strings = new ArrayList<>(list.size());
      for (Object element : list) {
        if (!(element instanceof String text) || text.isBlank()) {
          throw invalid(name, "must be a list of non-blank strings, but holds " + describe(element));
        }
        strings.add(text);
      }
      return List.copyOf(strings);
    });
  }

  /** An optional map from string to string, in the order it was written. */
  public Optional<Map<String, String>> optionalStringMap(String name) {
    return get(name).map(value -> {
      if (!(value instanceof Map<?, ?> map)) {
        throw wrongType(name, "a map of strings to strings", value);
      }
      Map<String, String> strings = new LinkedHashMap<>();
      map.forEach((key, element) -> {
        if (!(key instanceof String keyText) || !(element instanceof String text)) {
          throw invalid(name, "must map strings to strings, but maps " + describe(key) + " to " + describe(element));
        }
        strings.put(keyText, text);
      });
      return Collections.unmodifiableMap(strings);
    });
  }

  /**
   * An optional non-negative duration, written in ISO-8601 ({@code PT24H}, {@code P2D}) or in the short form
   * {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, {@code 0s}.
   */
  public Optional<Duration> optionalDuration(String name) {
    return optionalString(name).map(text -> {
      Duration duration = parseDuration(name, text.trim());
      if (duration.isNegative()) {
        throw invalid(name, "must not be negative, got '" + text + "'");
      }
      return duration;
    });
  }

  /**
   * Refuses any parameter that none of the getters read.
   *
   * @throws PolicyConfigException naming the first unknown parameter and listing the known ones
   */
  public void rejectUnknown() {
    for (String name : values.keySet()) {
      if (!read.contains(name)) {
        String known = read.isEmpty() ? "it takes no parameters" : "known parameters: " + String.join(", ", read);
        throw new PolicyConfigException(type, name,
            "policy " + type + ": unknown parameter '" + name + "' (" + known + ")");
      }
    }
  }

  /** An error about parameter {@code name}, for checks the getters cannot make: "must be at least 1". */
  public PolicyConfigException invalid(String name, String problem) {
    return new PolicyConfigException(type, name, "policy " + type + ": parameter '" + name + "' " + problem);
  }

  private Optional<Object> get(String name) {
    read.add(name);
    // YAML writes an empty value as null; treat it like an absent parameter rather than a separate case.
    return Optional.ofNullable(values.get(name));
  }

  private PolicyConfigException missing(String name) {
    return invalid(name, "is required");
  }

  private PolicyConfigException wrongType(String name, String expected, Object value) {
    return invalid(name, "must be " + expected + ", got " + describe(value));
  }

  private Duration parseDuration(String name, String text) {
    Matcher shortForm = SHORT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (shortForm.matches()) {
      long amount = Long.parseLong(shortForm.group(1));
      return switch (shortForm.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid(name, "must be a duration such as PT24H or 24h, got '" + text + "'");
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return "string '" + text + "'";
    }
    if (value instanceof Map) {
      return "a map";
    }
    if (value instanceof List) {
      return "a list";
    }
    return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
  }
}
