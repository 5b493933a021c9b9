package io.gantry.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * The request to point an alias at the candidate.
 *
 * @param requester the principal who asked
 * @param alias the alias to move, such as {@code champion}
 * @param justification why the requester wants it, possibly empty
 * @param requestedAt when the request was made
 */
public record PromotionRequest(String requester, String alias, String justification, Instant requestedAt) {

  public PromotionRequest {
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(justification, "justification");
    Objects.requireNonNull(requestedAt, "requestedAt");
  }
}
