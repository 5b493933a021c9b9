package io.gantry.server.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A URL as it may be logged or put in an error message: without the user-info ({@code user:password@}) and without
 * any query parameter whose name holds "password" ({@code password}, {@code sslpassword}). Log files are read by
 * more people than the database's password is meant for.
 */
public final class RedactedUrl {

  private RedactedUrl() {}

  public static String of(String url) {
    if (url == null) {
      return null;
    }
    String redacted = url;
    int authority = redacted.indexOf("//");
    if (authority >= 0) {
      int end = firstOf(redacted, authority + 2, '/', '?', '#');
      int at = redacted.lastIndexOf('@', end - 1);
      if (at >= authority + 2) {
        redacted = redacted.substring(0, authority + 2) + redacted.substring(at + 1);
      }
    }
    int query = redacted.indexOf('?');
    if (query < 0) {
      return redacted;
    }
    String kept = Arrays.stream(redacted.substring(query + 1).split("&"))
        .filter(parameter -> !parameter.split("=", 2)[0].toLowerCase(Locale.ROOT).contains("password"))
        .collect(Collectors.joining("&"));
    return redacted.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept);
  }

  private static int firstOf(String text, int from, char... stops) {
    for (int i = from; i < text.length(); i++) {
      for (char stop : stops) {
        if (text.charAt(i) == stop) {
          return i;
        }
      }
    }
    return text.length();
  }
}
