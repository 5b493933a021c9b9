package io.gantry.server.ops;

import static io.gantry.server.ops.HttpCalls.champion;
import static io.gantry.server.ops.HttpCalls.championMoves;
import static io.gantry.server.ops.HttpCalls.exists;
import static io.gantry.server.ops.HttpCalls.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.ops.HttpCalls.Raw;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP port's boundary, attacked as a hostile web page would through a developer's browser: simple cross-site
 * writes (no CORS preflight) to MLflow's REST API, and DNS rebinding reads with a foreign {@code Host}. MLflow's
 * own client (JSON, no {@code Origin}) keeps working throughout.
 */
class HttpBoundaryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVIL = "https://evil.example";
  private static final String ALLOWED = "gantry.example.com, *.corp.example";

  private static Path dataDir;
  private static GantryServer named;

  @BeforeAll
  static void startServerWithPublicNames() {
    dataDir = TestRegistry.tempDir("gantry-boundary");
    named = TestRegistry.start(dataDir, Map.of("GANTRY_HTTP_ALLOWED_HOSTS", ALLOWED));
  }

  @AfterAll
  static void stopServerWithPublicNames() {
    if (named != null) {
      named.close();
    }
    TestRegistry.deleteRecursively(dataDir);
  }

  private static String createBody(String model) {
    return "{\"name\": \"" + model + "\"}";
  }

  @Test
  void aCrossSiteTextPlainCreate_createsNothing() throws Exception {
    String model = TestRegistry.uniqueModel("pwned");

    HttpResponse<String> answer = send("POST", "/api/2.0/mlflow/registered-models/create", createBody(model),
        "Content-Type", "text/plain", "Origin", EVIL);

    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(exists(model)).isFalse();
  }

  @Test
  void aCrossSiteTextPlainAliasMove_leavesTheChampionWhereItWas() throws Exception {
    String model = HttpCalls.modelWithChampion("boundary-alias");
    String move = "{\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": \"2\"}";

    HttpResponse<String> textPlain = send("POST", "/api/2.0/mlflow/registered-models/alias", move,
        "Content-Type", "text/plain", "Origin", EVIL);
    HttpResponse<String> json = send("POST", "/api/2.0/mlflow/registered-models/alias", move,
        "Content-Type", "application/json", "Origin", EVIL);
    HttpResponse<String> twin = send("POST", "/ajax-api/2.0/mlflow/registered-models/alias", move,
        "Content-Type", "application/json", "Sec-Fetch-Site", "cross-site");
    HttpResponse<String> delete = send("DELETE", "/api/2.0/mlflow/registered-models/alias",
        "{\"name\": \"" + model + "\", \"alias\": \"champion\"}", "Content-Type", "application/json", "Origin", EVIL);

    for (HttpResponse<String> refused : List.of(textPlain, json, twin, delete)) {
      assertThat(refused.statusCode()).as(refused.request() + ": " + refused.body()).isEqualTo(403);
    }
    assertThat(champion(model)).isEqualTo(1);
    assertThat(championMoves(model)).isEqualTo(1);
  }

  @Test
  void aTextPlainWrite_withoutOrigin_is415InMlflowsErrorShape() throws Exception {
    String model = TestRegistry.uniqueModel("boundary-415");

    HttpResponse<String> textPlain = send("POST", "/api/2.0/mlflow/registered-models/create", createBody(model),
        "Content-Type", "text/plain");
    HttpResponse<String> none = send("POST", "/api/2.0/mlflow/registered-models/create", createBody(model));
    HttpResponse<String> form = send("POST", "/api/2.0/mlflow/registered-models/create?name=" + model, "",
        "Content-Type", "application/x-www-form-urlencoded");

    for (HttpResponse<String> refused : List.of(textPlain, none, form)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(415);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode error = JSON.readTree(refused.body());
      assertThat(error.get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
      assertThat(error.get("message").asText()).contains("Content-Type: application/json");
    }
    assertThat(exists(model)).isFalse();
  }

  @Test
  void aJsonWrite_fromAnotherSite_is403_andNamesTheReason() throws Exception {
    String model = TestRegistry.uniqueModel("boundary-403");
    String create = "/api/2.0/mlflow/registered-models/create";

    HttpResponse<String> evilOrigin = send("POST", create, createBody(model), "Content-Type", "application/json",
        "Origin", EVIL);
    HttpResponse<String> otherPort = send("POST", create, createBody(model), "Content-Type", "application/json",
        "Origin", "http://127.0.0.1:1");
    HttpResponse<String> nullOrigin = send("POST", create, createBody(model), "Content-Type", "application/json",
        "Origin", "null");
    HttpResponse<String> crossSite = send("POST", create, createBody(model), "Content-Type", "application/json",
        "Sec-Fetch-Site", "cross-site");
    HttpResponse<String> sameSite = send("POST", create, createBody(model), "Content-Type", "application/json",
        "Sec-Fetch-Site", "same-site");

    for (HttpResponse<String> refused : List.of(evilOrigin, otherPort, nullOrigin, crossSite, sameSite)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
      JsonNode error = JSON.readTree(refused.body());
      assertThat(error.get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
      assertThat(error.get("message").asText()).contains("cross-site");
    }
    assertThat(exists(model)).isFalse();
  }

  @Test
  void mlflowsClient_andTheSameOriginPage_stillWrite() throws Exception {
    String plain = TestRegistry.uniqueModel("boundary-client");
    String sameOrigin = TestRegistry.uniqueModel("boundary-same-origin");
    String create = "/api/2.0/mlflow/registered-models/create";

    HttpResponse<String> client = send("POST", create, createBody(plain), "Content-Type",
        "application/json; charset=utf-8");
    HttpResponse<String> page = send("POST", create, createBody(sameOrigin), "Content-Type", "application/json",
        "Origin", HttpCalls.base(), "Sec-Fetch-Site", "same-origin");

    assertThat(client.statusCode()).as(client.body()).isEqualTo(200);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    assertThat(exists(plain)).isTrue();
    assertThat(exists(sameOrigin)).isTrue();
  }

  @Test
  void aReboundHost_readsNeitherTheModelListNorThePage() throws Exception {
    String model = HttpCalls.modelWithChampion("boundary-secret");
    int port = TestRegistry.httpPort();

    for (String path : List.of("/api/2.0/mlflow/registered-models/search?max_results=1000", "/ui/",
        "/ui/models?q=" + model, "/metrics", "/healthz", "/api/2.0/mlflow-artifacts/artifacts?path=models")) {
      Raw rebound = HttpCalls.get(port, path, "HTTP/1.1", "rebind.evil.example");
      Raw withPort = HttpCalls.get(port, path, "HTTP/1.1", "rebind.evil.example:" + port);
      for (Raw refused : List.of(rebound, withPort)) {
        assertThat(refused.status()).as(path).isEqualTo(403);
        assertThat(refused.body()).doesNotContain(model).contains("GANTRY_HTTP_ALLOWED_HOSTS")
            .contains("rebind.evil.example");
      }
    }
    String search = "/api/2.0/mlflow/registered-models/search?max_results=1000";
    // an IP address is answered whatever it is: a browser sends one only for a page of that address's own origin
    for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "localhost",
        "LOCALHOST:" + port, "10.1.2.3:" + port, "[fd00::5]")) {
      Raw allowed = HttpCalls.get(port, search, "HTTP/1.1", host);
      assertThat(allowed.status()).as(host).isEqualTo(200);
      assertThat(allowed.body()).contains(model);
    }
    assertThat(HttpCalls.get(port, "/ui/models?q=" + model, "HTTP/1.1", "localhost:" + port).body())
        .contains(model);
  }

  @Test
  void aRequestWithoutOneHost_isRefusedOnHttp11_andServedOnHttp10() throws Exception {
    int port = TestRegistry.httpPort();

    Raw missing = HttpCalls.get(port, "/healthz", "HTTP/1.1", null);
    Raw twice = HttpCalls.get(port, "/api/2.0/mlflow/registered-models/search", "HTTP/1.1",
        "localhost\r\nHost: rebind.evil.example");
    Raw old = HttpCalls.get(port, "/healthz", "HTTP/1.0", null);

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).contains("Host");
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.body()).contains("one Host header");
    assertThat(old.status()).isEqualTo(200);
  }

  @Test
  void anArtifactUpload_asMlflowsClientSendsIt_reachesTheProxy_butNotFromAnotherSite() throws Exception {
    String path = "/api/2.0/mlflow-artifacts/artifacts/models/any/versions/1/model.pkl";

    // MLflow's client PUTs raw bytes with the file's guessed type; Gantry's proxy is read-only and says so itself
    HttpResponse<String> client = send("PUT", path, "bytes", "Content-Type", "application/octet-stream");
    HttpResponse<String> crossSite = send("PUT", path, "bytes", "Content-Type", "application/octet-stream",
        "Origin", EVIL);

    assertThat(client.statusCode()).isEqualTo(405);
    assertThat(client.body()).contains("read-only");
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(crossSite.body()).get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
  }

  @Test
  void configuredPublicNames_areAllowedWithAndWithoutPort_andNothingBesideThem() throws Exception {
    int port = named.httpPort();

    for (String host : List.of("gantry.example.com", "gantry.example.com:443", "Gantry.Example.Com:" + port,
        "models.corp.example", "a.b.corp.example:8443", "localhost:" + port, "127.0.0.1")) {
      assertThat(HttpCalls.get(port, "/healthz", "HTTP/1.1", host).status()).as(host).isEqualTo(200);
    }
    for (String host : List.of("corp.example", "evilcorp.example", "gantry.example.com.evil.example",
        "evilgantry.example.com", "models.corp.example.evil", "gantry.example.com:443@evil.example", "",
        "127.0.0.1.evil.example", "1.2.3.4.5", "[abc]")) {
      assertThat(HttpCalls.get(port, "/healthz", "HTTP/1.1", host).status()).as(host).isIn(400, 403);
    }
  }

  @Test
  void everyAnswer_forbidsFramingAndSniffing_andGrantsNoCrossOriginReads() throws Exception {
    for (String path : List.of("/healthz", "/metrics", "/api/2.0/mlflow/registered-models/search",
        "/api/2.0/mlflow-artifacts/artifacts?path=models", "/ui/", "/ui/signin", "/nothing-here")) {
      HttpResponse<String> answer = send("GET", path, null, "Origin", EVIL);
      assertThat(answer.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(answer.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(answer.headers().allValues("Content-Security-Policy")).as(path).singleElement()
          .asString().contains("frame-ancestors 'none'");
      assertThat(answer.headers().map().keySet()).as(path)
          .noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
    }
    assertThat(send("GET", "/ui/signin", null).headers().firstValue("Content-Security-Policy").orElseThrow())
        .as("the page keeps its own policy").contains("default-src 'none'").contains("form-action 'self'");
    HttpResponse<String> refused = send("POST", "/api/2.0/mlflow/registered-models/create", "{}",
        "Content-Type", "text/plain", "Origin", EVIL);
    assertThat(refused.headers().firstValue("X-Frame-Options")).hasValue("DENY");
  }

  @Test
  void allowedHostsThatCannotBeMatched_areRefusedAtStart() {
    for (String bad : List.of("*", "*.", "gantry.example.com:8080", "https://gantry.example.com", "a*.example.com",
        "gantry.example.com/ui", "*.*.example.com", "[fd00::1]")) {
      assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_HTTP_ALLOWED_HOSTS", bad)))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("GANTRY_HTTP_ALLOWED_HOSTS");
    }
    assertThat(ServerConfig.fromEnvironment(Map.of("GANTRY_HTTP_ALLOWED_HOSTS",
        " Gantry.Example.com ,, *.corp.example"))
        .http().allowedHosts()).containsExactly("gantry.example.com", "*.corp.example");
  }
}
