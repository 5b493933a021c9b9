package io.gantry.client.mlflow;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the importer may read a version's files from. An export is data written by whoever controls the MLflow
 * server or the file, so a version's {@code source} alone never makes the importer read this machine's files or
 * call another host: remote files come only from the {@code --from} server's own origin or from a store the admin
 * named with {@code --artifact-source} (matched on the normalized URI, by whole path segments), local files only
 * from inside {@code --artifact-root} once {@code ..} and symbolic links are resolved. Everything else a source
 * names is {@link Refused}; a scheme the importer has no reader for ({@code s3://}, {@code runs:/}) is left alone.
 */
public final class ArtifactSourcePolicy {

  /** Where MLflow's artifact proxy answers on its server, the endpoint of {@code mlflow-artifacts:} URIs. */
  static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
  private static final String PROXY_MARK = "/mlflow-artifacts/artifacts";
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):");

  /** Where the files of a source the importer may read are. */
  public sealed interface Location permits LocalDirectory, Proxy {}

  /** A directory of this machine, its real path, inside {@code --artifact-root}. */
  public record LocalDirectory(Path directory) implements Location {}

  /**
   * A folder behind an MLflow artifact proxy: the proxy's endpoint ({@code …/mlflow-artifacts/artifacts}) and the
   * folder's path under it, decoded ({@code 7/run/artifacts/model}).
   */
  public record Proxy(URI endpoint, String root) implements Location {}

  /** A source the importer was not allowed to read; the message says why, in terms of the options. */
  public static final class Refused extends Exception {
    Refused(String reason) {
      super(reason);
    }
  }

  /** An allowed store: its origin and the path segments every source under it starts with. */
  private record Prefix(Origin origin, List<String> segments) {
    boolean covers(Origin other, List<String> path) {
      return origin.equals(other) && path.size() >= segments.size()
          && path.subList(0, segments.size()).equals(segments);
    }
  }

  private final URI server;
  private final Origin serverOrigin;
  private final List<Prefix> allowed;
  private final Path root;
  private final Path realRoot;

  private ArtifactSourcePolicy(URI server, List<Prefix> allowed, Path root, Path realRoot) {
    this.server = server;
    this.serverOrigin = server == null ? null : Origin.of(server);
    this.allowed = allowed;
    this.root = root;
    this.realRoot = realRoot;
  }

  /**
   * @param server the {@code --from} server, empty when reading a file
   * @param artifactSources the {@code --artifact-source} URIs: {@code http(s)://host[:port][/path]} or
   *     {@code mlflow-artifacts://host[:port][/path]}
   * @param artifactRoot the {@code --artifact-root} directory, or null: then no local source is read
   * @throws IllegalArgumentException naming the option that cannot be used, and why
   */
  public static ArtifactSourcePolicy of(Optional<URI> server, List<String> artifactSources, Path artifactRoot) {
    List<Prefix> allowed = new ArrayList<>();
    for (String source : artifactSources) {
      allowed.add(prefix(source, server.orElse(null)));
    }
    if (artifactRoot == null) {
      return new ArtifactSourcePolicy(server.orElse(null), allowed, null, null);
    }
    Path root = artifactRoot.toAbsolutePath().normalize();
    try {
      Path realRoot = root.toRealPath();
      if (!Files.isDirectory(realRoot)) {
        throw new IllegalArgumentException("--artifact-root " + artifactRoot + " is not a directory");
      }
      return new ArtifactSourcePolicy(server.orElse(null), allowed, root, realRoot);
    } catch (IOException e) {
      throw new IllegalArgumentException("--artifact-root " + artifactRoot + " cannot be read: " + e);
    }
  }

  private static Prefix prefix(String source, URI server) {
    Matcher scheme = SCHEME.matcher(source);
    String name = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
    try {
      URI url = switch (name) {
        case "http", "https" -> parse(source);
        case "mlflow-artifacts" -> {
          URI uri = parse(source);
          if (uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("it names no host; the --from server's own proxy is always allowed");
          }
          yield proxyUrl(uri, server);
        }
        case "s3" -> throw new IllegalArgumentException("the importer reads no s3:// store itself (versions stored "
            + "there keep their source URI); name the artifact proxy of the MLflow server that serves it");
        default -> throw new IllegalArgumentException("only http://, https:// and mlflow-artifacts:// stores can be "
            + "named");
      };
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw new IllegalArgumentException("it has a ?… or #…");
      }
      return new Prefix(Origin.of(url), segments(url));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--artifact-source " + source + " cannot be used: " + e.getMessage());
    }
  }

  /**
   * Where the files of {@code source} are, if the importer may read them; empty for a source it has no reader for
   * (it keeps its source URI), or a local directory that does not exist.
   *
   * @throws Refused for a source outside what the options allow
   * @throws IOException when a local path cannot be resolved
   */
  public Optional<Location> locate(String source) throws Refused, IOException {
    Matcher scheme = SCHEME.matcher(source);
    if (!scheme.find()) {
      return local(source);
    }
    switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
      case "file":
        return local(filePath(source));
      case "mlflow-artifacts":
        URI uri = parseOrRefuse(source);
        if (uri.getRawAuthority() == null && server == null) {
          return Optional.empty();  // the proxy of no server: reading a file, there is nothing to reach
        }
        return remote(proxyUrl(uri, server));
      case "http":
      case "https":
        return remote(parseOrRefuse(source));
      default:
        return Optional.empty();
    }
  }

  private Optional<Location> local(String path) throws Refused, IOException {
    if (root == null) {
      throw new Refused("a path on this machine: local files are read only under --artifact-root, and none was "
          + "given");
    }
    Path lexical;
    try {
      lexical = Path.of(path).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new Refused("not a path: " + e.getMessage());
    }
    if (!lexical.startsWith(root) && !lexical.startsWith(realRoot)) {
      throw new Refused(lexical + " is outside --artifact-root " + root);
    }
    Path real;
    try {
      real = lexical.toRealPath();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!real.startsWith(realRoot)) {
      throw new Refused(lexical + " is a symbolic link to " + real + ", outside --artifact-root " + root);
    }
    return Files.isDirectory(real) ? Optional.of(new LocalDirectory(real)) : Optional.empty();
  }

  private static String filePath(String source) throws Refused {
    URI uri = parseOrRefuse(source);
    String host = uri.getRawAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw new Refused("a file on the host '" + host + "': only this machine's files are read");
    }
    if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
      throw new Refused("not an absolute file: URI");
    }
    return uri.getPath();
  }

  private Optional<Location> remote(URI url) throws Refused {
    Origin origin;
    List<String> path;
    try {
      origin = Origin.of(url);
      path = segments(url);
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
    if (!origin.equals(serverOrigin) && allowed.stream().noneMatch(prefix -> prefix.covers(origin, path))) {
      throw new Refused(origin + " is neither the --from server's origin ("
          + (serverOrigin == null ? "none: reading a file" : serverOrigin) + ") nor under an --artifact-source");
    }
    String raw = url.getRawPath();
    int mark = raw.indexOf(PROXY_MARK + "/");
    if (mark < 0) {
      return Optional.empty();  // not MLflow's artifact proxy: the importer has no reader for it
    }
    int end = mark + PROXY_MARK.length();
    return Optional.of(new Proxy(URI.create(origin.scheme() + "://" + url.getRawAuthority() + raw.substring(0, end)),
        String.join("/", segments(URI.create(raw.substring(end))))));
  }

  /**
   * {@code mlflow-artifacts:/path} is the proxy of the server read
   * ({@code …/api/2.0/mlflow-artifacts/artifacts/path}), {@code mlflow-artifacts://host:port/path} that of another
   * server, reached with the scheme of the server read as MLflow does (http when reading a file).
   */
  private static URI proxyUrl(URI uri, URI server) {
    String path = uri.isOpaque() ? "/" + uri.getRawSchemeSpecificPart() : uri.getRawPath();
    String base = uri.getRawAuthority() == null ? server.toString()
        : (server == null ? "http" : server.getScheme()) + "://" + uri.getRawAuthority();
    return parse(base + PROXY + path);
  }

  /**
   * The decoded, non-empty segments of the URL's path. Dot segments and escaped slashes are refused: a server may
   * read them differently than this comparison does.
   */
  private static List<String> segments(URI url) {
    String raw = url.getRawPath() == null ? "" : url.getRawPath();
    String lower = raw.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || raw.contains("\\")) {
      throw new IllegalArgumentException(url + " hides a / or \\ in an escape in its path");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : url.getPath().split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(url + " has a . or .. segment in its path");
      }
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  private static URI parse(String uri) {
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI: " + e.getMessage());
    }
  }

  private static URI parseOrRefuse(String uri) throws Refused {
    try {
      return parse(uri);
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
  }
}
