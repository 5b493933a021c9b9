package io.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.cache.CacheTesting;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.StreamAuditEventsRequest;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerLifecycleTest {

  @Test
  void data_survivesARestartOfServerAndEmbeddedDatabase() throws Exception {
    Path dataDir = TestRegistry.tempDir("gantry-restart");
    try {
      try (GantryServer first = TestRegistry.start(dataDir)) {
        ManagedChannel channel = TestRegistry.connect(first);
        var registry = TestRegistry.registry(channel, "alice");
        registry.createModel(CreateModelRequest.newBuilder().setModelId("churn")
            .setModel(RegisteredModel.newBuilder().setDescription("kept")).build());
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/churn")
            .setModelVersion(ModelVersion.newBuilder().setDescription("v1 kept")).build());
        channel.shutdownNow();
      }

      try (GantryServer second = TestRegistry.start(dataDir)) {
        ManagedChannel channel = TestRegistry.connect(second);
        ModelVersion version = TestRegistry.registry(channel, "bob").getModelVersion(
            GetModelVersionRequest.newBuilder().setName("models/churn/versions/1").build());
        ModelVersion next = TestRegistry.registry(channel, "bob").createModelVersion(
            CreateModelVersionRequest.newBuilder().setParent("models/churn").build());
        channel.shutdownNow();

        assertThat(version.getDescription()).isEqualTo("v1 kept");
        assertThat(version.getCreatedBy()).isEqualTo("alice");
        assertThat(next.getVersion()).isEqualTo(2);
      }
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("audit-signing.key")))
          .as("the generated signing key is readable by its owner alone")
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    } finally {
      TestRegistry.deleteRecursively(dataDir);
    }
  }

  @Test
  void health_isServing_andReflectionListsTheRegistry() throws Exception {
    ManagedChannel channel = TestRegistry.channel();

    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).check(
        HealthCheckRequest.newBuilder().setService("gantry.v1.ModelRegistry").build());

    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
      @Override
      public void onNext(ServerReflectionResponse value) {
        reply.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        reply.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(reply.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(s -> s.getName()).contains("gantry.v1.ModelRegistry", "grpc.health.v1.Health");
  }

  @Test
  void http_servesHealthAndPrometheusMetricsOfTheCallsMade() throws Exception {
    TestRegistry.registry().createModel(CreateModelRequest.newBuilder().setModelId(TestRegistry.uniqueModel("metrics"))
        .build());
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + TestRegistry.httpPort();

    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("SERVING\n");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("gantry_grpc_server_calls_seconds_count{code=\"OK\",method=\"gantry.v1.ModelRegistry/CreateModel\"}")
        .contains("hikaricp_connections_active")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void badSettings_failWithOneClearLine() {
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_GRPC_PORT", "ninety")),
        ConfigException.class)).hasMessage("GANTRY_GRPC_PORT must be a port number from 0 to 65535, got 'ninety'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_HTTP_PORT", "-1")),
        ConfigException.class)).hasMessage("GANTRY_HTTP_PORT must be a port number from 0 to 65535, got '-1'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_DB_URL", "mysql://db")),
        ConfigException.class)).hasMessageContaining("GANTRY_DB_URL must be a PostgreSQL JDBC URL");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_DB_USER", "x")),
        ConfigException.class)).hasMessageContaining("GANTRY_DB_URL is not");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_S3_BUCKET", "models")),
        ConfigException.class)).hasMessage("GANTRY_S3_BUCKET is set but GANTRY_S3_ENDPOINT is not");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_S3_ENDPOINT", "minio:9000")),
        ConfigException.class)).hasMessageContaining("GANTRY_S3_ENDPOINT must be an http:// or https:// URL");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of(
        "GANTRY_S3_ENDPOINT", "http://minio:9000", "GANTRY_S3_BUCKET", "models", "GANTRY_S3_ACCESS_KEY", "k")),
        ConfigException.class)).hasMessage("GANTRY_S3_SECRET_KEY is required with GANTRY_S3_ENDPOINT");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_UPLOAD_TIMEOUT_SECONDS", "0")),
        ConfigException.class)).hasMessageContaining("GANTRY_UPLOAD_TIMEOUT_SECONDS must be a positive whole number");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_CACHE_MAX_ENTRIES", "-5")),
        ConfigException.class)).hasMessage("GANTRY_CACHE_MAX_ENTRIES must be a whole number, 0 or more, got '-5'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_CACHE_TTL_SECONDS", "0")),
        ConfigException.class)).hasMessage("GANTRY_CACHE_TTL_SECONDS must be a positive whole number, got '0'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of(
        "GANTRY_DB_SOCKET_TIMEOUT_SECONDS", "10", "GANTRY_DB_STATEMENT_TIMEOUT_SECONDS", "10")),
        ConfigException.class)).hasMessage("GANTRY_DB_STATEMENT_TIMEOUT_SECONDS must be below "
        + "GANTRY_DB_SOCKET_TIMEOUT_SECONDS (10), got 10");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_DB_LIVENESS_SECONDS", "0")),
        ConfigException.class)).hasMessage("GANTRY_DB_LIVENESS_SECONDS must be a positive whole number, got '0'");
    assertThat(ServerConfig.fromEnvironment(Map.of()).liveness()).as("the documented defaults").isEqualTo(
        new ServerConfig.Liveness(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(2)));
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_WORKER_THREADS", "5000")),
        ConfigException.class)).hasMessage("GANTRY_WORKER_THREADS must be at most 1024, got 5000");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_NETWORK_THREADS", "0")),
        ConfigException.class)).hasMessage("GANTRY_NETWORK_THREADS must be a positive whole number, got '0'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_MAX_MESSAGE_BYTES", "65536")),
        ConfigException.class)).hasMessageContaining("GANTRY_MAX_MESSAGE_BYTES must be from 2097152 (uploads send 1 MiB");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_MAX_METADATA_BYTES", "100")),
        ConfigException.class)).hasMessage("GANTRY_MAX_METADATA_BYTES must be from 1024 to 1048576, got 100");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_STREAM_IDLE_SECONDS", "0")),
        ConfigException.class)).hasMessage("GANTRY_STREAM_IDLE_SECONDS must be a positive whole number, got '0'");
    assertThat(ServerConfig.fromEnvironment(Map.of()).limits()).as("the documented defaults").isEqualTo(
        new ServerConfig.Limits(16 << 20, 8 << 10, 1000, Duration.ofSeconds(60),
            Duration.ofSeconds(20), Duration.ofMinutes(15), Duration.ofMinutes(5),
            Duration.ofSeconds(60)));
    assertThat(ServerConfig.fromEnvironment(Map.of()).networkThreads())
        .as("half the cores, at least one").isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  @Test
  void stopping_endsOpenWatchesAndAuditStreamsWithUnavailable_atOnce() throws Exception {
    Path dataDir = TestRegistry.tempDir("gantry-stop-streams");
    try {
      GantryServer server = TestRegistry.start(dataDir, Map.of("GANTRY_CACHE_MAX_ENTRIES", "0"));
      ManagedChannel channel = TestRegistry.connect(server);
      var registry = TestRegistry.registry(channel, "alice");
      registry.createModel(CreateModelRequest.newBuilder().setModelId("streamed").build());
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/streamed").build());
      CacheTesting.promote(channel, "streamed", "champion", 1);
      // with the cache off every resolve reads the database, and answers the same
      for (int i = 0; i < 3; i++) {
        assertThat(CacheTesting.resolve(registry, "models:/streamed@champion").getVersion()).isEqualTo(1);
      }
      assertThat(CacheTesting.aliasHits(server.httpPort())).isZero();
      assertThat(CacheTesting.aliasMisses(server.httpPort())).isEqualTo(3);

      CompletableFuture<Status> watchEnded = new CompletableFuture<>();
      CompletableFuture<Status> auditEnded = new CompletableFuture<>();
      CompletableFuture<Void> watching = new CompletableFuture<>();
      ModelRegistryGrpc.newStub(channel).watchAlias(WatchAliasRequest.newBuilder()
          .setName("models:/streamed@champion").build(), ending(watchEnded, watching));
      AuditGrpc.newStub(channel).streamAuditEvents(StreamAuditEventsRequest.getDefaultInstance(),
          ending(auditEnded, new CompletableFuture<>()));
      watching.get(10, TimeUnit.SECONDS);

      long stopping = System.nanoTime();
      server.close();
      assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(10));
      assertThat(watchEnded.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(auditEnded.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      channel.shutdownNow();
    } finally {
      TestRegistry.deleteRecursively(dataDir);
    }
  }

  private static <T> StreamObserver<T> ending(CompletableFuture<Status> ended, CompletableFuture<Void> first) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        first.complete(null);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    };
  }

  @Test
  void unreachableArtifactStore_failsStartWithOneClearLine_andReleasesTheDatabase() {
    Path dir = TestRegistry.tempDir("gantry-no-s3");
    try {
      var e = catchThrowableOfType(() -> TestRegistry.start(dir, Map.of("GANTRY_S3_ENDPOINT", "http://127.0.0.1:1",
          "GANTRY_S3_BUCKET", "models", "GANTRY_S3_ACCESS_KEY", "gantry", "GANTRY_S3_SECRET_KEY", "secret")),
          ConfigException.class);

      assertThat(e.getMessage()).startsWith("cannot reach S3 endpoint http://127.0.0.1:1").doesNotContain("\n")
          .doesNotContain("secret");
      // the embedded database it had started is stopped again, so the same data directory starts cleanly
      TestRegistry.start(dir).close();
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GANTRY_GRPC_PORT", "GANTRY_HTTP_PORT"})
  void aPortInUse_failsStartSayingSo_andWhatToDo(String setting) throws Exception {
    Path dir = TestRegistry.tempDir("gantry-port-in-use");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new HashMap<>(Map.of("GANTRY_DATA_DIR", dir.toString(), "GANTRY_GRPC_PORT", "0",
          "GANTRY_HTTP_PORT", "0"));
      env.put(setting, Integer.toString(taken.getLocalPort()));
      var e = catchThrowableOfType(() -> GantryServer.start(ServerConfig.fromEnvironment(env)),
          ConfigException.class);

      assertThat(e.getMessage()).startsWith("cannot listen on ")
          .contains(":" + taken.getLocalPort() + ": address already in use")
          .endsWith("stop it, or choose another port with " + setting).doesNotContain("\n");
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void unreachableExternalDatabase_failsStartWithOneClearLine() {
    var e = catchThrowableOfType(() -> GantryServer.start(ServerConfig.fromEnvironment(Map.of(
            "GANTRY_DB_URL", "jdbc:postgresql://127.0.0.1:1/gantry", "GANTRY_DB_USER", "u", "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0"))),
        ConfigException.class);

    assertThat(e.getMessage()).startsWith("cannot connect to the database at jdbc:postgresql://127.0.0.1:1/gantry")
        .doesNotContain("\n");
  }

  @Test
  void defaults_areTheEmbeddedDatabaseUnderGantryData_onPort9090() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of());

    assertThat(config.grpcPort()).isEqualTo(9090);
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("gantry-data").toAbsolutePath());
    assertThat(config.externalDatabase()).isEmpty();
  }
}
