package io.gantry.server.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the server reads from its environment. With no variables set it runs the embedded
 * default: PostgreSQL and data under {@code ./gantry-data}, gRPC on 127.0.0.1:9090.
 *
 * @param grpcPort 0 picks a free port (tests)
 * @param dataDir home of the embedded database (and, later, filesystem artifacts)
 * @param externalDatabase set when {@code GANTRY_DB_URL} points at an external PostgreSQL
 */
public record ServerConfig(int grpcPort, Path dataDir, Optional<ExternalDatabase> externalDatabase) {

  public static final int DEFAULT_GRPC_PORT = 9090;
  public static final String DEFAULT_DATA_DIR = "gantry-data";

  /** Connection settings of an external PostgreSQL. */
  public record ExternalDatabase(String url, String user, String password) {}

  /**
   * Reads the configuration.
   *
   * @throws ConfigException naming the variable and what is wrong with it, in one line
   */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    int port = parsePort(env.get("GANTRY_GRPC_PORT"));
    Path dataDir = Path.of(env.getOrDefault("GANTRY_DATA_DIR", DEFAULT_DATA_DIR)).toAbsolutePath();
    Optional<ExternalDatabase> external = Optional.empty();
    String url = env.get("GANTRY_DB_URL");
    if (url != null && !url.isBlank()) {
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException(
            "GANTRY_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got '" + url + "'");
      }
      external = Optional.of(new ExternalDatabase(
          url, env.getOrDefault("GANTRY_DB_USER", ""), env.getOrDefault("GANTRY_DB_PASSWORD", "")));
    } else if (env.containsKey("GANTRY_DB_USER") || env.containsKey("GANTRY_DB_PASSWORD")) {
      throw new ConfigException("GANTRY_DB_USER/GANTRY_DB_PASSWORD are set but GANTRY_DB_URL is not");
    }
    return new ServerConfig(port, dataDir, external);
  }

  private static int parsePort(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_GRPC_PORT;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("GANTRY_GRPC_PORT must be a port number from 0 to 65535, got '" + value + "'");
  }
}
