package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.cache.CacheTesting;
import io.gantry.server.config.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MLflow's get-by-alias and get-version answer from the resolve cache, as gRPC's ResolveAlias and GetModelVersion do,
 * the version's alias list included: no database read once warm, an answer with the database gone, and never the
 * version an alias left once its move is seen.
 */
class MlflowCachedReadsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void warmReads_areCacheHits_andFollowAnAliasThatMoved() throws Exception {
    int port = TestRegistry.httpPort();
    String model = TestRegistry.uniqueModel("mlflow-cached");
    setUp(port, model);
    String byAlias = "/api/2.0/mlflow/registered-models/alias?name=" + model + "&alias=champion";
    String version1 = "/api/2.0/mlflow/model-versions/get?name=" + model + "&version=1";
    get(port, byAlias);
    get(port, version1);
    Map<String, Double> missesBefore = misses(port);
    Map<String, Double> hitsBefore = hits(port);

    for (int i = 0; i < 10; i++) {
      assertThat(get(port, byAlias).at("/model_version/version").asText()).isEqualTo("1");
      assertThat(get(port, version1).at("/model_version/aliases").toString()).contains("champion");
    }

    assertThat(misses(port)).isEqualTo(missesBefore);
    Map<String, Double> hitsAfter = hits(port);
    assertThat(hitsAfter.get("resolve_alias") - hitsBefore.get("resolve_alias")).isEqualTo(10);
    assertThat(hitsAfter.get("get_model_version") - hitsBefore.get("get_model_version")).isEqualTo(10);
    assertThat(hitsAfter.get("list_aliases") - hitsBefore.get("list_aliases")).isEqualTo(20);

    CacheTesting.promote(TestRegistry.channel(), model, "champion", 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(get(port, byAlias).at("/model_version/version").asText()).isEqualTo("2");
      assertThat(get(port, version1).at("/model_version/aliases").toString()).doesNotContain("champion");
    });
  }

  @Test
  void aWarmGetByAlias_answersWithTheDatabaseStopped() throws Exception {
    Path pgData = TestRegistry.tempDir("gantry-mlflow-cached-pg");
    Path dataDir = TestRegistry.tempDir("gantry-mlflow-cached");
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(pgData).start();
    try (GantryServer server = GantryServer.start(ServerConfig.fromEnvironment(Map.of(
        "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"), "GANTRY_DB_USER", "postgres",
        "GANTRY_DATA_DIR", dataDir.toString(),
        "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")))) {
      int port = server.httpPort();
      setUp(port, "outage");
      String byAlias = "/api/2.0/mlflow/registered-models/alias?name=outage&alias=champion";
      String version = "/api/2.0/mlflow/model-versions/get?name=outage&version=1";
      get(port, byAlias);
      get(port, version);

      postgres.close();

      for (int i = 0; i < 3; i++) {
        JsonNode resolved = get(port, byAlias).get("model_version");
        assertThat(resolved.get("version").asText()).isEqualTo("1");
        assertThat(resolved.get("aliases").toString()).contains("champion");
        assertThat(get(port, version).at("/model_version/aliases").toString()).contains("champion");
      }
    } finally {
      postgres.close();
      TestRegistry.deleteRecursively(pgData);
      TestRegistry.deleteRecursively(dataDir);
    }
  }

  /** A model with two versions and {@code champion} on the first, made through MLflow's API. */
  private static void setUp(int port, String model) throws Exception {
    post(port, "registered-models/create", "{\"name\": \"" + model + "\"}");
    post(port, "model-versions/create", "{\"name\": \"" + model + "\", \"source\": \"s3://ml/1\"}");
    post(port, "model-versions/create", "{\"name\": \"" + model + "\", \"source\": \"s3://ml/2\"}");
    post(port, "registered-models/alias", "{\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": 1}");
  }

  private static void post(int port, String endpoint, String json) throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/2.0/mlflow/" + endpoint)).header("Content-Type", "application/json")
        .header("X-Gantry-User", "alice").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(endpoint + ": " + answer.body()).isEqualTo(200);
  }

  private static JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  private static Map<String, Double> hits(int port) throws Exception {
    return requests(port, "hit");
  }

  private static Map<String, Double> misses(int port) throws Exception {
    return requests(port, "miss");
  }

  private static Map<String, Double> requests(int port, String result) throws Exception {
    Map<String, Double> counts = new java.util.TreeMap<>();
    for (String cache : List.of("resolve_alias", "get_model_version", "list_aliases")) {
      counts.put(cache, CacheTesting.meter(port, "gantry_resolve_cache_requests_total{cache=\"" + cache
          + "\",result=\"" + result + "\"}"));
    }
    return counts;
  }
}
