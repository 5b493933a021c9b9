package io.gantry.client.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.client.ArtifactDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files of an MLflow model version, where the importer may reach them ({@link ArtifactSourcePolicy}): a local
 * directory, or an MLflow artifact proxy ({@code mlflow-artifacts:}, or its {@code http(s)://} form), downloaded
 * into a scratch directory. Any other source (s3://, runs:/ …) is not reached: the version keeps it as its source
 * URI.
 */
public final class MlflowArtifactSource {

  /** A version's files on this machine: the directory, and every regular file under it, each checked to be inside. */
  public record VersionFiles(Path directory, List<Path> files) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(10);

  private final ArtifactSourcePolicy policy;
  private final MlflowHttp http;
  private final Path scratch;
  private int downloads;

  /** @param scratch where proxied files are downloaded to */
  public MlflowArtifactSource(ArtifactSourcePolicy policy, MlflowHttp http, Path scratch) {
    this.policy = policy;
    this.http = http;
    this.scratch = scratch;
  }

  /**
   * The files of the version whose source is {@code source}; empty if the importer cannot read such a source.
   *
   * @throws ArtifactSourcePolicy.Refused when the policy forbids reading it, or a file under it is a symbolic link
   *     out of it
   * @throws IOException when a readable source fails while its files are fetched
   */
  public Optional<VersionFiles> files(String source) throws ArtifactSourcePolicy.Refused, IOException {
    Optional<ArtifactSourcePolicy.Location> location = policy.locate(source);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Path dir;
    if (location.get() instanceof ArtifactSourcePolicy.LocalDirectory local) {
      dir = local.directory();
    } else {
      ArtifactSourcePolicy.Proxy proxy = (ArtifactSourcePolicy.Proxy) location.get();
      dir = scratch.resolve("version-" + (++downloads));
      Files.createDirectories(dir);
      fetch(proxy, "", dir);
    }
    try {
      return Optional.of(new VersionFiles(dir, ArtifactDirectory.regularFiles(dir)));
    } catch (IllegalArgumentException linkOutOrSpecialFile) {
      throw new ArtifactSourcePolicy.Refused(linkOutOrSpecialFile.getMessage());
    }
  }

  /** Copies the tree under the proxy's root/{@code relative} into {@code dir}. */
  private void fetch(ArtifactSourcePolicy.Proxy proxy, String relative, Path dir) throws IOException {
    String listed = proxy.root() + (relative.isEmpty() ? "" : "/" + relative);
    JsonNode listing;
    try (InputStream in = http.get(URI.create(proxy.endpoint() + "?path="
        + URLEncoder.encode(listed, StandardCharsets.UTF_8)), TRANSFER_TIMEOUT)) {
      listing = JSON.readTree(in.readAllBytes());
    }
    for (JsonNode file : listing.path("files")) {
      // MLflow lists paths relative to the root it was asked about
      String path = file.path("path").asText();
      String name = path.substring(path.lastIndexOf('/') + 1);
      String child = relative.isEmpty() ? name : relative + "/" + name;
      Path target = dir.resolve(child).normalize();
      if (!target.startsWith(dir) || name.isEmpty() || name.equals("..") || name.equals(".")
          || name.indexOf('\\') >= 0) {
        throw new IOException("the artifact listing of " + listed + " names a path outside it: " + path);
      }
      if (file.path("is_dir").asBoolean()) {
        Files.createDirectories(target);
        fetch(proxy, child, dir);
      } else {
        Files.createDirectories(target.getParent());
        try (InputStream in = http.get(URI.create(proxy.endpoint() + "/" + encodedPath(listed + "/" + name)),
            TRANSFER_TIMEOUT)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String encodedPath(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return String.join("/", segments);
  }
}
