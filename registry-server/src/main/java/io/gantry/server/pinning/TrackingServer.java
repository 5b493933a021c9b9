package io.gantry.server.pinning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.config.MlflowTracking;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GETs to MLflow's tracking server and nowhere else: every URL is the configured base plus a path this class
 * builds, the token goes with each (and so only there), and a redirect is an answer, never followed. Whether a
 * failure may pass decides retries: no answer, 429 and 5xx may; any other status will not.
 */
final class TrackingServer {

  /** MLflow's artifact proxy, under the server's base: {@code …/artifacts/<path>} downloads, {@code ?path=} lists. */
  static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);
  private static final int MAX_JSON_BYTES = 16 << 20;

  /** One entry of a proxy listing: a name directly under the listed folder. */
  record Entry(String name, boolean directory, long size) {}

  // NEVER follow: java.net.http repeats a request's headers, the Authorization too, to wherever a redirect points
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final MlflowTracking settings;

  TrackingServer(MlflowTracking settings) {
    this.settings = settings;
  }

  URI base() {
    return settings.uri();
  }

  /** The JSON a GET of {@code pathAndQuery} under the server's base answers. */
  JsonNode json(String pathAndQuery) throws PinFailure {
    URI url = URI.create(settings.uri() + pathAndQuery);
    try (InputStream body = get(url)) {
      byte[] bytes = body.readNBytes(MAX_JSON_BYTES + 1);
      if (bytes.length > MAX_JSON_BYTES) {
        throw PinFailure.lasting("GET " + url + " answered more than " + MAX_JSON_BYTES + " bytes of JSON");
      }
      return JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw PinFailure.lasting("GET " + url + " answered no JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw PinFailure.passing("GET " + url + " failed while answering: " + e.getMessage(), e);
    }
  }

  /** What is directly under the proxy folder {@code path} (decoded, without leading or trailing {@code /}). */
  List<Entry> list(String path) throws PinFailure {
    JsonNode listing = json(PROXY + "?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    List<Entry> entries = new ArrayList<>();
    for (JsonNode file : listing.path("files")) {
      // MLflow names each entry by its base name; file_size is a number, or a string (int64 in proto JSON)
      entries.add(new Entry(file.path("path").asText(""), file.path("is_dir").asBoolean(false),
          file.path("file_size").asLong(-1)));
    }
    return entries;
  }

  /** The bytes of the proxy file {@code path}; the caller closes the stream. */
  InputStream download(String path) throws PinFailure {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return get(URI.create(settings.uri() + PROXY + "/" + String.join("/", segments)));
  }

  private InputStream get(URI url) throws PinFailure {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(ANSWER_TIMEOUT)
        .header("Accept", "application/json, */*");
    settings.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PinFailure.passing("interrupted while fetching " + url, new InterruptedIOException());
    } catch (IOException e) {
      // a refused connection has no message of its own
      throw PinFailure.passing("GET " + url + " failed: " + (e.getMessage() == null ? e.toString()
          : e.getMessage()), e);
    }
    int status = response.statusCode();
    if (status == 200) {
      return response.body();
    }
    String said;
    try (InputStream body = response.body()) {
      said = new String(body.readNBytes(300), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
    } catch (IOException e) {
      said = "";
    }
    String reason = "GET " + url + " answered " + status
        + response.headers().firstValue("Location").map(to -> " (a redirect to " + to + ", not followed)").orElse("")
        + (said.isEmpty() ? "" : ": " + said);
    if (status == 429 || status >= 500) {
      throw PinFailure.passing(reason, null);
    }
    throw PinFailure.lasting(reason);
  }

  /** Whether {@code url} is on the tracking server: same scheme, host and port. */
  boolean isServer(URI url) {
    return origin(url).equals(origin(settings.uri()));
  }

  /** Whether {@code authority} ({@code host[:port]}) is the tracking server's, its port defaulting by scheme. */
  boolean isServerAuthority(String authority) {
    return isServer(URI.create(settings.uri().getScheme() + "://" + authority + "/"));
  }

  private static String origin(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    return url.getRawUserInfo() != null ? "(user info)" : scheme + "://" + host + ":" + port;
  }
}
