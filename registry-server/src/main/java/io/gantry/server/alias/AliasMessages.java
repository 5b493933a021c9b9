package io.gantry.server.alias;

import io.gantry.server.api.Rpc;
import io.gantry.server.common.Names;

/** Aliases and their moves as gantry.v1 messages. */
public final class AliasMessages {

  private AliasMessages() {}

  public static io.gantry.v1.Alias toProto(Alias alias) {
    return io.gantry.v1.Alias.newBuilder()
        .setName(alias.name())
        .setVersion(alias.version().orElse(0))
        .setRevision(alias.revision())
        .setUpdateTime(Rpc.timestamp(alias.updateTime()))
        .setUpdatedBy(alias.updatedBy())
        .setPromotion(alias.promotion().map(Names::promotionName).orElse(""))
        .build();
  }

  public static io.gantry.v1.AliasMove toProto(AliasMove move) {
    return io.gantry.v1.AliasMove.newBuilder()
        .setAlias(move.aliasName())
        .setRevision(move.revision())
        .setFromVersion(move.fromVersion().orElse(0))
        .setToVersion(move.toVersion().orElse(0))
        .setMoveTime(Rpc.timestamp(move.moveTime()))
        .setMovedBy(move.movedBy())
        .setPromotion(move.promotion().map(Names::promotionName).orElse(""))
        .build();
  }
}
