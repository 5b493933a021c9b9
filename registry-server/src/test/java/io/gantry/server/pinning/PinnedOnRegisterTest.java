package io.gantry.server.pinning;

import static io.gantry.db.Tables.ARTIFACT_FILE;
import static io.gantry.db.Tables.MLFLOW_PIN;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.proto.Manifests;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.common.Digests;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Versions registered through MLflow's REST API the way {@code log_model(..., registered_model_name=...)} does,
 * against a server configured with a tracking server (a recording of MLflow 2.12's, on loopback): each answers
 * PENDING_REGISTRATION at once and becomes READY with the run's files in Gantry's store, or FAILED_REGISTRATION
 * with the reason, and nothing but the tracking server is ever contacted.
 */
class PinnedOnRegisterTest {

  static final String RUN = "6222162b4c7f47c2820a7e5b520f65a9";
  static final String LOGGED_MODEL = "m-8a1f3c2e9b7d4e6f8a0b1c2d3e4f5a6b";
  static final String TOKEN = "tracking-secret-7f3a";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static FakeTrackingServer tracking;
  private static Path dataDir;
  private static GantryServer gantry;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    tracking = new FakeTrackingServer();
    dataDir = TestRegistry.tempDir("gantry-pinning");
    gantry = TestRegistry.start(dataDir, settings(tracking));
    channel = TestRegistry.connect(gantry);
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    gantry.close();
    tracking.close();
    TestRegistry.deleteRecursively(dataDir);
  }

  static Map<String, String> settings(FakeTrackingServer tracking) {
    return Map.of("GANTRY_MLFLOW_TRACKING_URI", tracking.url(), "GANTRY_MLFLOW_TRACKING_TOKEN", TOKEN,
        "GANTRY_MLFLOW_PIN_ATTEMPTS", "3", "GANTRY_MLFLOW_PIN_RETRY_MILLIS", "50",
        "GANTRY_MLFLOW_PIN_MAX_BYTES", String.valueOf(1 << 20));
  }

  @Test
  void aRunsSource_answersPendingRegistration_thenIsReadyWithTheRunsFilesPinned() throws Exception {
    String model = TestRegistry.uniqueModel("pin-runs");
    JsonNode created = register(gantry, model, "runs:/" + RUN + "/model", RUN);

    assertThat(created.get("status").asText()).isEqualTo("PENDING_REGISTRATION");
    assertThat(created.get("source").asText()).isEqualTo("runs:/" + RUN + "/model");
    JsonNode ready = awaitSettled(gantry, model);
    assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("READY");
    assertThat(ready.has("status_message")).isFalse();
    assertThat(ready.get("source").asText()).isEqualTo("runs:/" + RUN + "/model");
    assertPinned(tracking, gantry, channel, model, "1/" + RUN + "/artifacts/model");

    ModelVersion version = TestRegistry.registry(channel, "alice").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/1").build());
    // the MLmodel and environment files are parsed as a registration's are
    assertThat(version.getMlmodel().getRunId()).isEqualTo(RUN);
    assertThat(version.getMlmodel().getFlavorsMap()).containsKeys("python_function", "sklearn");
    assertThat(version.getFiles().getMlmodel()).isEqualTo(TestRegistry.mlflowFixture(
        "mlmodel/sklearn-wine_mlflow-2.13.1.MLmodel"));
    assertThat(version.getDependencies().getRequirementsList()).extracting(r -> r.getName())
        .contains("mlflow", "cloudpickle", "scikit-learn");
    // the token went with every request, and each went to the tracking server's own endpoints
    List<FakeTrackingServer.Request> requests = tracking.requests().stream()
        .filter(r -> r.pathAndQuery().contains(RUN)).toList();
    assertThat(requests).isNotEmpty().allSatisfy(r -> {
      assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
      assertThat(r.pathAndQuery()).startsWith("/api/2.0/").doesNotContain("..");
    });
    assertThat(requests).extracting(FakeTrackingServer.Request::pathAndQuery)
        .contains("/api/2.0/mlflow/runs/get?run_id=" + RUN);
  }

  @Test
  void anMlflowArtifactsSource_andAProxyUrlOnTheTrackingServer_arePinned() throws Exception {
    String model = TestRegistry.uniqueModel("pin-proxy");
    register(gantry, model, "mlflow-artifacts:/1/" + RUN + "/artifacts/model", "");
    assertThat(awaitSettled(gantry, model).get("status").asText()).isEqualTo("READY");
    assertPinned(tracking, gantry, channel, model, "1/" + RUN + "/artifacts/model");

    String byUrl = TestRegistry.uniqueModel("pin-proxy-url");
    register(gantry, byUrl, tracking.url() + "/api/2.0/mlflow-artifacts/artifacts/1/" + RUN + "/artifacts/model",
        "");
    assertThat(awaitSettled(gantry, byUrl).get("status").asText()).isEqualTo("READY");
    assertPinned(tracking, gantry, channel, byUrl, "1/" + RUN + "/artifacts/model");

    String withHost = TestRegistry.uniqueModel("pin-proxy-host");
    register(gantry, withHost, "mlflow-artifacts://" + tracking.authority() + "/1/" + RUN + "/artifacts/model", "");
    assertThat(awaitSettled(gantry, withHost).get("status").asText()).isEqualTo("READY");
  }

  @Test
  void anMlflow3LoggedModelSource_isPinnedThroughItsArtifactUri() throws Exception {
    String model = TestRegistry.uniqueModel("pin-logged");
    register(gantry, model, "models:/" + LOGGED_MODEL, RUN);

    JsonNode ready = awaitSettled(gantry, model);
    assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("READY");
    assertPinned(tracking, gantry, channel, model, "1/models/" + LOGGED_MODEL + "/artifacts");
    assertThat(tracking.requests()).extracting(FakeTrackingServer.Request::pathAndQuery)
        .contains("/api/2.0/mlflow/logged-models/" + LOGGED_MODEL);
  }

  @Test
  void aRunTheTrackingServerDoesNotKnow_failsRegistration_withItsAnswerAsTheReason() throws Exception {
    String model = TestRegistry.uniqueModel("pin-missing");
    register(gantry, model, "runs:/0123456789abcdef0123456789abcdef/model", "");

    JsonNode failed = awaitSettled(gantry, model);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("answered 404")
        .contains("Run with id=0123456789abcdef0123456789abcdef not found");
    assertNothingAttached(model);
    // a lasting failure is not tried again
    assertThat(tracking.requests()).filteredOn(r -> r.pathAndQuery().contains("0123456789abcdef0123456789abcdef"))
        .hasSize(1);
  }

  @Test
  void aRunWhoseFilesAreGone_failsRegistration() throws Exception {
    String model = TestRegistry.uniqueModel("pin-gone");
    register(gantry, model, "runs:/3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2d/model", "");

    JsonNode failed = awaitSettled(gantry, model);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("lists no files");
  }

  @Test
  void aTrackingServerThatDropsEveryConnection_isTriedABoundedNumberOfTimes_thenFailsRegistration()
      throws Exception {
    String model = TestRegistry.uniqueModel("pin-unreachable");
    String root = "1/" + RUN + "/artifacts/unreachable";
    tracking.plan("/api/2.0/mlflow-artifacts/artifacts?path=" + root.replace("/", "%2F"),
        request -> FakeTrackingServer.DROP);
    register(gantry, model, "mlflow-artifacts:/" + root, "");

    JsonNode failed = awaitSettled(gantry, model);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("gave up after 3 attempts").contains("failed");
    // three attempts; java.net.http repeats a GET once by itself when the connection closes before any answer
    assertThat(tracking.requests()).filteredOn(r -> r.pathAndQuery().contains("unreachable")).hasSizeBetween(3, 6);
    assertNothingAttached(model);
  }

  @Test
  void aPassingFailure_isRetriedWithBackoff_andThenTheVersionIsReady() throws Exception {
    String model = TestRegistry.uniqueModel("pin-retry");
    AtomicInteger calls = new AtomicInteger();
    // the first two downloads of the weights meet a busy server
    tracking.plan("/api/2.0/mlflow-artifacts/artifacts/1/" + RUN + "/artifacts/model/model.pkl",
        request -> calls.incrementAndGet() <= 2 ? 503 : null);
    try {
      register(gantry, model, "runs:/" + RUN + "/model", RUN);

      JsonNode ready = awaitSettled(gantry, model);
      assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("READY");
      assertThat(calls.get()).isGreaterThanOrEqualTo(3);
      assertPinned(tracking, gantry, channel, model, "1/" + RUN + "/artifacts/model");
    } finally {
      tracking.plan("/api/2.0/mlflow-artifacts/artifacts/1/" + RUN + "/artifacts/model/model.pkl", request -> null);
    }
  }

  @Test
  void sourcesOffTheTrackingServer_areRefused_andNeverContacted() throws Exception {
    Map<String, String> refusals = Map.of(
        "mlflow-artifacts://evil.example:5000/1/" + RUN + "/artifacts/model", "not the tracking server",
        "http://evil.example/api/2.0/mlflow-artifacts/artifacts/1/" + RUN + "/artifacts/model",
        "not on the tracking server",
        "runs:/" + RUN + "/model/../../../7e1d9c3b5a2f4e6d8c0b2a4f6e8d0c2b", "may not leave the artifact root",
        "runs:/" + RUN + "/model%2F..%2F..%2Fother", "hides a / or \\",
        "runs:/0a5e4c1d2b3f4a5e6c7d8e9f0a1b2c3d/model", "s3://other-bucket/mlruns/1/0a5e4c1d2b3f4a5e6c7d8e9f0a1b2c3d",
        "runs:/7e1d9c3b5a2f4e6d8c0b2a4f6e8d0c2b/model", "evil.example:5000",
        "runs://other-tracking.example/" + RUN + "/model", "only the one Gantry is configured with");
    List<String> models = new ArrayList<>();
    for (var refusal : refusals.entrySet()) {
      String model = TestRegistry.uniqueModel("pin-refused");
      models.add(model);
      register(gantry, model, refusal.getKey(), "");
      JsonNode failed = awaitSettled(gantry, model);
      assertThat(failed.get("status").asText()).as(refusal.getKey()).isEqualTo("FAILED_REGISTRATION");
      assertThat(failed.get("status_message").asText()).as(refusal.getKey()).contains(refusal.getValue());
    }
    // nothing was asked of any path but the tracking server's runs/get for the two runs that name elsewhere
    assertThat(tracking.requests()).extracting(FakeTrackingServer.Request::pathAndQuery)
        .noneMatch(p -> p.contains("..") || p.contains("evil") || p.contains("other") || p.contains("%2F..")
            || p.contains("0a5e4c1d2b3f4a5e6c7d8e9f0a1b2c3d/") || p.contains("7e1d9c3b5a2f4e6d8c0b2a4f6e8d0c2b/"));
  }

  @Test
  void aRedirect_isNotFollowed() throws Exception {
    String model = TestRegistry.uniqueModel("pin-redirect");
    String root = "1/" + RUN + "/artifacts/redirected";
    tracking.plan("/api/2.0/mlflow-artifacts/artifacts?path=" + root.replace("/", "%2F"), request -> 302);
    register(gantry, model, "mlflow-artifacts:/" + root, "");

    JsonNode failed = awaitSettled(gantry, model);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("answered 302").contains("not followed");
    assertThat(tracking.requests()).extracting(FakeTrackingServer.Request::pathAndQuery)
        .noneMatch(p -> p.startsWith("/elsewhere"));
  }

  @Test
  void aModelLargerThanTheBound_failsRegistration_andLeavesNoFileReferenced() throws Exception {
    String model = TestRegistry.uniqueModel("pin-large");
    String root = "1/" + RUN + "/artifacts/large";
    tracking.addFile(root + "/MLmodel", TestRegistry.mlflowFixture("mlmodel/sklearn-wine_mlflow-2.13.1.MLmodel")
        .getBytes(StandardCharsets.UTF_8));
    tracking.addFile(root + "/weights.bin", new byte[(1 << 20) + 1]);
    register(gantry, model, "mlflow-artifacts:/" + root, "");

    JsonNode failed = awaitSettled(gantry, model);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("larger than 1048576 bytes")
        .contains("GANTRY_MLFLOW_PIN_MAX_BYTES");
    assertNothingAttached(model);
  }

  @Test
  void aPinnedVersion_passesArtifactIntegrity_whenPromoted() throws Exception {
    String model = TestRegistry.uniqueModel("pin-promoted");
    TestRegistry.promotions(channel, "admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder()
        .setBinding(PolicyBinding.newBuilder().setModelPattern(model).setAlias("production")
            .addPolicies(PolicySpec.newBuilder().setType("artifact-integrity")))
        .build());
    register(gantry, model, "runs:/" + RUN + "/model", RUN);
    assertThat(awaitSettled(gantry, model).get("status").asText()).isEqualTo("READY");
    String digest = TestRegistry.registry(channel, "alice").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/1").build()).getManifestDigest();

    Promotion promotion = TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest
        .newBuilder().setModel("models/" + model).setAlias("production").setVersion(1).build());

    assertThat(promotion.getState()).as(promotion.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(promotion.getVerdicts(0).getMessage()).contains("match manifest " + digest);
  }

  @Test
  void aCopyWhoseReplicaCrashed_isTakenOnceItsLeaseLapses_andRepeatedCrashesAreBounded() throws Exception {
    String resumed = crashedCopy("pin-crashed", 1);
    String exhausted = crashedCopy("pin-crashed-again", 3);

    JsonNode ready = awaitSettled(gantry, resumed);
    assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("READY");
    assertPinned(tracking, gantry, channel, resumed, "1/" + RUN + "/artifacts/model");
    JsonNode failed = awaitSettled(gantry, exhausted);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED_REGISTRATION");
    assertThat(failed.get("status_message").asText()).contains("gave up after 3 attempts that did not finish");
  }

  /**
   * A version left PENDING_UPLOAD by a replica that crashed mid-copy after {@code attempts} takes: its copy's lease
   * has lapsed and names the dead replica.
   */
  private static String crashedCopy(String prefix, int attempts) throws Exception {
    String model = TestRegistry.uniqueModel(prefix);
    ok(gantry.httpPort(), "POST", "registered-models/create", JSON.writeValueAsString(Map.of("name", model)));
    ModelVersion version = TestRegistry.registry(channel, "alice").createModelVersion(
        io.gantry.v1.CreateModelVersionRequest.newBuilder().setParent("models/" + model).setManagedArtifacts(true)
            .setModelVersion(ModelVersion.newBuilder().setSource("runs:/" + RUN + "/model")).build());
    var dsl = TestRegistry.dsl(gantry);
    dsl.insertInto(MLFLOW_PIN).set(MLFLOW_PIN.VERSION_ID, versionId(model)).set(MLFLOW_PIN.ATTEMPTS, attempts)
        .set(MLFLOW_PIN.CLAIMED_BY, "crashed-replica")
        .set(MLFLOW_PIN.LEASE_UNTIL, java.time.OffsetDateTime.now().minusSeconds(1)).execute();
    assertThat(version.getStatus()).isEqualTo(io.gantry.v1.ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);
    return model;
  }

  @Test
  void withoutATrackingServer_aVersionKeepsItsSourceOnly_asBefore() throws Exception {
    int requestsBefore = tracking.requests().size();
    String model = TestRegistry.uniqueModel("pin-off");
    JsonNode created = register(TestRegistry.httpPort(), model, "runs:/" + RUN + "/model", RUN);

    assertThat(created.get("status").asText()).isEqualTo("READY");
    ModelVersion version = TestRegistry.registry("alice").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/1").build());
    assertThat(version.getSource()).isEqualTo("runs:/" + RUN + "/model");
    assertThat(version.getManagedArtifacts()).isFalse();
    assertThat(version.getManifestDigest()).isEmpty();
    assertThat(tracking.requests()).hasSize(requestsBefore);
  }

  @Test
  void onAPinningServer_otherSourcesKeepTheirUri_unpinned() throws Exception {
    for (String source : List.of("s3://bucket/models/7", "models:/other-model/3", "https://example.com/model.tar")) {
      String model = TestRegistry.uniqueModel("pin-other");
      JsonNode created = register(gantry, model, source, "");
      assertThat(created.get("status").asText()).as(source).isEqualTo("READY");
      assertThat(created.get("source").asText()).isEqualTo(source);
    }
  }

  // helpers

  /** Registers the model and its first version as MLflow's client does; returns the created version. */
  static JsonNode register(GantryServer server, String model, String source, String runId) throws Exception {
    return register(server.httpPort(), model, source, runId);
  }

  private static JsonNode register(int port, String model, String source, String runId) throws Exception {
    ok(port, "POST", "registered-models/create", JSON.writeValueAsString(Map.of("name", model)));
    return ok(port, "POST", "model-versions/create", JSON.writeValueAsString(Map.of("name", model, "source", source,
        "run_id", runId))).get("model_version");
  }

  /** Polls {@code model-versions/get} as {@code register_model} does, until the version is no longer pending. */
  static JsonNode awaitSettled(GantryServer server, String model) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      last[0] = ok(server.httpPort(), "GET", "model-versions/get?name=" + model + "&version=1", null)
          .get("model_version");
      return !last[0].get("status").asText().equals("PENDING_REGISTRATION");
    });
    return last[0];
  }

  static JsonNode ok(int port, String method, String path, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/2.0/mlflow/" + path)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("alice:secret"
            .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /**
   * The version holds exactly the recorded files under {@code folder}: its manifest digest is theirs, and each
   * downloads back through Gantry's own artifact proxy byte for byte.
   */
  static void assertPinned(FakeTrackingServer tracking, GantryServer server, ManagedChannel channel, String model,
      String folder) throws Exception {
    Map<String, byte[]> expected = tracking.recordedFiles(folder);
    List<ArtifactFile> manifest = new ArrayList<>();
    expected.forEach((path, bytes) -> manifest.add(ArtifactFile.newBuilder().setPath(path).setSize(bytes.length)
        .setSha256(java.util.HexFormat.of().formatHex(Digests.sha256(bytes))).build()));
    ModelVersion version = TestRegistry.registry(channel, "alice").getModelVersion(GetModelVersionRequest
        .newBuilder().setName("models/" + model + "/versions/1").build());
    assertThat(version.getManagedArtifacts()).isTrue();
    assertThat(version.getManifestDigest()).isEqualTo(Manifests.digest(manifest));
    for (var file : expected.entrySet()) {
      HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.httpPort() + "/api/2.0/mlflow-artifacts/artifacts/models/" + model + "/versions/1/"
          + file.getKey())).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(download.statusCode()).as(file.getKey()).isEqualTo(200);
      assertThat(download.body()).as(file.getKey()).isEqualTo(file.getValue());
    }
  }

  /** The row of the model's first version. */
  private static long versionId(String model) {
    return TestRegistry.dsl(gantry).select(MODEL_VERSION.ID).from(MODEL_VERSION)
        .join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(model)).and(MODEL_VERSION.VERSION.eq(1)).fetchOne(MODEL_VERSION.ID);
  }

  /** The failed version holds no file (so no blob is kept for it) and no copy is left to do. */
  private static void assertNothingAttached(String model) {
    var dsl = TestRegistry.dsl(gantry);
    long id = versionId(model);
    assertThat(dsl.fetchCount(ARTIFACT_FILE, ARTIFACT_FILE.VERSION_ID.eq(id))).isZero();
    assertThat(dsl.fetchCount(MLFLOW_PIN, MLFLOW_PIN.VERSION_ID.eq(id))).isZero();
  }
}
