package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.RegisteredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a server that verifies callers: the token from --token, GANTRY_TOKEN or a token file. */
class TokenCliTest {

  @TempDir
  static Path dir;

  private static JwtIssuer issuer;
  private static GantryServer server;
  private static String target;

  @BeforeAll
  static void startServer() throws Exception {
    issuer = JwtIssuer.create(dir);
    Map<String, String> settings = new HashMap<>(issuer.serverSettings());
    settings.putAll(Map.of("GANTRY_DATA_DIR", dir.resolve("data").toString(), "GANTRY_GRPC_PORT", "0",
        "GANTRY_HTTP_PORT", "0", "GANTRY_ADMINS", "erin,carol,dana"));  // roles are enforced: they create models
    server = GantryServer.start(ServerConfig.fromEnvironment(settings));
    target = "127.0.0.1:" + server.grpcPort();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static String createdBy(String json) throws Exception {
    return CliResult.json(RegisteredModel.getDefaultInstance(), json).getCreatedBy();
  }

  @Test
  void theTokenNamesTheCaller_fromTheOptionTheEnvironmentOrAFile() throws Exception {
    Map<String, String> env = Map.of("GANTRY_TARGET", target, "GANTRY_USER", "mallory");
    assertThat(createdBy(
        CliResult.succeed(env, "models", "create", "one", "--token", issuer.token("erin"), "-o", "json")))
        .isEqualTo("erin");

    Map<String, String> withToken = Map.of("GANTRY_TARGET", target, "GANTRY_TOKEN", issuer.token("carol"));
    assertThat(createdBy(CliResult.succeed(withToken, "models", "create", "two", "-o", "json"))).isEqualTo("carol");

    Path file = dir.resolve("token");
    Files.writeString(file, issuer.token("dana") + "\n");
    Map<String, String> withFile = Map.of("GANTRY_TARGET", target, "GANTRY_TOKEN_FILE", file.toString());
    assertThat(createdBy(CliResult.succeed(withFile, "models", "create", "three", "-o", "json"))).isEqualTo("dana");
  }

  @Test
  void withoutAToken_theCallIsRefused_sayingWhatToSend() {
    CliResult refused = CliResult.run(Map.of("GANTRY_TARGET", target, "GANTRY_USER", "admin"), "models", "list");
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(refused.err()).startsWith("error: UNAUTHENTICATED").contains("--token");

    CliResult missingFile = CliResult.run(Map.of("GANTRY_TARGET", target), "models", "list",
        "--token-file", dir.resolve("absent").toString());
    assertThat(missingFile.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(missingFile.err()).contains("--token-file", "cannot be read");
  }
}
