package io.gantry.server.error;

import java.util.List;

/** A domain error: what went wrong, as an {@link ErrorCode}, and for bad input which fields. */
public class GantryException extends RuntimeException {

  private final ErrorCode code;
  private final List<FieldViolation> violations;

  public GantryException(ErrorCode code, String message) {
    this(code, message, List.of(), null);
  }

  public GantryException(ErrorCode code, String message, List<FieldViolation> violations, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.violations = List.copyOf(violations);
  }

  /** Bad input: one or more fields named with what is wrong with each. */
  public static GantryException invalid(List<FieldViolation> violations) {
    String message = violations.size() == 1
        ? violations.get(0).field() + ": " + violations.get(0).description()
        : violations.size() + " invalid fields, first " + violations.get(0).field() + ": "
            + violations.get(0).description();
    return new GantryException(ErrorCode.INVALID_FIELD, message, violations, null);
  }

  public static GantryException invalid(String field, String description) {
    return invalid(List.of(new FieldViolation(field, description)));
  }

  public ErrorCode code() {
    return code;
  }

  public List<FieldViolation> violations() {
    return violations;
  }
}
