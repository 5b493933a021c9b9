package io.gantry.server.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow's tracking server, whose runs hold the files of versions registered through MLflow's REST API
 * ({@code GANTRY_MLFLOW_TRACKING_URI}): Gantry copies them from it into its own store (docs/mlflow.md, "Files
 * pinned on register"). Only this server is ever contacted for them, and only it receives the token.
 *
 * @param uri the server's base URL, without a trailing slash ({@code http://mlflow:5000})
 * @param token sent as {@code Authorization: Bearer} to that server only ({@code GANTRY_MLFLOW_TRACKING_TOKEN})
 * @param maxBytes the most one version's files may hold together ({@code GANTRY_MLFLOW_PIN_MAX_BYTES})
 * @param maxFiles the most files one version may hold ({@code GANTRY_MLFLOW_PIN_MAX_FILES})
 * @param attempts how often a copy that failed for a passing reason (no answer, a 5xx) is tried in all
 *     ({@code GANTRY_MLFLOW_PIN_ATTEMPTS})
 * @param firstRetry the wait before the second attempt; each later one doubles
 *     ({@code GANTRY_MLFLOW_PIN_RETRY_MILLIS})
 */
public record MlflowTracking(URI uri, Optional<String> token, long maxBytes, int maxFiles, int attempts,
    Duration firstRetry) {

  static Optional<MlflowTracking> fromEnvironment(Map<String, String> env) {
    String url = env.getOrDefault("GANTRY_MLFLOW_TRACKING_URI", "").trim();
    Optional<String> token = Optional.ofNullable(env.get("GANTRY_MLFLOW_TRACKING_TOKEN")).map(String::trim)
        .filter(t -> !t.isEmpty());
    if (url.isEmpty()) {
      if (token.isPresent()) {
        throw new ConfigException("GANTRY_MLFLOW_TRACKING_TOKEN is set but GANTRY_MLFLOW_TRACKING_URI is not");
      }
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url.replaceAll("/+$", ""));
    } catch (URISyntaxException e) {
      throw new ConfigException("GANTRY_MLFLOW_TRACKING_URI is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new ConfigException("GANTRY_MLFLOW_TRACKING_URI must be an http:// or https:// URL with a host, got '"
          + url + "'");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException("GANTRY_MLFLOW_TRACKING_URI must name the server alone (no user@, ?… or #…), got '"
          + url + "'; give a token in GANTRY_MLFLOW_TRACKING_TOKEN");
    }
    if (token.isPresent() && scheme.equals("http") && !loopback(uri.getHost())) {
      throw new ConfigException("GANTRY_MLFLOW_TRACKING_URI is plain http to another machine: the token would "
          + "cross the network in clear; use https://" + uri.getRawAuthority());
    }
    long attempts = ServerConfig.positive(env, "GANTRY_MLFLOW_PIN_ATTEMPTS", 5);
    long maxFiles = ServerConfig.positive(env, "GANTRY_MLFLOW_PIN_MAX_FILES", 10_000);
    return Optional.of(new MlflowTracking(uri, token,
        ServerConfig.positive(env, "GANTRY_MLFLOW_PIN_MAX_BYTES", 20L << 30),
        (int) Math.min(maxFiles, 1_000_000), (int) Math.min(attempts, 100),
        Duration.ofMillis(ServerConfig.positive(env, "GANTRY_MLFLOW_PIN_RETRY_MILLIS", 2000))));
  }

  private static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // a literal address only: a name is not looked up here
      return host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+\\]")
          && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "MlflowTracking[" + uri + (token.isPresent() ? ", token set" : "") + "]";
  }
}
