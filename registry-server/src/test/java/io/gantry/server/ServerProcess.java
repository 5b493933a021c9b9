package io.gantry.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The server as a separate process, as an operator runs it. */
public final class ServerProcess {

  private static final Pattern SERVING = Pattern.compile("serving gRPC on port (\\d+)");

  private ServerProcess() {}

  /** Starts {@code Main} in a JVM of its own, heap capped at 256 MiB, configured by {@code env} alone. */
  public static Process launch(Map<String, String> env) throws IOException {
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
  public static int awaitPort(Process server) throws Exception {
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
