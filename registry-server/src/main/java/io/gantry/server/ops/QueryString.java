package io.gantry.server.ops;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A URL query or an HTML form body ({@code application/x-www-form-urlencoded}), as the HTTP port's handlers read it. */
public final class QueryString {

  private QueryString() {}

  /**
   * Every parameter with its values, in the order they came.
   *
   * @param encoded the raw query (without {@code ?}) or form body; null or empty for none
   * @throws IllegalArgumentException naming the parameter that is not URL-encoded
   */
  public static Map<String, List<String>> parse(String encoded) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (encoded == null) {
      return values;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      try {
        String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
        String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a parameter is not URL-encoded: " + pair, e);
      }
    }
    return values;
  }

  /** The first value of {@code name}; empty when it is absent. */
  public static String first(Map<String, List<String>> values, String name) {
    List<String> all = values.get(name);
    return all == null ? "" : all.get(0);
  }
}
