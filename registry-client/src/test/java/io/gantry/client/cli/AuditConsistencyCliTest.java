package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.client.AuditTrailFixture;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reviewer keeps a checkpoint, and later proves that the log only grew since. */
class AuditConsistencyCliTest {

  @TempDir
  Path dataDir;

  @TempDir
  Path files;

  private GantryServer server;
  private Map<String, String> env;

  @BeforeEach
  void startServer() {
    server = GantryServer.start(ServerConfig.fromEnvironment(Map.of(
        "GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "alice");
    CliResult.succeed(env, "models", "create", "fraud");
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void aKeptCheckpoint_isProvenToBeExtendedByTodaysLog() throws Exception {
    Path kept = files.resolve("cp.txt");
    Files.writeString(kept, CliResult.succeed(env, "audit", "checkpoint"), StandardCharsets.UTF_8);
    CliResult.succeed(env, "models", "create", "churn");
    CliResult.succeed(env, "models", "tag", "churn", "team=growth");

    Map<String, String> report = CliResult.fields(CliResult.succeed(env, "audit", "consistency", kept.toString()));

    assertThat(report).containsEntry("kept_size", "1").containsEntry("current_size", "3")
        .hasEntrySatisfying("verdict", verdict -> assertThat(verdict).startsWith("proven: "));
  }

  @Test
  void aCheckpointSignedByAnotherKey_isNotProven() throws Exception {
    Path kept = files.resolve("cp.txt");
    Files.writeString(kept, CliResult.succeed(env, "audit", "checkpoint"), StandardCharsets.UTF_8);

    CliResult result = CliResult.run(env, "audit", "consistency", kept.toString(), "--key",
        AuditTrailFixture.otherKey("gantry.local/audit"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(result.out())).hasEntrySatisfying("verdict",
        verdict -> assertThat(verdict).startsWith("NOT proven: checkpoint: "));
  }
}
