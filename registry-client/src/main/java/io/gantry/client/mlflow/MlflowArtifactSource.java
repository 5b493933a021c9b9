package io.gantry.client.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The files of an MLflow model version, where the importer can reach them: a local directory ({@code file://} or a
 * plain path), or MLflow's artifact proxy ({@code mlflow-artifacts:}), downloaded into a scratch directory. Any
 * other source (s3://, runs:/ …) is not reached: the version keeps it as its source URI.
 */
public final class MlflowArtifactSource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String mlflowBase;
  private final String token;
  private final Path scratch;
  private int downloads;

  /**
   * @param mlflowBase the MLflow server the registry was read from ({@code http://mlflow:5000}), or null
   * @param scratch where proxied files are downloaded to
   */
  public MlflowArtifactSource(String mlflowBase, String token, Path scratch) {
    this.mlflowBase = mlflowBase == null ? null : mlflowBase.replaceAll("/+$", "");
    this.token = token;
    this.scratch = scratch;
  }

  /**
   * A local directory holding the version's files, if they can be reached.
   *
   * @throws IOException when a reachable source fails while its files are fetched
   */
  public Optional<Path> directory(String source) throws IOException {
    if (source.startsWith("file://")) {
      Path dir = Path.of(URI.create(source));
      return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
    if (source.startsWith("/")) {
      Path dir = Path.of(source);
      return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
    if (source.startsWith("mlflow-artifacts:")) {
      URI uri = URI.create(source);
      String base = uri.getAuthority() != null ? "http://" + uri.getAuthority() : mlflowBase;
      if (base == null) {
        return Optional.empty();
      }
      Path dir = scratch.resolve("version-" + (++downloads));
      Files.createDirectories(dir);
      fetch(base, uri.getPath().replaceAll("^/+", ""), "", dir);
      return Optional.of(dir);
    }
    return Optional.empty();
  }

  /** Copies the tree under {@code root}/{@code relative} from the proxy into {@code dir}. */
  private void fetch(String base, String root, String relative, Path dir) throws IOException {
    String listed = root + (relative.isEmpty() ? "" : "/" + relative);
    JsonNode listing = JSON.readTree(get(base + PROXY + "?path=" + URLEncoder.encode(listed, StandardCharsets.UTF_8))
        .readAllBytes());
    for (JsonNode file : listing.path("files")) {
      // MLflow lists paths relative to the root it was asked about
      String path = file.path("path").asText();
      String name = path.substring(path.lastIndexOf('/') + 1);
      String child = relative.isEmpty() ? name : relative + "/" + name;
      Path target = dir.resolve(child).normalize();
      if (!target.startsWith(dir) || name.isEmpty() || name.equals("..")) {
        throw new IOException("the artifact listing of " + listed + " names a path outside it: " + path);
      }
      if (file.path("is_dir").asBoolean()) {
        Files.createDirectories(target);
        fetch(base, root, child, dir);
      } else {
        Files.createDirectories(target.getParent());
        try (InputStream in = get(base + PROXY + "/" + root + "/" + child)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private InputStream get(String url) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        try (InputStream body = response.body()) {
          throw new IOException("GET " + url + " answered " + response.statusCode() + ": "
              + new String(body.readNBytes(500), StandardCharsets.UTF_8));
        }
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + url, e);
    }
  }
}
