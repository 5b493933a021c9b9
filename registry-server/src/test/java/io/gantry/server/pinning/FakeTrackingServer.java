package io.gantry.server.pinning;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * MLflow's tracking server as Gantry meets it, on loopback: {@code runs/get}, MLflow 3's {@code logged-models/<id>}
 * and the artifact proxy's list and download, answered from the recording under {@code pinning/tracking} (its
 * README says what each file is). It records every request, and a test may give a path a plan of its own: an answer
 * to send instead, or a wait.
 */
final class FakeTrackingServer implements AutoCloseable {

  /** One request as it arrived: path and query as sent, and its Authorization header. */
  record Request(String pathAndQuery, String authorization) {}

  /** What to do with a request instead of answering it from the recording; null answers as recorded. */
  interface Plan {
    Integer status(Request request) throws IOException;
  }

  /** Close the connection without an answer. */
  static final int DROP = -1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";

  private final HttpServer server;
  private final Path root;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, byte[]> extraFiles = new ConcurrentHashMap<>();

  FakeTrackingServer() throws IOException {
    try {
      root = Path.of(FakeTrackingServer.class.getResource("/pinning/tracking").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "fake-mlflow-tracking");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String authority() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests whose path and query start with {@code prefix} follow {@code plan}. */
  void plan(String prefix, Plan plan) {
    plans.put(prefix, plan);
  }

  /** Serves {@code bytes} as the proxy file {@code path} besides the recording, listed as 10 bytes. */
  void addFile(String path, byte[] bytes) {
    extraFiles.put(path, bytes);
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String raw = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
          : "?" + exchange.getRequestURI().getRawQuery());
      Request request = new Request(raw, exchange.getRequestHeaders().getFirst("Authorization"));
      requests.add(request);
      for (var plan : plans.entrySet()) {
        if (raw.startsWith(plan.getKey())) {
          Integer status = plan.getValue().status(request);
          if (status != null) {
            if (status != DROP) {
              if (status / 100 == 3) {
                exchange.getResponseHeaders().add("Location", url() + "/elsewhere");
              }
              send(exchange, status, "application/json", error("TEMPORARILY_UNAVAILABLE", "planned " + status));
            }
            return;
          }
        }
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        send(exchange, 405, "application/json", error("ENDPOINT_NOT_FOUND", "GET only"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/api/2.0/mlflow/runs/get")) {
        String runId = query(exchange, "run_id");
        recorded(exchange, "runs/" + runId + ".json", "Run with id=" + runId + " not found");
      } else if (path.startsWith("/api/2.0/mlflow/logged-models/")) {
        String id = path.substring("/api/2.0/mlflow/logged-models/".length());
        recorded(exchange, "logged-models/" + id + ".json", "Logged model with ID '" + id + "' not found.");
      } else if (path.equals(PROXY)) {
        list(exchange, query(exchange, "path"));
      } else if (path.startsWith(PROXY + "/")) {
        download(exchange, path.substring(PROXY.length() + 1));
      } else {
        send(exchange, 404, "text/html",
            "<!doctype html><title>404 Not Found</title>".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private void recorded(HttpExchange exchange, String file, String missing) throws IOException {
    Path answer = inside(root, file);
    if (answer == null || !Files.isRegularFile(answer)) {
      send(exchange, 404, "application/json", error("RESOURCE_DOES_NOT_EXIST", missing));
      return;
    }
    send(exchange, 200, "application/json", Files.readAllBytes(answer));
  }

  /** As {@code _list_artifacts_mlflow_artifacts}: each entry by base name; nothing there lists nothing. */
  private void list(HttpExchange exchange, String path) throws IOException {
    ObjectNode json = JSON.createObjectNode();
    Path dir = inside(root.resolve("artifacts"), path == null ? "" : path);
    ArrayNode files = JSON.createArrayNode();
    if (dir != null && Files.isDirectory(dir)) {
      try (Stream<Path> children = Files.list(dir)) {
        for (Path child : children.sorted().toList()) {
          ObjectNode entry = files.addObject().put("path", child.getFileName().toString())
              .put("is_dir", Files.isDirectory(child));
          if (!Files.isDirectory(child)) {
            entry.put("file_size", Files.size(child));
          }
        }
      }
    }
    String prefix = path == null || path.isEmpty() ? "" : path + "/";
    extraFiles.forEach((file, bytes) -> {
      if (file.startsWith(prefix) && !file.substring(prefix.length()).contains("/")) {
        // listed small whatever it holds: the bound is on what arrives
        files.addObject().put("path", file.substring(prefix.length())).put("is_dir", false).put("file_size", 10);
      }
    });
    if (!files.isEmpty()) {
      json.set("files", files);
    }
    send(exchange, 200, "application/json", JSON.writeValueAsBytes(json));
  }

  private void download(HttpExchange exchange, String path) throws IOException {
    byte[] extra = extraFiles.get(path);
    if (extra != null) {
      send(exchange, 200, "application/octet-stream", extra);
      return;
    }
    Path file = inside(root.resolve("artifacts"), path);
    if (file == null || !Files.isRegularFile(file)) {
      send(exchange, 404, "application/json", error("RESOURCE_DOES_NOT_EXIST", "File not found: " + path));
      return;
    }
    send(exchange, 200, "application/octet-stream", Files.readAllBytes(file));
  }

  /** {@code base/relative}, or null when it leaves {@code base}: the recording is all this server holds. */
  private static Path inside(Path base, String relative) {
    Path resolved = base.resolve(relative).normalize();
    return resolved.startsWith(base) ? resolved : null;
  }

  private static String query(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static byte[] error(String code, String message) throws IOException {
    return JSON.writeValueAsBytes(JSON.createObjectNode().put("error_code", code).put("message", message));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** Every file under the recorded proxy folder {@code folder}, by path inside it, with its bytes. */
  Map<String, byte[]> recordedFiles(String folder) throws IOException {
    Path dir = root.resolve("artifacts").resolve(folder);
    Map<String, byte[]> files = new java.util.TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path file : all.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
    }
    return files;
  }
}
