package io.gantry.server.common;

import java.util.regex.Pattern;

/** A model name or a glob over model names ({@code *} any run of characters, {@code ?} one), as bindings name them. */
public final class ModelGlob {

  /** What a pattern may hold: model-name characters and the two wildcards. */
  public static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._*?-]{1,256}");
  public static final String SYNTAX_HINT =
      "a model name or glob: model-name characters (letters, digits, '.', '_', '-') and the wildcards * and ?";

  private ModelGlob() {}

  public static Pattern compile(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
