package io.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.v1.CreateModelRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The server as an operator runs it: a separate JVM, configured by environment, stopped by SIGTERM. */
class MainProcessTest {

  private static final Pattern SERVING = Pattern.compile("serving gRPC on port (\\d+)");

  @Test
  void sigterm_stopsTheServerAndTheEmbeddedDatabaseCleanly() throws Exception {
    Path dataDir = TestRegistry.tempDir("gantry-main");
    Process server = launch(Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0"));
    try {
      int port = awaitPort(server);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      TestRegistry.registry(channel, "ops").createModel(CreateModelRequest.newBuilder().setModelId("m").build());
      channel.shutdownNow();
      assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).isEqualTo(143);
      assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
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
    Process server = launch(Map.of("GANTRY_GRPC_PORT", "70000"));

    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(server.exitValue()).isEqualTo(2);
    assertThat(stderr.strip()).isEqualTo(
        "gantry: GANTRY_GRPC_PORT must be a port number from 0 to 65535, got '70000'");
  }

  private static Process launch(Map<String, String> env) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx256m",
        // the test classpath's logging config is quieter than the server's own
        "-Dorg.slf4j.simpleLogger.log.io.gantry=info",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    builder.environment().keySet().removeIf(k -> k.startsWith("GANTRY_"));
    builder.environment().putAll(env);
    return builder.start();
  }

  /** Reads the server's log until it says which port it serves on. */
  private static int awaitPort(Process server) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader log = new BufferedReader(new InputStreamReader(server.getErrorStream(),
          StandardCharsets.UTF_8))) {
        for (String line = log.readLine(); line != null; line = log.readLine()) {
          Matcher m = SERVING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
        port.completeExceptionally(new IllegalStateException("server exited before serving"));
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    return port.get(90, TimeUnit.SECONDS);
  }
}
