package io.gantry.server.model;

import io.gantry.server.common.Names;
import java.time.OffsetDateTime;
import java.util.Map;

/** A registered model as the registry stores it. */
public record Model(
    long id,
    String modelId,
    String description,
    Map<String, String> tags,
    int latestVersion,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    String createdBy,
    String updatedBy,
    long revision) {

  public String name() {
    return Names.modelName(modelId);
  }

  /** The etag (AIP-154) clients send back to update only the state they read. */
  public String etag() {
    return String.valueOf(revision);
  }
}
