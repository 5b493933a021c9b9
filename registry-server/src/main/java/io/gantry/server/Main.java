package io.gantry.server;

import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import sun.misc.Signal;

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
    // SIGTERM and SIGINT close the server before the JVM's shutdown hooks run: the embedded PostgreSQL library
    // registers a hook of its own that stops the database, and hooks run concurrently, so closing from a hook
    // would lose the database under the calls still draining and under the final audit checkpoint.
    for (String signal : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(signal), received -> {
        Thread stop = new Thread(() -> {
          server.close();
          // the shell's convention for a process ended by a signal: 143 for TERM, 130 for INT
          System.exit(128 + received.getNumber());
        }, "gantry-shutdown");
        // not a daemon (the signal thread is one): the JVM must not end when main returns, before this exits
        stop.setDaemon(false);
        stop.start();
      });
    }
    // any other way out (System.exit elsewhere, a hook-driven stop) still closes what it can
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "gantry-shutdown-hook"));
    server.awaitTermination();
  }
}
