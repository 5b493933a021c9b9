package io.gantry.server.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the files of a version's source are on the tracking server's artifact proxy, as MLflow's own artifact
 * repositories resolve it: {@code runs:/RUN/path} through the run's {@code artifact_uri}
 * (runs_artifact_repo.py), {@code models:/m-ID} through the logged model's (models_artifact_repo.py), and
 * {@code mlflow-artifacts:} and proxy URLs as they are (mlflow_artifacts_repo.py). A location anywhere but the
 * tracking server is refused, never reached: another host, an {@code s3://} or local store the run names (Gantry
 * reads a run's files only through the proxy), or a path that leaves the run's artifact root.
 */
final class SourceLocator {

  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,256}");
  private static final String PROXY_MARK = "/mlflow-artifacts/artifacts";

  private final TrackingServer server;

  SourceLocator(TrackingServer server) {
    this.server = server;
  }

  /**
   * Whether Gantry pins {@code source}: the sources MLflow's client writes when it registers a logged model.
   * Others ({@code s3://}, {@code models:/name/1}, an http URL that is no artifact proxy) keep their URI only.
   */
  static boolean pins(String source) {
    Matcher scheme = SCHEME.matcher(source);
    if (!scheme.find()) {
      return false;
    }
    return switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
      case "runs", "mlflow-artifacts" -> true;
      case "models" -> source.startsWith("models:/m-");
      case "http", "https" -> source.contains(PROXY_MARK + "/");
      default -> false;
    };
  }

  /** The proxy path ({@code 1/RUN/artifacts/model}, decoded) of the folder {@code source} names. */
  String locate(String source) throws PinFailure {
    URI uri = parse(source);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("runs") || scheme.equals("models")) {
      if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
        throw PinFailure.lasting(source + " names the tracking server '" + uri.getRawAuthority() + "'; only the "
            + "one Gantry is configured with (" + server.base() + ") is read");
      }
      List<String> path = segments(source, uri);
      if (path.isEmpty() || !ID.matcher(path.get(0)).matches()) {
        throw PinFailure.lasting(source + " names no run or logged model id");
      }
      String id = path.get(0);
      String root = scheme.equals("runs")
          ? artifactRoot(server.json("/api/2.0/mlflow/runs/get?run_id=" + encode(id)).path("run").path("info"),
              "run " + id)
          : artifactRoot(server.json("/api/2.0/mlflow/logged-models/" + encode(id)).path("model").path("info"),
              "logged model " + id);
      List<String> under = path.subList(1, path.size());
      return under.isEmpty() ? root : root + "/" + String.join("/", under);
    }
    return proxyPath(source, uri);
  }

  /** The proxy path of the {@code artifact_uri} MLflow answered for a run or logged model. */
  private String artifactRoot(JsonNode info, String what) throws PinFailure {
    String artifactUri = info.path("artifact_uri").asText("");
    if (artifactUri.isEmpty()) {
      throw PinFailure.lasting("the tracking server answered no artifact_uri for " + what);
    }
    Matcher scheme = SCHEME.matcher(artifactUri);
    String name = scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
    if (!name.equals("mlflow-artifacts") && !name.equals("http") && !name.equals("https")) {
      throw PinFailure.lasting("MLflow keeps the files of " + what + " at " + artifactUri + ", which Gantry does not "
          + "read: it copies files only through the tracking server's artifact proxy (runs of `mlflow server` with "
          + "--serve-artifacts have mlflow-artifacts: URIs)");
    }
    return proxyPath(artifactUri, parse(artifactUri));
  }

  /** {@code mlflow-artifacts:[//host]/path} or {@code http(s)://host/…/mlflow-artifacts/artifacts/path}. */
  private String proxyPath(String source, URI uri) throws PinFailure {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("mlflow-artifacts")) {
      String authority = uri.getRawAuthority();
      if (authority != null && !authority.isEmpty() && !serverAuthority(authority)) {
        throw PinFailure.lasting(source + " names the artifact proxy of '" + authority + "', not the tracking server "
            + server.base() + "; only that server is contacted");
      }
      return String.join("/", segments(source, uri));
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw PinFailure.lasting(source + " is not a location Gantry copies from");
    }
    if (!server.isServer(uri)) {
      throw PinFailure.lasting(source + " is not on the tracking server " + server.base()
          + "; only that server is contacted");
    }
    String prefix = server.base().getRawPath() + TrackingServer.PROXY;
    String raw = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!raw.startsWith(prefix + "/") || uri.getRawQuery() != null) {
      throw PinFailure.lasting(source + " is not under the tracking server's artifact proxy " + server.base()
          + TrackingServer.PROXY);
    }
    return String.join("/", segments(source, parse(raw.substring(prefix.length()))));
  }

  private boolean serverAuthority(String authority) {
    try {
      return server.isServerAuthority(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The decoded, non-empty segments of the URI's path. Dot segments and escaped slashes are refused: a path that
   * may leave the folder it names is never sent.
   */
  private static List<String> segments(String source, URI uri) throws PinFailure {
    String raw = uri.isOpaque() ? uri.getRawSchemeSpecificPart() : uri.getRawPath();
    raw = raw == null ? "" : raw;
    String lower = raw.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || raw.contains("\\")) {
      throw PinFailure.lasting(source + " hides a / or \\ in an escape in its path");
    }
    String decoded = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
    List<String> segments = new ArrayList<>();
    for (String segment : (decoded == null ? "" : decoded).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw PinFailure.lasting(source + " has a . or .. segment: a path may not leave the artifact root it names");
      }
      if (segment.codePoints().anyMatch(Character::isISOControl)) {
        throw PinFailure.lasting(source + " has a control character in its path");
      }
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  private static URI parse(String uri) throws PinFailure {
    try {
      URI parsed = new URI(uri);
      if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
        throw PinFailure.lasting(uri + " has a ?… or #…; a source names a folder");
      }
      return parsed;
    } catch (URISyntaxException e) {
      throw PinFailure.lasting("not a URI: " + e.getMessage());
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
