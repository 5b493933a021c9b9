package io.gantry.server.model;

import io.gantry.server.api.Rpc;
import io.gantry.v1.RegisteredModel;

/** Registered models as gantry.v1 messages. */
public final class ModelMessages {

  private ModelMessages() {}

  public static RegisteredModel toProto(Model model) {
    return RegisteredModel.newBuilder()
        .setName(model.name())
        .setDescription(model.description())
        .putAllTags(model.tags())
        .setLatestVersion(model.latestVersion())
        .setCreateTime(Rpc.timestamp(model.createTime()))
        .setUpdateTime(Rpc.timestamp(model.updateTime()))
        .setCreatedBy(model.createdBy())
        .setUpdatedBy(model.updatedBy())
        .setEtag(model.etag())
        .build();
  }
}
