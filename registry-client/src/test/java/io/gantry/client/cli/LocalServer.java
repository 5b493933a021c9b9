package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server on its embedded default for a CLI test class, on free ports in a directory of its own; register it
 * with {@code @RegisterExtension static final LocalServer gantry = new LocalServer();}.
 */
final class LocalServer implements BeforeAllCallback, AfterAllCallback {

  private final Map<String, String> settings;
  private GantryServer server;
  private Path dataDir;

  LocalServer() {
    this(Map.of());
  }

  /** @param settings more GANTRY_* settings */
  LocalServer(Map<String, String> settings) {
    this.settings = settings;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("gantry-cli");
    Map<String, String> env = new java.util.HashMap<>(settings);
    env.putAll(Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0"));
    server = GantryServer.start(ServerConfig.fromEnvironment(env));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    server.close();
    try (Stream<Path> paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** host:port of the gRPC port. */
  String target() {
    return "127.0.0.1:" + server.grpcPort();
  }

  /** The GANTRY_* settings given beyond the data directory and ports. */
  Map<String, String> settings() {
    return settings;
  }

  /** The CLI's environment for calling this server as {@code user}. */
  Map<String, String> env(String user) {
    return Map.of("GANTRY_TARGET", target(), "GANTRY_USER", user);
  }

  /** The HTTP port: MLflow's REST API, the web page. */
  int httpPort() {
    return server.httpPort();
  }

  GantryClient client(String user) {
    return GantryClient.connect("127.0.0.1:" + server.grpcPort(), user);
  }
}
