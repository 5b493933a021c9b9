package io.gantry.server.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@link HttpBoundary} on the JDK's HTTP server, in front of every route: refuses what the boundary refuses, and
 * marks every answer as not to be framed or sniffed. It grants no CORS, so another origin's page cannot read answers.
 */
final class BoundaryFilter extends Filter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpBoundary boundary;

  BoundaryFilter(HttpBoundary boundary) {
    this.boundary = boundary;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    Headers response = exchange.getResponseHeaders();
    response.set("X-Frame-Options", "DENY");
    // a route with a policy of its own (the web page) sets it in place of this one, frame-ancestors included
    response.set("Content-Security-Policy", "frame-ancestors 'none'");
    response.set("X-Content-Type-Options", "nosniff");
    Headers request = exchange.getRequestHeaders();
    Optional<HttpBoundary.Refusal> refusal = boundary.judge(new HttpBoundary.Request(exchange.getRequestMethod(),
        exchange.getRequestURI().getRawPath(), exchange.getProtocol(), all(request, "Host"), all(request, "Origin"),
        all(request, "Sec-Fetch-Site"), all(request, "Content-Type")));
    if (refusal.isEmpty()) {
      chain.doFilter(exchange);
      return;
    }
    try (exchange) {
      refuse(exchange, refusal.get());
    }
  }

  @Override
  public String description() {
    return "the HTTP port's boundary: Host allow-list, no cross-site writes, JSON writes to JSON APIs";
  }

  private static List<String> all(Headers headers, String name) {
    return headers.getOrDefault(name, List.of());
  }

  private static void refuse(HttpExchange exchange, HttpBoundary.Refusal refusal) throws IOException {
    byte[] body;
    if (refusal.json()) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      body = JSON.writeValueAsBytes(JSON.createObjectNode().put("error_code", refusal.errorCode())
          .put("message", refusal.reason()));
    } else {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      body = (refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8);
    }
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(refusal.status(), -1);
      return;
    }
    exchange.sendResponseHeaders(refusal.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
