package io.gantry.server.access;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A static API token as listed: everything but its secret, which the server never has. */
public record ApiToken(UUID id, String principal, String description, Optional<Instant> expireTime,
    Instant createTime, String createdBy, Optional<Instant> revokeTime, Optional<String> revokedBy,
    Optional<Instant> lastUseTime) {

  public String name() {
    return "apiTokens/" + id;
  }

  public boolean active(Instant now) {
    return revokeTime.isEmpty() && expireTime.map(now::isBefore).orElse(true);
  }
}
