package io.gantry.server.alias;

import io.gantry.server.common.Names;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * One move of an alias, from its history.
 *
 * @param promotion the promotion that moved it; empty for a move brought in by an import
 */
public record AliasMove(
    long id,
    String modelId,
    String alias,
    long revision,
    Optional<Integer> fromVersion,
    Optional<Integer> toVersion,
    OffsetDateTime moveTime,
    String movedBy,
    Optional<UUID> promotion) {

  public String aliasName() {
    return Names.aliasName(modelId, alias);
  }
}
