package io.gantry.server.common;

import java.util.Optional;
import org.jooq.exception.DataAccessException;
import org.postgresql.util.PSQLException;

/** Reading PostgreSQL's answers out of jOOQ's exceptions. */
public final class Sql {

  private static final String UNIQUE_VIOLATION = "23505";

  private Sql() {}

  /** The name of the unique constraint the statement violated, if that is why it failed. */
  public static Optional<String> violatedUniqueConstraint(DataAccessException e) {
    PSQLException cause = e.getCause(PSQLException.class);
    if (cause == null || !UNIQUE_VIOLATION.equals(cause.getSQLState()) || cause.getServerErrorMessage() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(cause.getServerErrorMessage().getConstraint());
  }
}
