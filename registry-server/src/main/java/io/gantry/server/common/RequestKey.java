package io.gantry.server.common;

import io.gantry.server.error.GantryException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Identifies a create request for idempotent retries (AIP-155): the method, the client's
 * {@code request_id}, and a fingerprint of the rest of the request, so that reusing an id for a
 * different request is caught rather than answered with an unrelated resource.
 */
public record RequestKey(String method, String requestId, byte[] fingerprint) {

  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Empty when the client sent no request_id. */
  public static Optional<RequestKey> of(String method, String requestId, byte[] fingerprint) {
    if (requestId.isEmpty()) {
      return Optional.empty();
    }
    if (!REQUEST_ID.matcher(requestId).matches()) {
      throw GantryException.invalid("request_id",
          "must be 1 to 128 characters of letters, digits and '.', '_', ':', '-' (a UUID is best)");
    }
    return Optional.of(new RequestKey(method, requestId, fingerprint));
  }
}
