package io.gantry.server.error;

/**
 * One invalid field of a request. {@code field} is a path in the request message
 * ({@code model_version.files.requirements_txt}); for text files the description starts with the
 * 1-based line ({@code line 3: ...}).
 */
public record FieldViolation(String field, String description) {

  public static FieldViolation atLine(String field, int line, String description) {
    return new FieldViolation(field, "line " + line + ": " + description);
  }
}
