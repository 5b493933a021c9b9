package io.gantry.server.mlflowrest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.gantry.v1.Alias;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.RegisteredModel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gantry's messages in the JSON of MLflow's model registry (mlflow/protos/model_registry.proto): names without the
 * {@code models/} prefix, versions as strings, times in epoch milliseconds, tags as key/value lists. Gantry has no
 * stages: {@code current_stage} says which of the legacy stage aliases ({@code staging}, {@code production})
 * the version holds, and {@code Archived} for an archived version; {@code aliases} lists only the others, the ones
 * MLflow's users set (MlflowStages).
 */
final class MlflowMessages {

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private MlflowMessages() {}

  static String modelId(String resourceName) {
    return resourceName.startsWith("models/") ? resourceName.substring("models/".length()) : resourceName;
  }

  static ObjectNode registeredModel(RegisteredModel model, List<Alias> aliases, List<ModelVersion> latest) {
    ObjectNode json = JSON.objectNode();
    json.put("name", modelId(model.getName()));
    json.put("creation_timestamp", millis(model.getCreateTime()));
    json.put("last_updated_timestamp", millis(model.getUpdateTime()));
    json.put("user_id", model.getCreatedBy());
    if (!model.getDescription().isEmpty()) {
      json.put("description", model.getDescription());
    }
    if (!latest.isEmpty()) {
      ArrayNode versions = json.putArray("latest_versions");
      latest.forEach(version -> versions.add(modelVersion(version, aliases)));
    }
    tags(json, model.getTagsMap());
    List<Alias> set = aliases.stream().filter(alias -> !MlflowStages.isStageAlias(aliasId(alias.getName()))).toList();
    if (!set.isEmpty()) {
      ArrayNode list = json.putArray("aliases");
      set.forEach(alias -> list.addObject().put("alias", aliasId(alias.getName()))
          .put("version", Long.toString(alias.getVersion())));
    }
    return json;
  }

  /** @param aliases the model's aliases; those pointing at this version are listed with it */
  static ObjectNode modelVersion(ModelVersion version, List<Alias> aliases) {
    ObjectNode json = JSON.objectNode();
    String model = modelId(version.getName().substring(0, version.getName().indexOf("/versions/")));
    json.put("name", model);
    json.put("version", Long.toString(version.getVersion()));
    json.put("creation_timestamp", millis(version.getCreateTime()));
    json.put("last_updated_timestamp", millis(version.getUpdateTime()));
    json.put("user_id", version.getCreatedBy());
    json.put("current_stage", stage(version, aliases));
    if (!version.getDescription().isEmpty()) {
      json.put("description", version.getDescription());
    }
    json.put("source", version.getSource());
    if (!version.getRunId().isEmpty()) {
      json.put("run_id", version.getRunId());
    }
    json.put("status", status(version.getStatus()));
    if (!version.getStatusMessage().isEmpty()) {
      json.put("status_message", version.getStatusMessage());
    }
    tags(json, version.getTagsMap());
    if (!version.getRunLink().isEmpty()) {
      json.put("run_link", version.getRunLink());
    }
    ArrayNode names = JSON.arrayNode();
    aliases.stream().filter(alias -> alias.getVersion() == version.getVersion())
        .map(alias -> aliasId(alias.getName())).filter(alias -> !MlflowStages.isStageAlias(alias))
        .forEach(names::add);
    if (!names.isEmpty()) {
      json.set("aliases", names);
    }
    if (!version.getLoggedModelId().isEmpty()) {
      json.put("model_id", version.getLoggedModelId());
    }
    return json;
  }

  /** The legacy stage a version stands in: Archived, the stage whose alias it holds, else None. */
  static String stage(ModelVersion version, List<Alias> aliases) {
    if (version.getStatus() == ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED) {
      return "Archived";
    }
    for (String stage : List.of("Production", "Staging")) {
      String alias = stage.toLowerCase();
      if (aliases.stream().anyMatch(a -> aliasId(a.getName()).equals(alias) && a.getVersion() == version.getVersion())) {
        return stage;
      }
    }
    return "None";
  }

  /** MLflow's ModelVersionStatus: a version still uploading is PENDING_REGISTRATION. */
  private static String status(ModelVersionStatus status) {
    return switch (status) {
      case MODEL_VERSION_STATUS_PENDING_UPLOAD -> "PENDING_REGISTRATION";
      case MODEL_VERSION_STATUS_FAILED -> "FAILED_REGISTRATION";
      default -> "READY";
    };
  }

  static String aliasId(String aliasName) {
    return aliasName.substring(aliasName.lastIndexOf('/') + 1);
  }

  private static void tags(ObjectNode json, Map<String, String> tags) {
    if (!tags.isEmpty()) {
      ArrayNode list = json.putArray("tags");
      new TreeMap<>(tags).forEach((key, value) -> list.addObject().put("key", key).put("value", value));
    }
  }

  private static long millis(Timestamp time) {
    return Timestamps.toMillis(time);
  }
}
