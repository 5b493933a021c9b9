package io.gantry.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.CapturedLog;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A password written into GANTRY_DB_URL reaches the database, and no log line or error message. */
class DatabaseUrlSecretTest {

  private static final String SECRET = "s3cret";

  @Test
  void aPasswordInTheUrl_isNeverLogged_whenTheDatabaseAnswers() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-url-secret");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start(); CapturedLog log = new CapturedLog()) {
      String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort()
          + "/postgres?user=postgres&password=" + SECRET + "&ApplicationName=gantry";
      ServerConfig config = ServerConfig.fromEnvironment(Map.of("GANTRY_DB_URL", url, "GANTRY_GRPC_PORT", "0",
          "GANTRY_HTTP_PORT", "0", "GANTRY_DATA_DIR", dir.toString()));
      try (GantryServer server = GantryServer.start(config)) {
        assertThat(server.grpcPort()).isPositive();
      }
      assertThat(log.text()).contains("Using PostgreSQL at jdbc:postgresql://127.0.0.1:" + postgres.getPort()
          + "/postgres?user=postgres&ApplicationName=gantry").doesNotContain(SECRET);
      assertThat(config.externalDatabase().orElseThrow().toString()).doesNotContain(SECRET);
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void aPasswordInTheUrl_isNeverLogged_norInTheErrorMessage_whenTheDatabaseRefuses() throws Exception {
    int refused;
    try (ServerSocket socket = new ServerSocket(0)) {
      refused = socket.getLocalPort();
    }
    Path dir = TestRegistry.tempDir("gantry-url-secret");
    try (CapturedLog log = new CapturedLog()) {
      ConfigException e = catchThrowableOfType(() -> GantryServer.start(ServerConfig.fromEnvironment(Map.of(
          "GANTRY_DB_URL", "jdbc:postgresql://127.0.0.1:" + refused + "/postgres?sslpassword=" + SECRET
              + "&password=" + SECRET,
          "GANTRY_DB_USER", "postgres", "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0",
          "GANTRY_DATA_DIR", dir.toString()))), ConfigException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("127.0.0.1:" + refused).doesNotContain(SECRET);
      assertThat(log.text()).contains("127.0.0.1:" + refused).doesNotContain(SECRET);

      ConfigException wrongKind = catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of(
          "GANTRY_DB_URL", "jdbc:mysql://root:" + SECRET + "@db:3306/gantry?password=" + SECRET)),
          ConfigException.class);
      assertThat(wrongKind.getMessage()).contains("jdbc:mysql://db:3306/gantry").doesNotContain(SECRET);
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }
}
