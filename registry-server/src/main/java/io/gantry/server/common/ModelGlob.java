package io.gantry.server.common;

import com.google.re2j.Pattern;
import org.jooq.Condition;
import org.jooq.Field;

/**
 * A model name or a glob over model names ({@code *} any run of characters, {@code ?} one), as bindings name them.
 * Globs are written by binders and matched against names written by others, so they compile to RE2, linear in the
 * name whatever the glob ({@code *a*a*a*...} would backtrack polynomially in {@code java.util.regex}).
 */
public final class ModelGlob {

  /** What a pattern may hold: model-name characters and the two wildcards. */
  public static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._*?-]{1,256}");
  public static final String SYNTAX_HINT =
      "a model name or glob: model-name characters (letters, digits, '.', '_', '-') and the wildcards * and ?";
  private static final char LIKE_ESCAPE = '\\';

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

  /**
   * The SQL form of {@link #compile}: whether the model name in {@code name} matches {@code pattern}. The pattern
   * becomes a LIKE pattern bound as a value, its own {@code _} and {@code %} (and the escape) escaped, so only the
   * two wildcards match more than themselves.
   */
  public static Condition matches(Field<String> name, String pattern) {
    if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
      return name.eq(pattern);
    }
    StringBuilder like = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> like.append('%');
        case '?' -> like.append('_');
        case '%', '_', LIKE_ESCAPE -> like.append(LIKE_ESCAPE).append(c);
        default -> like.append(c);
      }
    }
    return name.like(like.toString(), LIKE_ESCAPE);
  }
}
