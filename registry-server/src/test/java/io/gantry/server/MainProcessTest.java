package io.gantry.server;

import static io.gantry.db.Tables.AUDIT_CHECKPOINT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.v1.CreateModelRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** The server as an operator runs it: a separate JVM, configured by environment, stopped by SIGTERM. */
class MainProcessTest {

  @Test
  void sigterm_stopsTheServerAndTheEmbeddedDatabaseCleanly() throws Exception {
    Path dataDir = TestRegistry.tempDir("gantry-main");
    Process server = ServerProcess.launch(Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0"));
    try {
      int port = ServerProcess.awaitPort(server);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      TestRegistry.registry(channel, "ops").createModel(CreateModelRequest.newBuilder().setModelId("m").build());
      channel.shutdownNow();
      assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).isEqualTo(143);
      assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
      try (GantryServer again = TestRegistry.start(dataDir)) {
        assertThat(TestRegistry.dsl(again).select(DSL.max(AUDIT_CHECKPOINT.TREE_SIZE)).from(AUDIT_CHECKPOINT)
            .fetchOne(0, Long.class)).as("the checkpoint published while stopping, with the database still up")
            .isEqualTo(1L);
      }
    } finally {
      server.destroy(); // a no-op once it has exited; SIGTERM lets it stop its PostgreSQL too
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      TestRegistry.deleteRecursively(dataDir);
    }
  }

  @Test
  void badSetting_exitsWithCodeTwo_andOneLineNamingIt() throws Exception {
    Process server = ServerProcess.launch(Map.of("GANTRY_GRPC_PORT", "70000"));

    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(server.exitValue()).isEqualTo(2);
    assertThat(stderr.strip()).isEqualTo(
        "gantry: GANTRY_GRPC_PORT must be a port number from 0 to 65535, got '70000'");
  }

  @Test
  void listeningBeyondLoopback_withoutAnAuthenticator_exitsWithCodeTwo_andOneLineSayingWhatToSet()
      throws Exception {
    Process server = ServerProcess.launch(Map.of("GANTRY_GRPC_HOST", "0.0.0.0"));

    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(server.exitValue()).isEqualTo(2);
    assertThat(stderr.strip()).doesNotContain("\n").startsWith("gantry: GANTRY_GRPC_HOST is 0.0.0.0, beyond loopback")
        .contains("GANTRY_JWT_KEYS", "GANTRY_API_TOKENS=true", "GANTRY_TLS_CLIENT_CA");
  }
}
