package io.gantry.server.alias;

import io.gantry.server.common.Names;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * An alias as stored: the version it points at (empty once removed, or before its first move) and the
 * revision every move increments, which promotions compare-and-set on.
 */
public record Alias(
    String modelId,
    String alias,
    Optional<Integer> version,
    long revision,
    OffsetDateTime updateTime,
    String updatedBy,
    Optional<UUID> promotion) {

  public String name() {
    return Names.aliasName(modelId, alias);
  }
}
