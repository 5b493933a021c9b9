package io.gantry.client.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on a loopback port of its own that answers fixed bodies by request URI (path and query) and
 * records every request it receives with its {@code Authorization} header: an MLflow server, its artifact proxy, or
 * a host an attacker named in an export.
 */
final class RecordingHttpHost implements AutoCloseable {

  static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";

  /** A request received: its URI as sent, and its Authorization header (null when none). */
  record Request(String uri, String authorization) {}

  private final HttpServer server;
  private final Map<String, byte[]> answers = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private RecordingHttpHost() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String uri = exchange.getRequestURI().toString();
      requests.add(new Request(uri, exchange.getRequestHeaders().getFirst("Authorization")));
      String location = redirects.get(uri);
      if (location != null) {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
        return;
      }
      byte[] body = answers.get(uri);
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (body != null) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  static RecordingHttpHost start() throws IOException {
    return new RecordingHttpHost();
  }

  /** {@code http://127.0.0.1:PORT}, no trailing slash. */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int port() {
    return server.getAddress().getPort();
  }

  RecordingHttpHost answer(String uri, String body) {
    answers.put(uri, body.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  RecordingHttpHost redirect(String uri, String location) {
    redirects.put(uri, location);
    return this;
  }

  /** Answers MLflow's searches with one model whose versions are {@code versionsJson} (a JSON array). */
  RecordingHttpHost registry(String model, String versionsJson) {
    answer("/api/2.0/mlflow/registered-models/search?max_results=100",
        "{\"registered_models\": [{\"name\": \"" + model + "\"}]}");
    return answer("/api/2.0/mlflow/model-versions/search?max_results=100&filter="
        + URLEncoder.encode("name='" + model + "'", StandardCharsets.UTF_8),
        "{\"model_versions\": " + versionsJson + "}");
  }

  /**
   * Serves {@code files} (path in the model → content) under {@code root} as MLflow's artifact proxy does: a listing
   * per folder ({@code ?path=root/folder}, paths relative to the root) and each file's bytes.
   */
  RecordingHttpHost proxy(String root, Map<String, String> files) {
    Map<String, TreeSet<String>> folders = new TreeMap<>();
    folders.put("", new TreeSet<>());
    for (String path : files.keySet()) {
      String parent = "";
      for (String segment : path.split("/")) {
        String child = parent.isEmpty() ? segment : parent + "/" + segment;
        folders.computeIfAbsent(parent, p -> new TreeSet<>()).add(child);
        if (!child.equals(path)) {
          folders.computeIfAbsent(child, p -> new TreeSet<>());
        }
        parent = child;
      }
    }
    folders.forEach((folder, children) -> {
      StringBuilder listing = new StringBuilder("{\"files\": [");
      children.forEach(child -> listing.append(listing.charAt(listing.length() - 1) == '[' ? "" : ", ")
          .append("{\"path\": \"").append(child).append("\", \"is_dir\": ").append(!files.containsKey(child))
          .append("}"));
      String listed = folder.isEmpty() ? root : root + "/" + folder;
      answer(PROXY + "?path=" + URLEncoder.encode(listed, StandardCharsets.UTF_8), listing.append("]}").toString());
    });
    files.forEach((path, content) -> answer(PROXY + "/" + root + "/" + path, content));
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
