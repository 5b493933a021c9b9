package io.gantry.client.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The importer's HTTP: GETs that carry the MLflow token only to the {@code --from} server's own origin (scheme,
 * host and port), never follow a redirect, and refuse to start when the token would go over plain http to another
 * machine. What else may be fetched at all is {@link ArtifactSourcePolicy}'s to say.
 */
public final class MlflowHttp {

  // NEVER: java.net.http repeats a request's own headers, the Authorization too, to wherever a redirect points
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final URI server;
  private final Origin serverOrigin;
  private final String token;

  private MlflowHttp(URI server, Origin serverOrigin, String token) {
    this.server = server;
    this.serverOrigin = serverOrigin;
    this.token = token;
  }

  /**
   * For the MLflow server at {@code url} ({@code https://mlflow.example}, {@code http://127.0.0.1:5000}), whose
   * {@code token} (null: none) goes to that origin only.
   *
   * @throws IllegalArgumentException for a URL that is not http(s) with a host, and for a token that would cross
   *     the network in clear: plain http to a host other than this machine
   */
  public static MlflowHttp server(String url, String token) {
    URI uri;
    try {
      uri = new URI(url.replaceAll("/+$", ""));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--from " + url + " is not a URL: " + e.getMessage());
    }
    Origin origin;
    try {
      origin = Origin.of(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--from " + e.getMessage());
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("--from " + url + " names a page, not a server: drop its ?… and #…");
    }
    if (token != null && origin.scheme().equals("http") && !origin.isLoopback()) {
      throw new IllegalArgumentException("--from " + url + " is plain http to another machine: the MLflow token "
          + "would cross the network in clear, where anyone on the path can read it; use https://"
          + uri.getRawAuthority() + " (or no token)");
    }
    return new MlflowHttp(uri, origin, token);
  }

  /** For an import from a file: no server, no token. */
  public static MlflowHttp withoutServer() {
    return new MlflowHttp(null, null, null);
  }

  /** The MLflow server's base URL, without a trailing slash; empty when the registry is read from a file. */
  public Optional<URI> server() {
    return Optional.ofNullable(server);
  }

  /** Whether a request to {@code url} carries the token: only when it goes to the server's own origin. */
  boolean sendsTokenTo(URI url) {
    if (token == null) {
      return false;
    }
    try {
      return Origin.of(url).equals(serverOrigin);
    } catch (IllegalArgumentException noOrigin) {
      return false;
    }
  }

  /**
   * The body of a GET of {@code url}, which must answer 200.
   *
   * @throws IOException naming the URL: another status (a redirect too), or no answer
   */
  InputStream get(URI url, Duration timeout) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout);
    if (sendsTokenTo(url)) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + url);
    } catch (IOException e) {
      // a refused connection has no message of its own
      throw new IOException("GET " + url + " failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
    if (response.statusCode() != 200) {
      try (InputStream body = response.body()) {
        throw new IOException("GET " + url + " answered " + response.statusCode()
            + response.headers().firstValue("Location").map(location -> " (to " + location + ", not followed)")
                .orElse("")
            + ": " + new String(body.readNBytes(500), StandardCharsets.UTF_8));
      }
    }
    return response.body();
  }
}
