package io.gantry.server.error;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * Failures nobody expected. What went wrong (exception text, class names, SQL) stays in the server log, under a
 * random id; the caller gets only the id, to quote to whoever reads that log. An exception's text may name tables,
 * paths or values the caller has no business seeing.
 */
public final class Incidents {

  private Incidents() {}

  /** Logs the failure at ERROR with a new id, and returns the answer to give the caller in its place. */
  public static String record(Logger log, String what, Throwable failure) {
    String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    log.error("{} failed (error id {})", what, id, failure);
    return "internal error (id " + id + "): see the server log";
  }
}
