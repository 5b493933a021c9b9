package io.gantry.client;

import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * An upload or download of a version's files that failed, naming the file it was at and why: the server's error
 * (unpacked as a {@link GantryClientException}) or a local one (a file that could not be read or written, bytes that
 * did not match their digest).
 */
public final class ArtifactTransferException extends RuntimeException {

  private final String path;

  ArtifactTransferException(String path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The path, in the version, of the file the transfer was at when it failed. */
  public String path() {
    return path;
  }

  /** The server's error, when the call failed; empty when the failure was on this side. */
  public Optional<GantryClientException> serverError() {
    return getCause() instanceof StatusRuntimeException callFailure
        ? Optional.of(GantryClientException.from(callFailure))
        : Optional.empty();
  }

  /** What went wrong in one line: the server's error with its code and reason, else the local cause. */
  static String describe(Throwable cause) {
    if (cause instanceof StatusRuntimeException callFailure) {
      return GantryClientException.from(callFailure).getMessage();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
