package io.gantry.server;

import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;

/** {@code java -jar registry-server.jar}: configuration from the environment, SIGTERM drains and stops. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    GantryServer server;
    try {
      server = GantryServer.start(ServerConfig.fromEnvironment(System.getenv()));
    } catch (ConfigException e) {
      System.err.println("gantry: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "gantry-shutdown"));
    server.awaitTermination();
  }
}
