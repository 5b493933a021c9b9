package io.gantry.server.pinning;

/**
 * Why a copy of a version's files did not succeed, in words for the version's status message.
 *
 * @see #passing()
 */
final class PinFailure extends Exception {

  private final boolean passing;

  private PinFailure(String reason, boolean passing, Throwable cause) {
    super(reason, cause);
    this.passing = passing;
  }

  /** A failure another attempt will meet again: a refused source, a missing run, a too large model. */
  static PinFailure lasting(String reason) {
    return new PinFailure(reason, false, null);
  }

  /** A failure that may pass: no answer, a 5xx, the artifact store unavailable. */
  static PinFailure passing(String reason, Throwable cause) {
    return new PinFailure(reason, true, cause);
  }

  /** Whether a later attempt may succeed. */
  boolean passing() {
    return passing;
  }
}
