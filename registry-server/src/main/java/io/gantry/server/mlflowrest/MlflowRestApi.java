package io.gantry.server.mlflowrest;

import io.gantry.server.cache.ResolveCache;
import io.gantry.server.error.Incidents;
import io.gantry.server.ops.HttpCall;
import io.gantry.server.ops.HttpRoute;
import io.gantry.server.ops.QueryString;
import io.gantry.server.pinning.SourcePinning;
import static io.gantry.server.mlflowrest.MlflowMessages.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import io.gantry.v1.Alias;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListAliasesResponse;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.Promotion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.gantry.server.mlflowrest.MlflowHttp.Calls;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's Model Registry REST API 2.0 ({@code /api/2.0/mlflow/...} and the {@code /ajax-api/} twins), so that
 * MLflow's own clients work against Gantry unchanged. Every request becomes calls to Gantry's gRPC services
 * in-process, carrying the HTTP caller's credentials: the same identity, roles, validation and audit as gRPC, and
 * no rule of its own. Setting an alias is a promotion, gated like any other. docs/mlflow.md lists every endpoint.
 */
public final class MlflowRestApi implements HttpRoute {

  public static final List<String> PREFIXES = List.of("/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/");
  private static final Logger log = LoggerFactory.getLogger(MlflowRestApi.class);
  private static final ObjectMapper MAPPER = MlflowHttp.MAPPER;
  private static final int MAX_BODY = 1 << 20;

  @FunctionalInterface
  private interface Endpoint {
    JsonNode handle(Params params, Calls calls);
  }

  private final Channel channel;
  private final boolean headerIdentity;
  private final SourcePinning pinning;
  private final ResolveCache cache;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

  /**
   * @param channel an in-process channel to this server's gRPC services
   * @param headerIdentity the loopback default: an MLflow client's basic-auth user name
   *     ({@code MLFLOW_TRACKING_USERNAME}) names the caller, as {@code x-gantry-user} does on gRPC
   * @param pinning which new versions' files are copied in from MLflow's tracking server
   */
  /** @param cache the resolve cache the in-process services answer from, for {@link #aliasesAfterRead} */
  public MlflowRestApi(Channel channel, boolean headerIdentity, SourcePinning pinning, ResolveCache cache) {
    this.channel = channel;
    this.headerIdentity = headerIdentity;
    this.pinning = pinning;
    this.cache = cache;
    endpoints.put("POST registered-models/create", this::createModel);
    endpoints.put("GET registered-models/get", (p, c) -> wrap("registered_model", registeredModel(c, p.required("name"))));
    endpoints.put("POST registered-models/rename", this::renameModel);
    endpoints.put("PATCH registered-models/update", this::updateModel);
    endpoints.put("DELETE registered-models/delete", this::deleteModel);
    endpoints.put("GET registered-models/search", this::searchModels);
    endpoints.put("POST registered-models/set-tag", this::setModelTag);
    endpoints.put("DELETE registered-models/delete-tag", this::deleteModelTag);
    endpoints.put("POST registered-models/alias", this::setAlias);
    endpoints.put("DELETE registered-models/alias", this::deleteAlias);
    endpoints.put("GET registered-models/alias", this::getByAlias);
    endpoints.put("POST registered-models/get-latest-versions", this::latestVersions);
    endpoints.put("GET registered-models/get-latest-versions", this::latestVersions);
    endpoints.put("POST model-versions/create", this::createVersion);
    endpoints.put("GET model-versions/get", (p, c) -> wrap("model_version", modelVersion(c, p.required("name"),
        p.version())));
    endpoints.put("PATCH model-versions/update", this::updateVersion);
    endpoints.put("DELETE model-versions/delete", this::deleteVersion);
    endpoints.put("GET model-versions/search", this::searchVersions);
    endpoints.put("POST model-versions/set-tag", this::setVersionTag);
    endpoints.put("DELETE model-versions/delete-tag", this::deleteVersionTag);
    endpoints.put("POST model-versions/transition-stage", this::transitionStage);
    endpoints.put("GET model-versions/get-download-uri", this::downloadUri);
  }

  /** Every endpoint, as {@code METHOD path}: what docs/mlflow.md lists as supported or partial. */
  public List<String> endpoints() {
    return List.copyOf(endpoints.keySet());
  }

  @Override
  public void handle(HttpCall call) throws IOException {
    String path = call.path();
    String prefix = PREFIXES.stream().filter(path::startsWith).findFirst().orElse("");
    String key = call.method() + " " + path.substring(prefix.length());
    Endpoint endpoint = endpoints.get(key);
    JsonNode body;
    int status = 200;
    try {
      if (endpoint == null) {
        throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "No API endpoint " + key + " (docs/mlflow.md lists them)");
      }
      body = endpoint.handle(Params.of(call), new Calls(channel, MlflowHttp.credentials(call, headerIdentity)));
    } catch (StatusRuntimeException e) {
      MlflowError error = MlflowError.of(e);
      status = error.httpStatus;
      body = MlflowHttp.error(error);
    } catch (MlflowError e) {
      status = e.httpStatus;
      body = MlflowHttp.error(e);
    } catch (RuntimeException e) {
      status = 500;
      body = MlflowHttp.error(new MlflowError(500, "INTERNAL_ERROR",
          Incidents.record(log, "MLflow REST " + key, e)));
    }
    MlflowHttp.respond(call, status, body);
  }

  // registered models

  private JsonNode createModel(Params p, Calls c) {
    String name = p.required("name");
    RegisteredModel.Builder model = RegisteredModel.newBuilder().setDescription(p.optional("description"))
        .putAllTags(p.tags());
    c.registry().createModel(CreateModelRequest.newBuilder().setModelId(name).setModel(model).build());
    return wrap("registered_model", registeredModel(c, name));
  }

  private JsonNode renameModel(Params p, Calls c) {
    throw new MlflowError(400, "INVALID_PARAMETER_VALUE", "Gantry does not rename models: a model's name is in "
        + "every version's name, alias and audit event; register under the new name instead");
  }

  private JsonNode updateModel(Params p, Calls c) {
    String name = p.required("name");
    c.registry().updateModel(UpdateModelRequest.newBuilder()
        .setModel(RegisteredModel.newBuilder().setName(modelName(name)).setDescription(p.optional("description")))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
    return wrap("registered_model", registeredModel(c, name));
  }

  private JsonNode deleteModel(Params p, Calls c) {
    c.registry().deleteModel(DeleteModelRequest.newBuilder().setName(modelName(p.required("name"))).build());
    return JSON.objectNode();
  }

  private JsonNode searchModels(Params p, Calls c) {
    MlflowSearch.Page<RegisteredModel> page = MlflowSearch.models(c, searchRequest(p));
    ObjectNode json = JSON.objectNode();
    ArrayNode models = json.putArray("registered_models");
    page.items().forEach(model -> models.add(registeredModel(c, model)));
    if (!page.nextPageToken().isEmpty()) {
      json.put("next_page_token", page.nextPageToken());
    }
    return json;
  }

  private JsonNode setModelTag(Params p, Calls c) {
    c.registry().setModelTag(SetModelTagRequest.newBuilder().setName(modelName(p.required("name")))
        .setKey(p.required("key")).setValue(p.optional("value")).build());
    return JSON.objectNode();
  }

  /** A tag already gone is deleted: MLflow answers 200 (sqlalchemy_store.py, {@code delete_registered_model_tag}). */
  private JsonNode deleteModelTag(Params p, Calls c) {
    MlflowAbsent.isDone("TAG_NOT_FOUND", () -> c.registry().deleteModelTag(DeleteModelTagRequest.newBuilder()
        .setName(modelName(p.required("name"))).setKey(p.required("key")).build()));
    return JSON.objectNode();
  }

  /** Setting an alias is a promotion: every policy bound to the alias decides, and approvers may have to sign. */
  private JsonNode setAlias(Params p, Calls c) {
    Promotion promotion = c.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel(modelName(p.required("name"))).setAlias(p.required("alias")).setVersion(p.version())
        .setJustification("set through MLflow's REST API").build());
    MlflowStages.refuseUnlessApplied(promotion, "the alias did not move: ");
    return JSON.objectNode();
  }

  /**
   * A removal promotion. An alias the model does not have is deleted already: MLflow answers 200
   * (sqlalchemy_store.py, {@code delete_registered_model_alias}); a missing model stays 404.
   */
  private JsonNode deleteAlias(Params p, Calls c) {
    String name = p.required("name");
    String alias = p.required("alias");
    if (aliases(c, name).stream().noneMatch(a -> MlflowMessages.aliasId(a.getName()).equals(alias))) {
      return JSON.objectNode();
    }
    MlflowAbsent.isDone("ALIAS_NOT_FOUND", () -> MlflowStages.refuseUnlessApplied(c.promotions().requestPromotion(
        RequestPromotionRequest.newBuilder().setModel(modelName(name)).setAlias(alias).setRemoveAlias(true)
            .setJustification("deleted through MLflow's REST API").build()), "the alias did not move: "));
    return JSON.objectNode();
  }

  /**
   * A missing alias (or model) is MLflow's INVALID_PARAMETER_VALUE, as sqlalchemy_store.py's
   * {@code get_model_version_by_alias} raises it.
   */
  private JsonNode getByAlias(Params p, Calls c) {
    String name = p.required("name");
    String alias = p.required("alias");
    ModelVersion version = MlflowAbsent.orElseThrow(List.of("ALIAS_NOT_FOUND", "MODEL_NOT_FOUND"),
        () -> c.registry().resolveAlias(ResolveAliasRequest.newBuilder()
            .setName("models/" + name + "/aliases/" + alias).build()),
        () -> MlflowError.invalid("Registered model alias " + alias + " not found."));
    return wrap("model_version", MlflowMessages.modelVersion(version, aliasesAfterRead(c, name)));
  }

  /** The latest version per legacy stage: an alias of the stage's name, Archived and None as versions are. */
  private JsonNode latestVersions(Params p, Calls c) {
    String name = p.required("name");
    List<String> stages = p.strings("stages");
    stages.forEach(MlflowStages::canonical);
    List<Alias> aliases = aliases(c, name);
    List<ModelVersion> versions = allVersions(c, name);
    ArrayNode out = JSON.arrayNode();
    for (String stage : MlflowStages.STAGES) {
      if (!stages.isEmpty() && stages.stream().noneMatch(stage::equalsIgnoreCase)) {
        continue;
      }
      versions.stream()
          .filter(v -> MlflowMessages.stage(v, aliases).equals(stage))
          .findFirst()
          .ifPresent(v -> out.add(MlflowMessages.modelVersion(v, aliases)));
    }
    ObjectNode json = JSON.objectNode();
    json.set("model_versions", out);
    return json;
  }

  // model versions

  private JsonNode createVersion(Params p, Calls c) {
    String name = p.required("name");
    ModelVersion.Builder version = ModelVersion.newBuilder().setSource(p.optional("source"))
        .setRunId(p.optional("run_id")).setRunLink(p.optional("run_link")).setLoggedModelId(p.optional("model_id"))
        .setDescription(p.optional("description")).putAllTags(p.tags());
    // a source on MLflow's tracking server is copied in: PENDING_REGISTRATION until its files are pinned
    boolean pinned = pinning.pins(version.getSource());
    ModelVersion created = c.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent(modelName(name)).setModelVersion(version).setManagedArtifacts(pinned).build());
    if (pinned) {
      pinning.pin(created.getName(), created.getSource());
    }
    return wrap("model_version", MlflowMessages.modelVersion(created, List.of()));
  }

  private JsonNode updateVersion(Params p, Calls c) {
    String name = p.required("name");
    c.registry().updateModelVersion(UpdateModelVersionRequest.newBuilder()
        .setModelVersion(ModelVersion.newBuilder().setName(versionName(name, p.version()))
            .setDescription(p.optional("description")))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
    return wrap("model_version", modelVersion(c, name, p.version()));
  }

  /** Gantry keeps every version for the audit trail: deleting one archives it. */
  private JsonNode deleteVersion(Params p, Calls c) {
    c.registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
        .setName(versionName(p.required("name"), p.version())).build());
    return JSON.objectNode();
  }

  private JsonNode searchVersions(Params p, Calls c) {
    MlflowSearch.Page<ModelVersion> page = MlflowSearch.versions(c, searchRequest(p));
    Map<String, List<Alias>> aliasesByModel = new HashMap<>();
    ObjectNode json = JSON.objectNode();
    ArrayNode versions = json.putArray("model_versions");
    for (ModelVersion version : page.items()) {
      String model = MlflowMessages.modelId(version.getName().substring(0, version.getName().indexOf("/versions/")));
      versions.add(MlflowMessages.modelVersion(version, aliasesByModel.computeIfAbsent(model, m -> aliases(c, m))));
    }
    if (!page.nextPageToken().isEmpty()) {
      json.put("next_page_token", page.nextPageToken());
    }
    return json;
  }

  private JsonNode setVersionTag(Params p, Calls c) {
    c.registry().setVersionTag(SetVersionTagRequest.newBuilder().setName(versionName(p.required("name"), p.version()))
        .setKey(p.required("key")).setValue(p.optional("value")).build());
    return JSON.objectNode();
  }

  /** A tag already gone is deleted: MLflow answers 200 (sqlalchemy_store.py, {@code delete_model_version_tag}). */
  private JsonNode deleteVersionTag(Params p, Calls c) {
    MlflowAbsent.isDone("TAG_NOT_FOUND", () -> c.registry().deleteVersionTag(DeleteVersionTagRequest.newBuilder()
        .setName(versionName(p.required("name"), p.version())).setKey(p.required("key")).build()));
    return JSON.objectNode();
  }

  /** MLflow's stages on aliases (MlflowStages): a version stands in at most one. */
  private JsonNode transitionStage(Params p, Calls c) {
    String name = p.required("name");
    long version = p.version();
    new MlflowStages(c, name).transition(version, p.required("stage"), p.bool("archive_existing_versions"));
    return wrap("model_version", modelVersion(c, name, version));
  }

  /** Files Gantry stores come through its artifact proxy; otherwise the version's source, as MLflow keeps it. */
  private JsonNode downloadUri(Params p, Calls c) {
    String name = p.required("name");
    ModelVersion version = c.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(versionName(name, p.version())).build());
    return JSON.objectNode().put("artifact_uri", version.getManagedArtifacts()
        ? MlflowArtifactsApi.uri(p.host(), name, version.getVersion()) : version.getSource());
  }

  // shared reads

  private ObjectNode registeredModel(Calls c, String name) {
    return registeredModel(c, c.registry().getModel(GetModelRequest.newBuilder().setName(modelName(name)).build()));
  }

  private ObjectNode registeredModel(Calls c, RegisteredModel model) {
    String name = MlflowMessages.modelId(model.getName());
    List<Alias> aliases = aliases(c, name);
    List<ModelVersion> latest = new ArrayList<>();
    if (model.getLatestVersion() > 0) {
      latest.add(c.registry().getModelVersion(GetModelVersionRequest.newBuilder()
          .setName(versionName(name, model.getLatestVersion())).build()));
    }
    return MlflowMessages.registeredModel(model, aliases, latest);
  }

  private ObjectNode modelVersion(Calls c, String name, long version) {
    return MlflowMessages.modelVersion(c.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(versionName(name, version)).build()), aliasesAfterRead(c, name));
  }

  private static List<Alias> aliases(Calls c, String model) {
    return c.registry().listAliases(ListAliasesRequest.newBuilder().setParent(modelName(model)).build())
        .getAliasesList();
  }

  /**
   * The model's aliases, right after this caller read one of its versions in-process (ResolveAlias or
   * GetModelVersion, which passed the same checks as any call). ListAliases needs the same right, READ on the model,
   * so the cache's fresh answer to it is what the call would return, without a second in-process call; anything
   * else (a miss, a model known to have changed) goes through the call.
   */
  private List<Alias> aliasesAfterRead(Calls c, String model) {
    byte[] fresh = cache.fresh(ResolveCache.Kind.ALIAS_LIST, modelName(model));
    if (fresh == null) {
      return aliases(c, model);
    }
    try {
      return ListAliasesResponse.parseFrom(fresh).getAliasesList();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the cached alias list of " + model + " does not parse", e);
    }
  }

  /** Every version of a model, newest first. */
  private static List<ModelVersion> allVersions(Calls c, String model) {
    List<ModelVersion> versions = new ArrayList<>();
    String token = "";
    do {
      ListModelVersionsResponse page = c.registry().listModelVersions(ListModelVersionsRequest.newBuilder()
          .setParent(modelName(model)).setPageSize(1000).setPageToken(token).setOrderBy("version desc").build());
      versions.addAll(page.getModelVersionsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return versions;
  }

  private static MlflowSearch.Request searchRequest(Params p) {
    return new MlflowSearch.Request(p.optional("filter"), p.strings("order_by"), p.optional("max_results"),
        p.optional("page_token"));
  }

  private static JsonNode wrap(String field, JsonNode value) {
    ObjectNode json = JSON.objectNode();
    json.set(field, value);
    return json;
  }

  private static String modelName(String name) {
    return "models/" + name;
  }

  private static String versionName(String name, long version) {
    return "models/" + name + "/versions/" + version;
  }

  /** The request's parameters: the query string's, then the JSON body's. */
  private static final class Params {
    private final ObjectNode values;
    private final String host;

    private Params(ObjectNode values, String host) {
      this.values = values;
      this.host = host;
    }

    /** The host and port the caller reached, for URIs it should come back to. */
    String host() {
      return host;
    }

    static Params of(HttpCall call) {
      ObjectNode values = JSON.objectNode();
      QueryString.parse(call.rawQuery()).forEach((key, all) -> {
        if (all.size() == 1) {
          values.put(key, all.get(0));
        } else {
          // a repeated parameter (order_by=a&order_by=b) is a list
          ArrayNode list = values.putArray(key);
          all.forEach(list::add);
        }
      });
      byte[] body;
      try (InputStream in = call.body()) {
        body = in.readNBytes(MAX_BODY + 1);
      } catch (IOException e) {
        throw MlflowError.invalid("the request body could not be read: " + e.getMessage());
      }
      if (body.length > MAX_BODY) {
        throw MlflowError.invalid("the request body is larger than " + MAX_BODY + " bytes");
      }
      if (body.length > 0) {
        JsonNode json;
        try {
          json = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
          throw new MlflowError(400, "MALFORMED_REQUEST", "the request body is not JSON: "
              + e.getOriginalMessage());
        } catch (IOException e) {
          throw MlflowError.invalid("the request body could not be read: " + e.getMessage());
        }
        if (json != null && !json.isNull()) {
          if (!json.isObject()) {
            throw new MlflowError(400, "MALFORMED_REQUEST", "the request body must be a JSON object");
          }
          values.setAll((ObjectNode) json);
        }
      }
      String host = call.header("Host");
      return new Params(values, host == null ? call.localAddress().getHostString() + ":"
          + call.localAddress().getPort() : host);
    }

    String required(String key) {
      String value = optional(key);
      if (value.isEmpty()) {
        throw MlflowError.invalid("Missing value for required parameter '" + key + "'. See the API docs for more "
            + "information about request parameters.");
      }
      return value;
    }

    String optional(String key) {
      JsonNode value = values.get(key);
      if (value == null || value.isNull()) {
        return "";
      }
      if (!value.isValueNode()) {
        throw MlflowError.invalid("Invalid value " + value + " for parameter '" + key + "': expected a string");
      }
      return value.asText();
    }

    boolean bool(String key) {
      String value = optional(key);
      if (value.isEmpty() || value.equalsIgnoreCase("false")) {
        return false;
      }
      if (value.equalsIgnoreCase("true")) {
        return true;
      }
      throw MlflowError.invalid("Invalid value '" + value + "' for parameter '" + key + "': expected true or false");
    }

    /** The model version, a whole number given as a string or a number. */
    long version() {
      String value = required("version");
      try {
        long version = Long.parseLong(value);
        if (version > 0) {
          return version;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw MlflowError.invalid("Parameter 'version' must be an integer, got '" + value + "'.");
    }

    List<String> strings(String key) {
      JsonNode value = values.get(key);
      List<String> strings = new ArrayList<>();
      if (value == null || value.isNull()) {
        return strings;
      }
      if (value.isArray()) {
        value.forEach(item -> strings.add(item.asText()));
      } else {
        strings.add(value.asText());
      }
      return strings;
    }

    /** MLflow's {@code tags: [{"key": ..., "value": ...}]}. */
    Map<String, String> tags() {
      JsonNode tags = values.get("tags");
      Map<String, String> map = new LinkedHashMap<>();
      if (tags == null || tags.isNull()) {
        return map;
      }
      if (!tags.isArray()) {
        throw MlflowError.invalid("Parameter 'tags' must be a list of {\"key\": ..., \"value\": ...}");
      }
      for (JsonNode tag : tags) {
        if (!tag.isObject() || !tag.hasNonNull("key")) {
          throw MlflowError.invalid("Each tag must be an object with a 'key' and a 'value', got " + tag);
        }
        map.put(tag.get("key").asText(), tag.hasNonNull("value") ? tag.get("value").asText() : "");
      }
      return map;
    }
  }
}
