package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.proto.Structs;
import io.gantry.server.CapturedLog;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * MLflow's Model Registry REST API on the server's HTTP port, driven with the requests MLflow's client sends
 * (mlflow/protos/model_registry.proto, mlflow/store/model_registry/rest_store.py) and checked against the responses
 * MLflow documents: field names, versions as strings, epoch-millisecond times, tags as key/value lists, aliases,
 * paging, filters and MLflow's error bodies.
 */
class MlflowRestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The answer to one request: its HTTP status and JSON body. */
  record Answer(int status, JsonNode body) {}

  static Answer call(String method, String path, String json, String user) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TestRegistry.httpPort()
        + path)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
    if (user != null) {
      // what MLflow's client sends with MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":secret")
          .getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  private static JsonNode ok(String method, String path, String json) throws Exception {
    Answer answer = call(method, "/api/2.0/mlflow/" + path, json, "alice");
    assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isEqualTo(200);
    return answer.body();
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void anUnexpectedFailure_answersAnErrorIdOnly_andTheServerLogCarriesTheSameId() throws Exception {
    // a NUL character, which Java's strings hold and PostgreSQL's text cannot: the database refuses it, which no code
    // expects
    String filter = q("name = 'a\u0000b300000'");
    Answer answer;
    String logged;
    try (CapturedLog log = new CapturedLog()) {
      answer = call("GET", "/api/2.0/mlflow/registered-models/search?filter=" + filter, null, "alice");
      logged = log.text();
    }

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(500);
    assertThat(answer.body().path("error_code").asText()).isEqualTo("INTERNAL_ERROR");
    String message = answer.body().path("message").asText();
    Matcher id = Pattern.compile("internal error \\(id ([0-9a-f]{16})\\): see the server log").matcher(message);
    assertThat(id.matches()).as(message).isTrue();
    assertThat(answer.body().toString()).doesNotContain("Exception").doesNotContain("java.").doesNotContain("jooq")
        .doesNotContain("SQL").doesNotContain("registered_model").doesNotContain("300000");
    assertThat(logged).containsPattern("error id " + id.group(1) + "\\)\\R\\S*Exception");
  }

  @Test
  void aRegisteredModel_isCreatedReadUpdatedAndTagged_inMlflowsShape() throws Exception {
    String name = TestRegistry.uniqueModel("rest-taxi");
    long before = System.currentTimeMillis();
    JsonNode created = ok("POST", "registered-models/create", """
        {"name": "%s", "tags": [{"key": "team", "value": "risk"}], "description": "trip durations"}
        """.formatted(name)).get("registered_model");
    assertThat(created.get("name").asText()).isEqualTo(name);
    assertThat(created.get("user_id").asText()).isEqualTo("alice");
    assertThat(created.get("description").asText()).isEqualTo("trip durations");
    assertThat(created.get("creation_timestamp").asLong()).isBetween(before - 5000, System.currentTimeMillis() + 5000);
    assertThat(created.get("tags")).hasSize(1);
    assertThat(created.get("tags").get(0).get("key").asText()).isEqualTo("team");
    assertThat(created.get("tags").get(0).get("value").asText()).isEqualTo("risk");

    ok("PATCH", "registered-models/update", "{\"name\": \"" + name + "\", \"description\": \"minutes\"}");
    ok("POST", "registered-models/set-tag", "{\"name\": \"" + name + "\", \"key\": \"stage\", \"value\": \"dev\"}");
    ok("DELETE", "registered-models/delete-tag", "{\"name\": \"" + name + "\", \"key\": \"team\"}");
    assertThat(ok("DELETE", "registered-models/delete-tag", "{\"name\": \"" + name + "\", \"key\": \"team\"}"))
        .as("a tag already gone: 200, as MLflow answers").isEqualTo(JSON.createObjectNode());
    assertThat(call("DELETE", "/api/2.0/mlflow/registered-models/delete-tag", "{\"name\": \"nowhere-"
        + System.nanoTime() + "\", \"key\": \"team\"}", "alice").status()).isEqualTo(404);
    JsonNode got = ok("GET", "registered-models/get?name=" + q(name), null).get("registered_model");
    assertThat(got.get("description").asText()).isEqualTo("minutes");
    assertThat(got.get("tags").toString()).isEqualTo("[{\"key\":\"stage\",\"value\":\"dev\"}]");
    assertThat(got.has("latest_versions")).isFalse();

    // the /ajax-api/ twin answers the same
    Answer twin = call("GET", "/ajax-api/2.0/mlflow/registered-models/get?name=" + q(name), null, "alice");
    assertThat(twin.body()).isEqualTo(ok("GET", "registered-models/get?name=" + q(name), null));
  }

  @Test
  void versions_areRegisteredAndFound_withFiltersAndPages() throws Exception {
    String name = TestRegistry.uniqueModel("rest-fraud");
    ok("POST", "registered-models/create", "{\"name\": \"" + name + "\"}");
    JsonNode v1 = ok("POST", "model-versions/create", """
        {"name": "%s", "source": "s3://ml/fraud/1", "run_id": "run-a", "tags": [{"key": "data", "value": "jan"}]}
        """.formatted(name)).get("model_version");
    assertThat(v1.get("version").asText()).isEqualTo("1");
    assertThat(v1.get("version").isTextual()).as("MLflow sends versions as strings").isTrue();
    assertThat(v1.get("current_stage").asText()).isEqualTo("None");
    assertThat(v1.get("status").asText()).isEqualTo("READY");
    assertThat(v1.get("source").asText()).isEqualTo("s3://ml/fraud/1");
    assertThat(v1.get("run_id").asText()).isEqualTo("run-a");
    ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/fraud/2\", "
        + "\"run_id\": \"run-b\"}");
    ok("POST", "model-versions/set-tag", "{\"name\": \"" + name + "\", \"version\": \"2\", \"key\": \"data\", "
        + "\"value\": \"feb\"}");
    ok("PATCH", "model-versions/update", "{\"name\": \"" + name + "\", \"version\": \"2\", \"description\": \"b\"}");
    assertThat(ok("DELETE", "model-versions/delete-tag", "{\"name\": \"" + name + "\", \"version\": \"2\", "
        + "\"key\": \"nope\"}")).as("a tag already gone: 200, as MLflow answers").isEqualTo(JSON.createObjectNode());
    assertThat(call("DELETE", "/api/2.0/mlflow/model-versions/delete-tag", "{\"name\": \"" + name + "\", "
        + "\"version\": \"99\", \"key\": \"data\"}", "alice").status()).isEqualTo(404);
    assertThat(ok("GET", "model-versions/get?name=" + q(name) + "&version=2", null).get("model_version")
        .get("description").asText()).isEqualTo("b");

    JsonNode byRun = ok("GET", "model-versions/search?filter=" + q("run_id = 'run-b'"), null);
    assertThat(byRun.get("model_versions")).hasSize(1);
    assertThat(byRun.get("model_versions").get(0).get("version").asText()).isEqualTo("2");
    JsonNode byTag = ok("GET", "model-versions/search?filter=" + q("name = '" + name + "' AND tags.data = 'jan'"),
        null);
    assertThat(byTag.get("model_versions")).hasSize(1);
    assertThat(byTag.get("model_versions").get(0).get("source").asText()).isEqualTo("s3://ml/fraud/1");

    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      JsonNode page = ok("GET", "model-versions/search?max_results=1&filter=" + q("name = '" + name + "'")
          + (token.isEmpty() ? "" : "&page_token=" + q(token)), null);
      page.get("model_versions").forEach(v -> seen.add(v.get("version").asText()));
      token = page.has("next_page_token") ? page.get("next_page_token").asText() : "";
    } while (!token.isEmpty());
    assertThat(seen).containsExactly("2", "1");
    JsonNode ascending = ok("GET", "model-versions/search?order_by=" + q("version_number ASC") + "&filter="
        + q("name = '" + name + "'"), null);
    assertThat(ascending.get("model_versions")).extracting(v -> v.get("version").asText()).containsExactly("1", "2");

    JsonNode models = ok("GET", "registered-models/search?filter=" + q("name LIKE '" + name.replace("-", "_")
        + "'"), null);
    assertThat(models.get("registered_models")).hasSize(1);
    assertThat(models.get("registered_models").get(0).get("latest_versions").get(0).get("version").asText())
        .isEqualTo("2");
  }

  @Test
  void anAlias_isAPromotion_refusedWithItsPoliciesWhenGated() throws Exception {
    String name = TestRegistry.uniqueModel("rest-alias");
    ok("POST", "registered-models/create", "{\"name\": \"" + name + "\"}");
    ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/a/1\"}");
    ok("POST", "registered-models/alias", "{\"name\": \"" + name + "\", \"alias\": \"staging\", \"version\": \"1\"}");
    ok("POST", "registered-models/alias", "{\"name\": \"" + name + "\", \"alias\": \"canary\", \"version\": \"1\"}");
    JsonNode byAlias = ok("GET", "registered-models/alias?name=" + q(name) + "&alias=staging", null)
        .get("model_version");
    assertThat(byAlias.get("version").asText()).isEqualTo("1");
    assertThat(byAlias.get("aliases").toString()).as("a stage alias is a stage").isEqualTo("[\"canary\"]");
    assertThat(byAlias.get("current_stage").asText()).isEqualTo("Staging");
    assertThat(ok("GET", "registered-models/get?name=" + q(name), null).get("registered_model").get("aliases")
        .toString()).isEqualTo("[{\"alias\":\"canary\",\"version\":\"1\"}]");

    TestRegistry.promotions("admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder().setBinding(
        PolicyBinding.newBuilder().setModelPattern(name).setAlias("champion").addPolicies(PolicySpec.newBuilder()
            .setType("approvals").setParams(Structs.toStruct(Map.of("count", 1))))).build());
    Answer gated = call("POST", "/api/2.0/mlflow/registered-models/alias",
        "{\"name\": \"" + name + "\", \"alias\": \"champion\", \"version\": \"1\"}", "alice");
    assertThat(gated.status()).isEqualTo(400);
    assertThat(gated.body().get("error_code").asText()).isEqualTo("INVALID_STATE");
    assertThat(gated.body().get("message").asText()).contains("awaits approval as promotions/", "approvals: 0 of 1");
    // MLflow's get_model_version_by_alias: INVALID_PARAMETER_VALUE, not RESOURCE_DOES_NOT_EXIST
    Answer missing = call("GET", "/api/2.0/mlflow/registered-models/alias?name=" + q(name) + "&alias=champion", null,
        "alice");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(missing.body().get("message").asText()).isEqualTo("Registered model alias champion not found.");

    ok("DELETE", "registered-models/alias", "{\"name\": \"" + name + "\", \"alias\": \"staging\"}");
    assertThat(call("GET", "/api/2.0/mlflow/registered-models/alias?name=" + q(name) + "&alias=staging", null,
        "alice").status()).isEqualTo(400);
    // deleting what is gone answers 200 {} as MLflow does; a missing model is still 404
    assertThat(ok("DELETE", "registered-models/alias", "{\"name\": \"" + name + "\", \"alias\": \"staging\"}"))
        .isEqualTo(JSON.createObjectNode());
    Answer noModel = call("DELETE", "/api/2.0/mlflow/registered-models/alias", "{\"name\": \"nowhere-"
        + System.nanoTime() + "\", \"alias\": \"staging\"}", "alice");
    assertThat(noModel.status()).isEqualTo(404);
    assertThat(noModel.body().get("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    var moves = AuditGrpc.newBlockingStub(TestRegistry.channel()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix("models/" + name + "/aliases/staging").setAction(AuditAction.AUDIT_ACTION_ALIAS_MOVED)
        .build()).getEventsList();
    assertThat(moves).hasSize(2).allSatisfy(e -> assertThat(e.getActor()).isEqualTo("alice"));
  }

  @Test
  void legacyStages_mapOntoAliases_andDeletingAVersionArchivesIt() throws Exception {
    String name = TestRegistry.uniqueModel("rest-stages");
    ok("POST", "registered-models/create", "{\"name\": \"" + name + "\"}");
    ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/s/1\"}");
    ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/s/2\"}");
    ok("POST", "model-versions/transition-stage", "{\"name\": \"" + name + "\", \"version\": \"1\", "
        + "\"stage\": \"Production\", \"archive_existing_versions\": false}");
    JsonNode moved = ok("POST", "model-versions/transition-stage", "{\"name\": \"" + name + "\", \"version\": \"2\", "
        + "\"stage\": \"production\", \"archive_existing_versions\": true}").get("model_version");
    assertThat(moved.get("current_stage").asText()).isEqualTo("Production");
    assertThat(ok("GET", "model-versions/get?name=" + q(name) + "&version=1", null).get("model_version")
        .get("current_stage").asText()).as("archive_existing_versions").isEqualTo("Archived");
    JsonNode latest = ok("POST", "registered-models/get-latest-versions",
        "{\"name\": \"" + name + "\", \"stages\": [\"Production\", \"Archived\"]}").get("model_versions");
    assertThat(latest).extracting(v -> v.get("current_stage").asText() + ":" + v.get("version").asText())
        .containsExactly("Production:2", "Archived:1");

    Answer badStage = call("POST", "/api/2.0/mlflow/model-versions/transition-stage", "{\"name\": \"" + name
        + "\", \"version\": \"2\", \"stage\": \"Prod\"}", "alice");
    assertThat(badStage.status()).isEqualTo(400);
    assertThat(badStage.body().get("message").asText()).startsWith("Invalid Model Version stage: Prod.");

    ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/s/3\"}");
    ok("DELETE", "model-versions/delete", "{\"name\": \"" + name + "\", \"version\": \"3\"}");
    assertThat(ok("GET", "model-versions/get?name=" + q(name) + "&version=3", null).get("model_version")
        .get("current_stage").asText()).isEqualTo("Archived");
    assertThat(ok("GET", "model-versions/get-download-uri?name=" + q(name) + "&version=2", null)
        .get("artifact_uri").asText()).isEqualTo("s3://ml/s/2");
  }

  @Test
  void badRequests_getMlflowsErrorBodies_andStoreNothing() throws Exception {
    Map<String, Integer> before = TestRegistry.rowCounts();
    Answer missing = call("POST", "/api/2.0/mlflow/registered-models/create", "{}", "alice");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(missing.body().get("message").asText()).startsWith("Missing value for required parameter 'name'");

    Answer invalid = call("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": \"a/b\"}", "alice");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(invalid.body().get("message").asText()).contains("a/b");

    Answer unknown = call("GET", "/api/2.0/mlflow/registered-models/get?name=nowhere-" + System.nanoTime(), null,
        "alice");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");

    Answer malformed = call("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": ", "alice");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().get("error_code").asText()).isEqualTo("MALFORMED_REQUEST");

    Answer noEndpoint = call("POST", "/api/2.0/mlflow/registered-models/frobnicate", "{}", "alice");
    assertThat(noEndpoint.status()).isEqualTo(404);
    assertThat(noEndpoint.body().get("error_code").asText()).isEqualTo("ENDPOINT_NOT_FOUND");

    Answer rename = call("POST", "/api/2.0/mlflow/registered-models/rename", "{\"name\": \"a\", \"new_name\": \"b\"}",
        "alice");
    assertThat(rename.status()).isEqualTo(400);
    assertThat(rename.body().get("message").asText()).contains("does not rename");

    Answer badVersion = call("GET", "/api/2.0/mlflow/model-versions/get?name=x&version=one", null, "alice");
    assertThat(badVersion.body().get("message").asText()).isEqualTo("Parameter 'version' must be an integer, got 'one'.");
    Answer tooMany = call("GET", "/api/2.0/mlflow/registered-models/search?max_results=5000", null, "alice");
    assertThat(tooMany.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    Answer injection = call("GET", "/api/2.0/mlflow/registered-models/search?filter=" + q("name = 'x' OR 1=1; --"),
        null, "alice");
    assertThat(injection.status()).isEqualTo(400);
    assertThat(TestRegistry.rowCounts()).isEqualTo(before);
  }
}
