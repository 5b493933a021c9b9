package io.gantry.server.promotion;

/** Thrown inside a locking transaction, rolling it back, when what an evaluation saw has changed since. */
final class StaleEvaluation extends RuntimeException {
  StaleEvaluation() {
    super("the evaluation's basis changed", null, false, false);
  }
}
