package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The requests MLflow 2.12's Python client sends for the usual registry workflow, in its order, byte for byte as
 * far as they matter: method, path, the query string {@code requests} builds from a GET's fields (lists as repeated
 * keys), the JSON body {@code json.dumps} writes for the others, and the headers {@code mlflow/utils/rest_utils.py}
 * ({@code http_request}, {@code call_endpoint}) and {@code requests} set. The answers are read as the client reads
 * them ({@code verify_rest_response}: 200 and a JSON object, else a RestException from {@code error_code}; then
 * {@code ModelVersion.from_proto}), field by field.
 *
 * <p>Sources read: mlflow/store/model_registry/rest_store.py (the request message of each call),
 * mlflow/tracking/_model_registry/client.py ({@code create_model_version} polls {@code get_model_version} while the
 * version is PENDING_REGISTRATION), mlflow/tracking/_model_registry/fluent.py ({@code register_model}: create the
 * model, tolerating RESOURCE_ALREADY_EXISTS, then the version with the run's artifact URI as its source),
 * mlflow/store/artifact/models_artifact_repo.py and mlflow/store/artifact/utils/models.py
 * ({@code get_model_name_and_version}: {@code models:/} URIs by alias, by stage through
 * {@code get_latest_versions}, by number, each ending in {@code get-download-uri}).
 */
class MlflowClientReplayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RUN = "5f3c1a6e0b8d4c27a9e1f2d3c4b5a697";

  /** One answer as the client sees it: the parsed body of a 200, or the RestException's code and message. */
  record Reply(int status, JsonNode body) {
    JsonNode ok() {
      assertThat(status).as(body.toString()).isEqualTo(200);
      assertThat(body.isObject()).as("verify_rest_response wants a JSON object").isTrue();
      return body;
    }

    String errorCode() {
      assertThat(status).isNotEqualTo(200);
      return body.get("error_code").asText();
    }
  }

  @Test
  void theUsualWorkflow_asMlflow212sClientSendsIt() throws Exception {
    String name = TestRegistry.uniqueModel("replay");
    String source = "mlflow-artifacts:/0/" + RUN + "/artifacts/model";

    // log_model(..., registered_model_name=name) -> register_model: the model, then the version
    JsonNode model = call("POST", "registered-models/create", fields("name", name)).ok().get("registered_model");
    assertThat(model.get("name").asText()).isEqualTo(name);
    assertThat(model.get("creation_timestamp").isIntegralNumber()).isTrue();
    assertThat(model.get("user_id").asText()).isEqualTo("alice");
    // a second log_model to the same name: register_model goes on past RESOURCE_ALREADY_EXISTS
    assertThat(call("POST", "registered-models/create", fields("name", name)).errorCode())
        .isEqualTo("RESOURCE_ALREADY_EXISTS");
    JsonNode v1 = call("POST", "model-versions/create", fields("name", name, "source", source, "run_id", RUN)).ok()
        .get("model_version");
    assertModelVersion(v1, name, "1", "None", List.of());
    assertThat(v1.get("source").asText()).isEqualTo(source);
    assertThat(v1.get("run_id").asText()).isEqualTo(RUN);
    // create_model_version's wait: get_model_version until the status is no longer PENDING_REGISTRATION
    JsonNode polled = call("GET", "model-versions/get", fields("name", name, "version", "1")).ok()
        .get("model_version");
    assertThat(polled.get("status").asText()).isEqualTo("READY");
    call("POST", "model-versions/create", fields("name", name, "source", source.replace("model", "model2"),
        "run_id", RUN)).ok();

    // set_registered_model_alias / get_model_version_by_alias / delete_registered_model_alias
    assertThat(call("POST", "registered-models/alias", fields("name", name, "alias", "champion", "version", "1"))
        .ok()).isEmpty();
    JsonNode byAlias = call("GET", "registered-models/alias", fields("name", name, "alias", "champion")).ok()
        .get("model_version");
    assertModelVersion(byAlias, name, "1", "None", List.of("champion"));

    // transition_model_version_stage: 1 to Staging, then Production; 2 to Staging, then Production archiving 1
    JsonNode staged = transition(name, "1", "Staging", false);
    assertModelVersion(staged, name, "1", "Staging", List.of("champion"));
    JsonNode produced = transition(name, "1", "Production", false);
    assertModelVersion(produced, name, "1", "Production", List.of("champion"));
    assertModelVersion(transition(name, "2", "Staging", false), name, "2", "Staging", List.of());
    assertModelVersion(transition(name, "2", "Production", true), name, "2", "Production", List.of());
    JsonNode archived = call("GET", "model-versions/get", fields("name", name, "version", "1")).ok()
        .get("model_version");
    assertModelVersion(archived, name, "1", "Archived", List.of("champion"));

    // get_latest_versions(name, stages=["Production"]): the POST endpoint, the first MLflow lists
    JsonNode latest = call("POST", "registered-models/get-latest-versions",
        fields("name", name, "stages", List.of("Production"))).ok().get("model_versions");
    assertThat(latest).hasSize(1);
    assertModelVersion(latest.get(0), name, "2", "Production", List.of());

    // load_model("models:/name@champion"), ("models:/name/Production"), ("models:/name/2")
    String version = call("GET", "registered-models/alias", fields("name", name, "alias", "champion")).ok()
        .get("model_version").get("version").asText();
    assertThat(downloadUri(name, version)).isEqualTo(source);
    JsonNode inProduction = call("POST", "registered-models/get-latest-versions",
        fields("name", name, "stages", List.of("Production"))).ok().get("model_versions");
    assertThat(downloadUri(name, inProduction.get(0).get("version").asText()))
        .isEqualTo(source.replace("model", "model2"));
    assertThat(downloadUri(name, "2")).isEqualTo(source.replace("model", "model2"));

    // set_registered_model_tag, set_model_version_tag, delete_*_tag, each twice deleted: MLflow answers 200 again
    call("POST", "registered-models/set-tag", fields("name", name, "key", "team", "value", "risk")).ok();
    call("POST", "model-versions/set-tag", fields("name", name, "version", "2", "key", "validated", "value", "true"))
        .ok();
    JsonNode tagged = call("GET", "model-versions/get", fields("name", name, "version", "2")).ok()
        .get("model_version");
    assertThat(tagged.get("tags").toString()).isEqualTo("[{\"key\":\"validated\",\"value\":\"true\"}]");
    for (int i = 0; i < 2; i++) {
      assertThat(call("DELETE", "registered-models/delete-tag", fields("name", name, "key", "team")).ok()).isEmpty();
      assertThat(call("DELETE", "model-versions/delete-tag", fields("name", name, "version", "2", "key",
          "validated")).ok()).isEmpty();
      assertThat(call("DELETE", "registered-models/alias", fields("name", name, "alias", "champion")).ok())
          .isEmpty();
    }
    assertThat(call("GET", "registered-models/alias", fields("name", name, "alias", "champion")).errorCode())
        .isEqualTo("INVALID_PARAMETER_VALUE");

    // a gated alias: the client raises the RestException the server's error_code names
    TestRegistry.promotions("admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder().setBinding(
        PolicyBinding.newBuilder().setModelPattern(name).setAlias("champion").addPolicies(PolicySpec.newBuilder()
            .setType("approvals").setParams(Structs.toStruct(Map.of("count", 1))))).build());
    Reply gated = call("POST", "registered-models/alias", fields("name", name, "alias", "champion", "version", "2"));
    assertThat(gated.status()).isEqualTo(400);
    assertThat(gated.errorCode()).isEqualTo("INVALID_STATE");
    assertThat(gated.body().get("message").asText()).contains("awaits approval");
  }

  /** What ModelVersion.from_proto reads, with the types MLflow's JSON gives them. */
  private static void assertModelVersion(JsonNode v, String name, String version, String stage, List<String> aliases) {
    assertThat(v.get("name").asText()).isEqualTo(name);
    assertThat(v.get("version").isTextual()).isTrue();
    assertThat(v.get("version").asText()).isEqualTo(version);
    assertThat(v.get("creation_timestamp").isIntegralNumber()).isTrue();
    assertThat(v.get("last_updated_timestamp").asLong()).isGreaterThanOrEqualTo(v.get("creation_timestamp").asLong());
    assertThat(v.get("user_id").asText()).isEqualTo("alice");
    assertThat(v.get("current_stage").asText()).isEqualTo(stage);
    assertThat(v.get("status").asText()).isEqualTo("READY");
    List<String> names = new ArrayList<>();
    v.path("aliases").forEach(alias -> names.add(alias.asText()));
    assertThat(names).isEqualTo(aliases);
  }

  private static JsonNode transition(String name, String version, String stage, boolean archive) throws Exception {
    return call("POST", "model-versions/transition-stage", fields("name", name, "version", version, "stage", stage,
        "archive_existing_versions", archive)).ok().get("model_version");
  }

  private static String downloadUri(String name, String version) throws Exception {
    return call("GET", "model-versions/get-download-uri", fields("name", name, "version", version)).ok()
        .get("artifact_uri").asText();
  }

  /** The request message's fields in their proto order, as message_to_json keeps them. */
  private static Map<String, Object> fields(Object... pairs) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      fields.put((String) pairs[i], pairs[i + 1]);
    }
    return fields;
  }

  /**
   * One call_endpoint: a GET's fields go in the query string ({@code requests}' {@code params}), the others' in a
   * JSON body ({@code requests}' {@code json}, which sets the Content-Type); the headers are
   * DefaultRequestHeaderProvider's User-Agent, {@code requests}' defaults and the basic credentials of
   * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD.
   */
  private static Reply call(String method, String endpoint, Map<String, Object> fields) throws Exception {
    String path = "/api/2.0/mlflow/" + endpoint;
    HttpRequest.Builder request;
    if (method.equals("GET")) {
      request = HttpRequest.newBuilder(uri(path + "?" + query(fields))).GET();
    } else {
      request = HttpRequest.newBuilder(uri(path))
          .method(method, HttpRequest.BodyPublishers.ofString(pythonJson(fields)))
          .header("Content-Type", "application/json");
    }
    request.header("User-Agent", "mlflow-python-client/2.12.2")
        .header("Accept-Encoding", "gzip, deflate")
        .header("Accept", "*/*")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            "alice:secret".getBytes(StandardCharsets.UTF_8)));
    HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    byte[] body = response.body();
    if (response.headers().firstValue("Content-Encoding").filter("gzip"::equalsIgnoreCase).isPresent()) {
      body = gunzip(body);
    }
    return new Reply(response.statusCode(), JSON.readTree(body));
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + TestRegistry.httpPort() + pathAndQuery);
  }

  /** {@code requests}' urlencode of a dict: a list becomes one key=value per item. */
  private static String query(Map<String, Object> fields) {
    StringJoiner query = new StringJoiner("&");
    fields.forEach((key, value) -> {
      for (Object item : value instanceof List<?> list ? list : List.of(value)) {
        query.add(URLEncoder.encode(key, StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(String.valueOf(item), StandardCharsets.UTF_8));
      }
    });
    return query.toString();
  }

  /** {@code json.dumps} with its default separators: {@code ", "} and {@code ": "}. */
  private static String pythonJson(Map<String, Object> fields) throws IOException {
    StringJoiner json = new StringJoiner(", ", "{", "}");
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      json.add(JSON.writeValueAsString(field.getKey()) + ": " + pythonValue(field.getValue()));
    }
    return json.toString();
  }

  private static String pythonValue(Object value) throws IOException {
    if (value instanceof List<?> list) {
      StringJoiner items = new StringJoiner(", ", "[", "]");
      for (Object item : list) {
        items.add(JSON.writeValueAsString(item));
      }
      return items.toString();
    }
    return JSON.writeValueAsString(value);
  }

  private static byte[] gunzip(byte[] body) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    }
  }
}
