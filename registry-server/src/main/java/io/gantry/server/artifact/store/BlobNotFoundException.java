package io.gantry.server.artifact.store;

import java.io.IOException;

/** The store has no blob with the digest asked for. */
public final class BlobNotFoundException extends IOException {

  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(String sha256) {
    super("no blob sha256:" + sha256 + " in the store");
  }
}
