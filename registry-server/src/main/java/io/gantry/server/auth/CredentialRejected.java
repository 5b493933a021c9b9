package io.gantry.server.auth;

/** A credential that cannot be accepted; the message, for the caller, says why. */
public final class CredentialRejected extends RuntimeException {

  public CredentialRejected(String message) {
    super(message);
  }
}
