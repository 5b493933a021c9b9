package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.server.TestRegistry;
import io.gantry.server.mlflowrest.MlflowRestTest.Answer;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportedModel;
import io.gantry.v1.ImportedVersion;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.ModelVersionStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MLflow's searches as MLflow 2.12's Python client sends them (mlflow/tracking/client.py, mlflow/store/model_registry/
 * rest_store.py: a GET whose query holds {@code filter}, {@code max_results} — 10,000 by default for versions — each
 * {@code order_by} repeated, and {@code page_token}), over more versions than one Gantry page holds.
 */
class MlflowSearchTest {

  /** A model of 1005 versions and one of 3: more than Gantry's largest page (1000), so one answer needs two. */
  private static final int BIG = 1005;
  private static final int VERSIONS = BIG + 3;
  private static String prefix;
  /** {@code name LIKE 'prefix-%'}: every version of the two. */
  private static String all;

  @BeforeAll
  static void moreVersionsThanAGantryPage() {
    prefix = TestRegistry.uniqueModel("search-big");
    all = q("name LIKE '" + prefix + "-%'");
    // one import is one transaction, however many versions it holds: fast, and audited as any import
    var imports = TestRegistry.as(ImportsGrpc.newBlockingStub(TestRegistry.channel()), "admin");
    for (String model : List.of("big", "small")) {
      ImportedModel.Builder imported = ImportedModel.newBuilder().setModelId(prefix + "-" + model);
      for (int v = 1; v <= (model.equals("big") ? BIG : 3); v++) {
        imported.addVersions(ImportedVersion.newBuilder().setVersion(v).setSource("s3://ml/" + model + "/" + v)
            .setRunId("run-" + model).setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_READY));
      }
      imports.importModel(ImportModelRequest.newBuilder().setSource("MlflowSearchTest").setModel(imported).build());
    }
  }

  @Test
  void theClientsDefaultSearch_forOneModel_answersEachOfItsVersions() throws Exception {
    // client.search_model_versions("name='x'"): GET model-versions/search?filter=name%3D%27x%27&max_results=10000
    Answer answer = call("GET", "model-versions/search?filter=" + q("name='" + prefix + "-big'")
        + "&max_results=10000", null);

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.body().has("next_page_token")).isFalse();
    assertThat(answer.body().get("model_versions")).extracting(v -> v.get("version").asInt())
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, BIG).boxed().toList());
  }

  @Test
  void theClientsDefaultMaxResults_answersPastAGantryPage_inMlflowsDefaultOrder() throws Exception {
    Answer answer = call("GET", "model-versions/search?filter=" + all + "&max_results=10000", null);

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.body().has("next_page_token")).isFalse();
    List<JsonNode> versions = new ArrayList<>();
    answer.body().get("model_versions").forEach(versions::add);
    assertThat(versions).hasSize(VERSIONS);
    // MLflow's store: last_updated_timestamp DESC, name ASC, version_number DESC (one import is one instant)
    assertThat(versions).isSortedAccordingTo(Comparator
        .<JsonNode>comparingLong(v -> -v.get("last_updated_timestamp").asLong())
        .thenComparing(v -> v.get("name").asText())
        .thenComparingInt(v -> -v.get("version").asInt()));
  }

  @Test
  void pagesOfAnyMaxResults_continueExactlyWhereTheLastStopped() throws Exception {
    List<String> walked = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String token = "";
    int[] maxResults = {400, 700, 1000};
    int page = 0;
    do {
      // the client repeats filter and order_by with the page_token; max_results may change
      JsonNode body = ok("model-versions/search?filter=" + all + "&order_by=" + q("name")
          + "&order_by=" + q("version_number ASC") + "&max_results=" + maxResults[page++ % 3]
          + (token.isEmpty() ? "" : "&page_token=" + q(token)));
      sizes.add(body.get("model_versions").size());
      body.get("model_versions").forEach(v -> walked.add(v.get("name").asText() + "/" + v.get("version").asText()));
      token = body.path("next_page_token").asText();
    } while (!token.isEmpty());

    assertThat(sizes).containsExactly(400, 608);
    assertThat(walked).containsExactlyElementsOf(Stream.concat(
        IntStream.rangeClosed(1, BIG).mapToObj(v -> prefix + "-big/" + v),
        IntStream.rangeClosed(1, 3).mapToObj(v -> prefix + "-small/" + v)).toList());
  }

  @Test
  void exactlyMaxResultsLeft_endsWithoutAToken_asMlflowsStoreDoes() throws Exception {
    String filter = "&filter=" + all;
    JsonNode every = ok("model-versions/search?max_results=" + VERSIONS + filter);
    JsonNode first = ok("model-versions/search?max_results=1000" + filter);
    JsonNode rest = ok("model-versions/search?max_results=" + (VERSIONS - 1000) + filter + "&page_token="
        + q(first.get("next_page_token").asText()));

    assertThat(every.get("model_versions")).hasSize(VERSIONS);
    assertThat(every.has("next_page_token")).isFalse();
    assertThat(first.get("model_versions")).hasSize(1000);
    assertThat(rest.get("model_versions")).hasSize(VERSIONS - 1000);
    assertThat(rest.has("next_page_token")).isFalse();
  }

  @Test
  void orderBy_takesMlflowsKeysAndLists() throws Exception {
    String order = TestRegistry.uniqueModel("search-order");
    for (String model : List.of(order + "-b", order + "-a")) {
      call("POST", "registered-models/create", "{\"name\": \"" + model + "\"}");
      for (int i = 0; i < 2; i++) {
        call("POST", "model-versions/create", "{\"name\": \"" + model + "\", \"source\": \"s3://ml/o\"}");
      }
    }
    String filter = "filter=" + q("name LIKE '" + order + "-%'");

    assertThat(names(ok("model-versions/search?" + filter + "&order_by=" + q("name ASC") + "&order_by="
        + q("version_number ASC")))).containsExactly("a/1", "a/2", "b/1", "b/2");
    assertThat(names(ok("model-versions/search?" + filter + "&order_by=" + q("name DESC"))))
        .as("then version_number DESC, MLflow's tie-break").containsExactly("b/2", "b/1", "a/2", "a/1");
    assertThat(names(ok("model-versions/search?" + filter + "&order_by=" + q("creation_timestamp")
        + "&max_results=3"))).containsExactly("b/1", "b/2", "a/1");
    assertThat(names(ok("registered-models/search?" + filter + "&order_by=" + q("timestamp DESC"))))
        .as("timestamp is last_updated_timestamp").containsExactly("a", "b");
    assertThat(names(ok("registered-models/search?" + filter + "&order_by=" + q("`name` DESC"))))
        .containsExactly("b", "a");

    Answer twice = call("GET", "registered-models/search?order_by=" + q("timestamp") + "&order_by="
        + q("last_updated_timestamp DESC"), null);
    assertThat(twice.body().get("message").asText()).startsWith("`order_by` contains duplicate fields");
    Answer unknown = call("GET", "model-versions/search?order_by=" + q("current_stage"), null);
    assertThat(unknown.body().get("message").asText()).startsWith("Invalid order by key 'current_stage' specified.");
    Answer direction = call("GET", "model-versions/search?order_by=" + q("name UP"), null);
    assertThat(direction.body().get("message").asText())
        .isEqualTo("Invalid ordering key in order_by clause 'name UP'.");
    Answer byTag = call("GET", "model-versions/search?order_by=" + q("tags.team"), null);
    assertThat(byTag.body().get("message").asText()).isEqualTo("Invalid order_by entity: tag");
  }

  @Test
  void maxResults_beyondMlflowsLimits_isRefusedWithMlflowsMessage() throws Exception {
    assertThat(call("GET", "model-versions/search?max_results=200001", null).body().get("message").asText())
        .isEqualTo("Invalid value for request parameter max_results. It must be at most 200000, but got value "
            + "200001");
    assertThat(call("GET", "registered-models/search?max_results=1001", null).body().get("message").asText())
        .isEqualTo("Invalid value for request parameter max_results. It must be at most 1000, but got value 1001");
    Answer zero = call("GET", "model-versions/search?max_results=0", null);
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(zero.body().get("message").asText())
        .isEqualTo("Invalid value for max_results. It must be a positive integer, but got 0");
    assertThat(ok("registered-models/search?max_results=1000&filter=" + all).get("registered_models"))
        .hasSize(2);
  }

  private static List<String> names(JsonNode body) {
    List<String> names = new ArrayList<>();
    JsonNode items = body.has("model_versions") ? body.get("model_versions") : body.get("registered_models");
    items.forEach(item -> {
      String name = item.get("name").asText();
      String shortName = name.substring(name.lastIndexOf('-') + 1);
      names.add(item.has("version") ? shortName + "/" + item.get("version").asText() : shortName);
    });
    return names;
  }

  private static JsonNode ok(String pathAndQuery) throws Exception {
    Answer answer = call("GET", pathAndQuery, null);
    assertThat(answer.status()).as(pathAndQuery + ": " + answer.body()).isEqualTo(200);
    return answer.body();
  }

  private static Answer call(String method, String path, String json) throws Exception {
    return MlflowRestTest.call(method, "/api/2.0/mlflow/" + path, json, "alice");
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
