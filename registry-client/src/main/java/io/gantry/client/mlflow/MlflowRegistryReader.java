package io.gantry.client.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.Timestamps;
import io.gantry.v1.ImportedModel;
import io.gantry.v1.ImportedVersion;
import io.gantry.v1.ModelVersionStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an MLflow model registry into Gantry's import messages: live, through MLflow's REST API (every page of
 * {@code registered-models/search} and, per model, {@code model-versions/search}), or from a file holding those
 * pages' JSON or an export of mlflow-export-import ({@code {"mlflow": {"registered_model": ...}}}). Legacy stages
 * become aliases (Production → {@code production}, Staging → {@code staging}); an archived version stays archived.
 */
public final class MlflowRegistryReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGE = 100;

  private MlflowRegistryReader() {}

  /** A source that could not be read; the message says what and where. */
  public static final class SourceException extends RuntimeException {
    SourceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every model of the MLflow server {@code http} talks to, with its versions. */
  public static List<ImportedModel> fromServer(MlflowHttp http) {
    String base = http.server().orElseThrow().toString();
    List<ImportedModel> models = new ArrayList<>();
    for (JsonNode model : pages(http, base + "/api/2.0/mlflow/registered-models/search?max_results=" + PAGE,
        "registered_models")) {
      String name = model.path("name").asText();
      String filter = URLEncoder.encode("name='" + name.replace("'", "\\'") + "'", StandardCharsets.UTF_8);
      List<JsonNode> versions = pages(http, base + "/api/2.0/mlflow/model-versions/search?max_results=" + PAGE
          + "&filter=" + filter, "model_versions");
      models.add(model(model, versions));
    }
    return models;
  }

  /** Every model in an export file: search pages ({@code registered_models}, {@code model_versions}) or an export. */
  public static List<ImportedModel> fromFile(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new SourceException(file + " cannot be read as JSON: " + e.getMessage(), e);
    }
    List<ImportedModel> models = new ArrayList<>();
    if (root.path("mlflow").has("registered_model")) {
      JsonNode model = root.path("mlflow").path("registered_model");
      JsonNode versions = model.has("versions") ? model.get("versions") : model.path("latest_versions");
      List<JsonNode> list = new ArrayList<>();
      versions.forEach(list::add);
      models.add(model(model, list));
    } else if (root.has("registered_models")) {
      for (JsonNode model : root.get("registered_models")) {
        List<JsonNode> versions = new ArrayList<>();
        root.path("model_versions").forEach(v -> {
          if (v.path("name").asText().equals(model.path("name").asText())) {
            versions.add(v);
          }
        });
        if (versions.isEmpty()) {
          model.path("latest_versions").forEach(versions::add);
        }
        models.add(model(model, versions));
      }
    } else {
      throw new SourceException(file + " holds neither registered_models (MLflow search pages) nor "
          + "mlflow.registered_model (an mlflow-export-import export)", null);
    }
    return models;
  }

  private static List<JsonNode> pages(MlflowHttp http, String url, String field) {
    List<JsonNode> items = new ArrayList<>();
    String pageToken = "";
    do {
      String pageUrl = url + (pageToken.isEmpty() ? "" : "&page_token="
          + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
      JsonNode page;
      try (InputStream body = http.get(URI.create(pageUrl), Duration.ofSeconds(60))) {
        page = JSON.readTree(body.readAllBytes());
      } catch (JsonProcessingException e) {
        throw new SourceException("GET " + pageUrl + " answered no JSON: " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new SourceException(e.getMessage(), e);
      }
      page.path(field).forEach(items::add);
      pageToken = page.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    return items;
  }

  private static ImportedModel model(JsonNode model, List<JsonNode> versions) {
    ImportedModel.Builder imported = ImportedModel.newBuilder()
        .setModelId(model.path("name").asText())
        .setDescription(model.path("description").asText(""))
        .putAllTags(tags(model.path("tags")))
        .setCreatedBy(model.path("user_id").asText(""));
    if (model.has("creation_timestamp")) {
      imported.setCreateTime(Timestamps.fromMillis(model.get("creation_timestamp").asLong()));
    }
    Map<String, Long> aliases = new LinkedHashMap<>();
    for (JsonNode version : versions) {
      String stage = version.path("current_stage").asText("None");
      if (stage.equals("Production") || stage.equals("Staging")) {
        aliases.putIfAbsent(stage.toLowerCase(), version.path("version").asLong());
      }
      imported.addVersions(version(version, stage));
    }
    // explicit aliases win over the stages they may repeat
    model.path("aliases").forEach(alias -> aliases.put(alias.path("alias").asText(), alias.path("version").asLong()));
    return imported.putAllAliases(aliases).build();
  }

  private static ImportedVersion version(JsonNode version, String stage) {
    ImportedVersion.Builder imported = ImportedVersion.newBuilder()
        .setVersion(version.path("version").asLong())
        .setSource(version.path("source").asText(""))
        .setRunId(version.path("run_id").asText(""))
        .setRunLink(version.path("run_link").asText(""))
        .setDescription(version.path("description").asText(""))
        .putAllTags(tags(version.path("tags")))
        .setCreatedBy(version.path("user_id").asText(""))
        .setStatus(stage.equals("Archived") ? ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED
            : version.path("status").asText("READY").equals("READY") ? ModelVersionStatus.MODEL_VERSION_STATUS_READY
            : ModelVersionStatus.MODEL_VERSION_STATUS_FAILED);
    if (version.has("creation_timestamp")) {
      imported.setCreateTime(Timestamps.fromMillis(version.get("creation_timestamp").asLong()));
    }
    return imported.build();
  }

  /** MLflow writes tags as {@code [{"key", "value"}]} in its API and as a map in exports. */
  private static Map<String, String> tags(JsonNode tags) {
    Map<String, String> map = new LinkedHashMap<>();
    if (tags.isArray()) {
      tags.forEach(tag -> map.put(tag.path("key").asText(), tag.path("value").asText("")));
    } else if (tags.isObject()) {
      tags.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText("")));
    }
    return map;
  }
}
