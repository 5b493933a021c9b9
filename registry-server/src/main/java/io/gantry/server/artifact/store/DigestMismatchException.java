package io.gantry.server.artifact.store;

import java.io.IOException;

/** The bytes written do not hash to the digest the uploader announced; nothing was stored. */
public final class DigestMismatchException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String actual;

  public DigestMismatchException(String expected, String actual) {
    super("sha256 mismatch: expected " + expected + ", the bytes hash to " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public String expected() {
    return expected;
  }

  public String actual() {
    return actual;
  }
}
