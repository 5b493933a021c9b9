package io.gantry.server.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP port's routes behind its {@link HttpBoundary}: every request, to an unknown path too, is judged first, and
 * every answer is marked as not to be framed or sniffed. No CORS is granted, so another origin's page cannot read
 * answers. A request goes to the route of the longest path prefix it starts with.
 */
public final class HttpRouter implements HttpRoute {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpBoundary boundary;
  private final Map<String, HttpRoute> routes = new LinkedHashMap<>();

  /** @param routes by path prefix */
  public HttpRouter(HttpBoundary boundary, Map<String, HttpRoute> routes) {
    this.boundary = boundary;
    routes.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparingInt(String::length).reversed()))
        .forEach(route -> this.routes.put(route.getKey(), route.getValue()));
  }

  @Override
  public void handle(HttpCall call) throws IOException {
    framingHeaders(call);
    Optional<HttpBoundary.Refusal> refusal = boundary.judge(new HttpBoundary.Request(call.method(), call.rawPath(),
        call.protocol(), call.headers("Host"), call.headers("Origin"), call.headers("Sec-Fetch-Site"),
        call.headers("Content-Type")));
    if (refusal.isPresent()) {
      refuse(call, refusal.get());
      return;
    }
    for (Map.Entry<String, HttpRoute> route : routes.entrySet()) {
      if (call.rawPath().startsWith(route.getKey())) {
        route.getValue().handle(call);
        return;
      }
    }
    refuse(call, new HttpBoundary.Refusal(404, "ENDPOINT_NOT_FOUND", "no such path",
        boundary.answersJson(call.rawPath())));
  }

  /** Whether answers under {@code path} are JSON (MLflow's error shape), for refusals made before any route. */
  boolean answersJson(String path) {
    return boundary.answersJson(path);
  }

  /** Set on every answer; a route with a policy of its own (the web page) replaces the CSP, keeping frame-ancestors. */
  static void framingHeaders(HttpCall call) {
    call.setHeader("X-Frame-Options", "DENY");
    call.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
    call.setHeader("X-Content-Type-Options", "nosniff");
  }

  /** A refusal in the shape of the path's answers: MLflow's JSON error, or one plain line. */
  static void refuse(HttpCall call, HttpBoundary.Refusal refusal) throws IOException {
    call.setHeader("Content-Type", contentType(refusal));
    call.respond(refusal.status(), body(refusal));
  }

  static String contentType(HttpBoundary.Refusal refusal) {
    return refusal.json() ? "application/json" : "text/plain; charset=utf-8";
  }

  static byte[] body(HttpBoundary.Refusal refusal) {
    if (!refusal.json()) {
      return (refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8);
    }
    try {
      return JSON.writeValueAsBytes(JSON.createObjectNode().put("error_code", refusal.errorCode())
          .put("message", refusal.reason()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("two strings always serialize", e);
    }
  }
}
