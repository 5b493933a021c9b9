package io.gantry.server.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a browser: plain HTTP to the web page, keeping the cookies it is given and following nothing,
 * so a test sees every status, header and redirect as sent.
 */
final class PageClient {

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern HIDDEN_CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  private final String base;
  private final HttpClient http;
  final Map<String, String> cookies = new LinkedHashMap<>();

  PageClient(int httpPort) {
    this("http://127.0.0.1:" + httpPort, HTTP);
  }

  /** A browser of {@code base} ({@code https://…}, say) through {@code http}, which follows no redirect. */
  PageClient(String base, HttpClient http) {
    this.base = base;
    this.http = http;
  }

  /** Another browser of the same site holding this one's cookies: what a stolen cookie gives. */
  PageClient copyTo(int httpPort) {
    PageClient copy = new PageClient(httpPort);
    copy.cookies.putAll(cookies);
    return copy;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** Posts {@code fields} form-encoded, as a browser submits a form. */
  HttpResponse<String> post(String path, Map<String, String> fields, String... headers)
      throws IOException, InterruptedException {
    String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request);
  }

  /** The CSRF token a page's forms carry. */
  static String csrfField(HttpResponse<String> page) {
    Matcher matcher = HIDDEN_CSRF.matcher(page.body());
    if (!matcher.find()) {
      throw new AssertionError("no CSRF field on the page:\n" + page.body());
    }
    return matcher.group(1);
  }

  /** Signs in through the sign-in form: a user name on the loopback default, else a token. */
  void signIn(String credential) throws IOException, InterruptedException {
    HttpResponse<String> form = get("/ui/signin");
    HttpResponse<String> signedIn = post("/ui/signin", Map.of("csrf", csrfField(form), "credential", credential));
    if (signedIn.statusCode() != 303) {
      throw new AssertionError("sign-in failed: " + signedIn.body());
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    if (!cookies.isEmpty()) {
      request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String cookie : response.headers().allValues("Set-Cookie")) {
      String pair = cookie.substring(0, cookie.indexOf(';'));
      String name = pair.substring(0, pair.indexOf('='));
      String value = pair.substring(pair.indexOf('=') + 1);
      if (cookie.contains("Max-Age=0")) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
    return response;
  }
}
