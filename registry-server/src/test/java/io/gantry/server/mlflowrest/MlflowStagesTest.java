package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.server.mlflowrest.MlflowRestTest.Answer;
import io.gantry.v1.Alias;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MLflow's stages over HTTP as MLflow's sqlalchemy_store.py defines them: a version stands in at most one stage,
 * {@code archive_existing_versions} archives whoever held the stage, moves show in {@code last_updated_timestamp},
 * and the stage aliases stay out of {@code aliases} (while gRPC shows them). A stage move that would have to remove
 * a gated alias is refused whole, before anything moves.
 */
class MlflowStagesTest {

  @Test
  void stagingToProduction_leavesStaging_andArchivingTakesWhoeverHeldProduction() throws Exception {
    String name = model("stage-move", 3);
    JsonNode created = version(name, 1);

    transition(name, 1, "Staging", false);
    long staged = version(name, 1).get("last_updated_timestamp").asLong();
    ModelVersion before = grpcVersion(name, 1);
    await().until(() -> System.currentTimeMillis() > staged);
    JsonNode produced = transition(name, 1, "Production", false);
    // on gRPC too: the alias moves mark the version's update_time and keep its etag
    ModelVersion after = grpcVersion(name, 1);
    assertThat(Timestamps.toMillis(after.getUpdateTime())).isGreaterThan(Timestamps.toMillis(before.getUpdateTime()));
    assertThat(after.getEtag()).isEqualTo(before.getEtag());
    assertThat(produced.get("current_stage").asText()).isEqualTo("Production");
    assertThat(produced.has("aliases")).as("stage aliases are stages on MLflow's surface").isFalse();
    assertThat(produced.get("last_updated_timestamp").asLong()).isGreaterThan(staged)
        .isGreaterThan(created.get("creation_timestamp").asLong());
    assertThat(stageAliases(name)).containsExactly("production=1");

    // the case: version 1 went Staging -> Production; version 2 takes Production and archives it
    transition(name, 2, "Production", true);
    assertThat(version(name, 1).get("current_stage").asText()).isEqualTo("Archived");
    assertThat(version(name, 2).get("current_stage").asText()).isEqualTo("Production");
    assertThat(stageAliases(name)).containsExactly("production=2");
    JsonNode latest = ok("POST", "registered-models/get-latest-versions", "{\"name\": \"" + name + "\"}")
        .get("model_versions");
    assertThat(latest).extracting(v -> v.get("current_stage").asText() + ":" + v.get("version").asText())
        .containsExactly("None:3", "Production:2", "Archived:1");
    Answer badStage = MlflowRestTest.call("POST", "/api/2.0/mlflow/registered-models/get-latest-versions",
        "{\"name\": \"" + name + "\", \"stages\": [\"Prod\"]}", "alice");
    assertThat(badStage.status()).isEqualTo(400);
    assertThat(badStage.body().get("message").asText()).isEqualTo("Invalid Model Version stage: Prod. Value must be "
        + "one of None, Staging, Production, Archived.");
  }

  @Test
  void archiveExisting_archivesTheHolder_evenWhenItHoldsAnAliasUsersSet() throws Exception {
    String name = model("stage-user-alias", 2);
    transition(name, 1, "Production", false);
    ok("POST", "registered-models/alias", "{\"name\": \"" + name + "\", \"alias\": \"champion\", \"version\": \"1\"}");
    assertThat(version(name, 1).get("aliases").toString()).isEqualTo("[\"champion\"]");
    assertThat(ok("GET", "registered-models/get?name=" + q(name), null).get("registered_model").get("aliases")
        .toString()).isEqualTo("[{\"alias\":\"champion\",\"version\":\"1\"}]");

    transition(name, 2, "Production", true);
    JsonNode v1 = version(name, 1);
    assertThat(v1.get("current_stage").asText()).isEqualTo("Archived");
    assertThat(v1.get("aliases").toString()).isEqualTo("[\"champion\"]");
    // gRPC shows every alias, stage aliases too
    assertThat(TestRegistry.registry("alice").listAliases(ListAliasesRequest.newBuilder()
        .setParent("models/" + name).build()).getAliasesList()).extracting(a -> aliasId(a) + "=" + a.getVersion())
        .containsExactly("champion=1", "production=2");
  }

  @Test
  void noneAndArchived_takeTheVersionOutOfItsStage() throws Exception {
    String name = model("stage-leave", 2);
    transition(name, 1, "Staging", false);
    transition(name, 2, "Production", false);

    JsonNode none = transition(name, 1, "None", false);
    assertThat(none.get("current_stage").asText()).isEqualTo("None");
    JsonNode archived = transition(name, 2, "archived", false);
    assertThat(archived.get("current_stage").asText()).isEqualTo("Archived");
    assertThat(stageAliases(name)).isEmpty();

    Answer back = MlflowRestTest.call("POST", "/api/2.0/mlflow/model-versions/transition-stage", "{\"name\": \""
        + name + "\", \"version\": \"2\", \"stage\": \"Staging\"}", "alice");
    assertThat(back.status()).isEqualTo(400);
    assertThat(back.body().get("error_code").asText()).isEqualTo("INVALID_STATE");
    assertThat(back.body().get("message").asText()).contains("archived", "never brings an archived version back");

    Answer notActive = MlflowRestTest.call("POST", "/api/2.0/mlflow/model-versions/transition-stage", "{\"name\": \""
        + name + "\", \"version\": \"1\", \"stage\": \"None\", \"archive_existing_versions\": true}", "alice");
    assertThat(notActive.status()).isEqualTo(400);
    assertThat(notActive.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(notActive.body().get("message").asText()).isEqualTo("Model version transition cannot archive "
        + "existing model versions because 'None' is not an Active stage. Valid stages are ['Staging', 'Production']");
  }

  @Test
  void aGatedRemoval_refusesTheWholeTransition_beforeAnythingMoves() throws Exception {
    String name = model("stage-gated", 1);
    transition(name, 1, "Staging", false);
    bind(name, "staging", "promote");
    Map<String, Integer> before = TestRegistry.rowCounts();

    Answer ungated = MlflowRestTest.call("POST", "/api/2.0/mlflow/model-versions/transition-stage",
        "{\"name\": \"" + name + "\", \"version\": \"1\", \"stage\": \"Production\"}", "alice");
    assertThat(ungated.status()).isEqualTo(400);
    assertThat(ungated.body().get("error_code").asText()).isEqualTo("INVALID_STATE");
    assertThat(ungated.body().get("message").asText()).startsWith("version 1 did not move to Production: it would "
        + "leave Staging, and removing its 'staging' alias is refused: ").contains("no 'remove' binding");
    assertThat(stageAliases(name)).containsExactly("staging=1");
    assertThat(TestRegistry.rowCounts()).isEqualTo(before);

    bind(name, "staging", "remove");
    before = TestRegistry.rowCounts();
    Answer awaiting = MlflowRestTest.call("POST", "/api/2.0/mlflow/model-versions/transition-stage",
        "{\"name\": \"" + name + "\", \"version\": \"1\", \"stage\": \"None\"}", "alice");
    assertThat(awaiting.status()).isEqualTo(400);
    assertThat(awaiting.body().get("message").asText()).startsWith("version 1 did not move to None: it would leave "
        + "Staging, and removing its 'staging' alias would await approval; approvals: 0 of 1");
    assertThat(stageAliases(name)).containsExactly("staging=1");
    assertThat(version(name, 1).get("current_stage").asText()).isEqualTo("Staging");
    assertThat(TestRegistry.rowCounts()).isEqualTo(before);
  }

  @Test
  void mlflow3sModelId_isRecorded_answered_andShownOnGrpc() throws Exception {
    String name = model("stage-model-id", 0);
    String modelId = "m-0123456789abcdef0123456789abcdef";
    JsonNode created = ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"models:/"
        + modelId + "\", \"model_id\": \"" + modelId + "\"}").get("model_version");
    assertThat(created.get("model_id").asText()).isEqualTo(modelId);
    assertThat(version(name, 1).get("model_id").asText()).isEqualTo(modelId);
    assertThat(grpcVersion(name, 1).getLoggedModelId()).isEqualTo(modelId);

    Map<String, Integer> before = TestRegistry.rowCounts();
    for (String bad : List.of("m-XYZ", "0123456789abcdef0123456789abcdef", "m-" + "a".repeat(33), "m-../../x")) {
      Answer refused = MlflowRestTest.call("POST", "/api/2.0/mlflow/model-versions/create", "{\"name\": \"" + name
          + "\", \"source\": \"s3://x/y\", \"model_id\": \"" + bad + "\"}", "alice");
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
      assertThat(refused.body().get("message").asText()).contains("logged_model_id", "'m-' and 32");
    }
    assertThat(TestRegistry.rowCounts()).isEqualTo(before);
  }

  private static void bind(String model, String alias, String purpose) {
    TestRegistry.promotions("admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder().setBinding(
        PolicyBinding.newBuilder().setModelPattern(model).setAlias(alias).setPurpose(purpose)
            .addPolicies(PolicySpec.newBuilder().setType("approvals")
                .setParams(Structs.toStruct(Map.of("count", 1))))).build());
  }

  /** A new model with {@code versions} versions, each READY. */
  private static String model(String prefix, int versions) throws Exception {
    String name = TestRegistry.uniqueModel(prefix);
    ok("POST", "registered-models/create", "{\"name\": \"" + name + "\"}");
    for (int i = 1; i <= versions; i++) {
      ok("POST", "model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"s3://ml/" + name + "/" + i
          + "\"}");
    }
    return name;
  }

  private static JsonNode transition(String name, int version, String stage, boolean archive) throws Exception {
    return ok("POST", "model-versions/transition-stage", "{\"name\": \"" + name + "\", \"version\": \"" + version
        + "\", \"stage\": \"" + stage + "\", \"archive_existing_versions\": " + archive + "}").get("model_version");
  }

  private static JsonNode version(String name, int version) throws Exception {
    return ok("GET", "model-versions/get?name=" + q(name) + "&version=" + version, null).get("model_version");
  }

  private static ModelVersion grpcVersion(String name, int version) {
    return TestRegistry.registry("alice").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + name + "/versions/" + version).build());
  }

  private static List<String> stageAliases(String name) {
    return TestRegistry.registry("alice").listAliases(ListAliasesRequest.newBuilder().setParent("models/" + name)
        .build()).getAliasesList().stream().map(a -> aliasId(a) + "=" + a.getVersion())
        .filter(a -> a.startsWith("staging=") || a.startsWith("production=")).toList();
  }

  private static String aliasId(Alias alias) {
    return alias.getName().substring(alias.getName().lastIndexOf('/') + 1);
  }

  static JsonNode ok(String method, String path, String json) throws Exception {
    Answer answer = MlflowRestTest.call(method, "/api/2.0/mlflow/" + path, json, "alice");
    assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isEqualTo(200);
    return answer.body();
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
