package io.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.cache.CacheTesting;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.GetModelRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The registry on an external PostgreSQL that goes away and comes back. */
class DatabaseOutageTest {

  @Test
  void databaseDown_writesAreUnavailable_unchangedCachedResolvesAnswer_healthSaysSo_andServiceRecoversByItself()
      throws Exception {
    Path pgData = TestRegistry.tempDir("gantry-external-pg");
    int port = freePort();
    EmbeddedPostgres postgres = startPostgres(pgData, port);
    try (GantryServer server = GantryServer.start(ServerConfig.fromEnvironment(Map.of(
        "GANTRY_DB_URL", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
        "GANTRY_DB_USER", "postgres", "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")))) {
      ManagedChannel channel = TestRegistry.connect(server);
      var registry = TestRegistry.registry(channel, "alice");
      var health = HealthGrpc.newBlockingStub(channel);
      registry.createModel(CreateModelRequest.newBuilder().setModelId("before-outage").build());
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/before-outage").build());
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/before-outage").build());
      CacheTesting.promote(channel, "before-outage", "champion", 1);
      String champion = "models:/before-outage@champion";
      String version = "models/before-outage/versions/1";
      assertThat(CacheTesting.resolve(registry, champion).getVersion()).isEqualTo(1);
      assertThat(getVersion(registry, version).getVersion()).isEqualTo(1);

      postgres.close();
      // what was resolved before keeps answering; what never was fails as retryable
      for (int i = 0; i < 3; i++) {
        assertThat(CacheTesting.resolve(registry, champion).getVersion()).isEqualTo(1);
        assertThat(getVersion(registry, version).getVersion()).isEqualTo(1);
      }
      var uncached = catchThrowableOfType(() -> CacheTesting.resolve(registry, "models:/before-outage@latest"),
          StatusRuntimeException.class);
      assertThat(uncached.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(TestRegistry.errorInfo(uncached).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
      var e = catchThrowableOfType(() -> registry.createModel(
          CreateModelRequest.newBuilder().setModelId("during-outage").build()), StatusRuntimeException.class);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(TestRegistry.errorInfo(e).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
      assertThat(eventually(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus(),
          ServingStatus.NOT_SERVING)).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(httpHealth(server)).isEqualTo(503);

      postgres = startPostgres(pgData, port);
      assertThat(eventually(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus(),
          ServingStatus.SERVING)).isEqualTo(ServingStatus.SERVING);
      assertThat(httpHealth(server)).isEqualTo(200);
      registry.createModel(CreateModelRequest.newBuilder().setModelId("after-outage").build());
      assertThat(CacheTesting.resolve(registry, "models:/before-outage@latest").getVersion()).isEqualTo(2);
      CacheTesting.promote(channel, "before-outage", "champion", 2);
      assertThat(CacheTesting.resolve(registry, champion).getVersion()).isEqualTo(2);
      assertThat(registry.getModel(GetModelRequest.newBuilder().setName("models/before-outage").build())
          .getName()).isEqualTo("models/before-outage");
      channel.shutdownNow();
    } finally {
      postgres.close();
      TestRegistry.deleteRecursively(pgData);
    }
  }

  private static ModelVersion getVersion(ModelRegistryGrpc.ModelRegistryBlockingStub registry, String name) {
    return registry.getModelVersion(GetModelVersionRequest.newBuilder().setName(name).build());
  }

  private static int httpHealth(GantryServer server) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Polls until the value is the one expected, for at most 20 s (the health probe runs every 5 s). */
  private static <T> T eventually(Supplier<T> value, T expected) {
    return await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
        .until(value::get, expected::equals);
  }
}
