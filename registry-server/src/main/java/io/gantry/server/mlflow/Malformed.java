package io.gantry.server.mlflow;

/**
 * One thing wrong in an MLflow file, at a 1-based line, or at line 0 when the problem is the file as
 * a whole (a size limit). Parsers throw it for the item they cannot read and carry on with the next.
 */
final class Malformed extends RuntimeException {

  private final int line;

  Malformed(int line, String description) {
    super(description, null, false, false);
    this.line = line;
  }

  int line() {
    return line;
  }
}
