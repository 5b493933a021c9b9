package io.gantry.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.gantry.server.config.ConfigException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP port: {@code GET /healthz} (200 while the database answers, 503 otherwise), {@code GET /metrics}
 * (Prometheus text), and the handlers other rooms bring (MLflow's REST API, the web page). Loopback unless callers are verified
 * (GANTRY_HTTP_HOST); over TLS when it has a certificate ({@link HttpsContext}). Every path, an unknown one too,
 * passes the {@link HttpBoundary} first.
 */
public final class OpsHttpServer implements AutoCloseable {

  private final HttpServer server;

  private OpsHttpServer(HttpServer server) {
    this.server = server;
  }

  /**
   * @param tls the TLS context when the port speaks TLS (1.2 or later only); empty for plain HTTP
   * @param handlers more handlers by path prefix
   * @param boundary what a request must pass before any handler sees it
   * @param executor runs the handlers, which may block
   */
  public static OpsHttpServer start(InetAddress host, int port, Optional<SSLContext> tls, BooleanSupplier serving,
      PrometheusMeterRegistry metrics, Map<String, HttpHandler> handlers, HttpBoundary boundary, Executor executor) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    HttpServer server;
    try {
      if (tls.isPresent()) {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.get()) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = tls.get().getDefaultSSLParameters();
            parameters.setProtocols(HttpsContext.PROTOCOLS);
            params.setSSLParameters(parameters);
          }
        });
        server = https;
      } else {
        server = HttpServer.create(address, 0);
      }
    } catch (IOException e) {
      throw new ConfigException("cannot listen on " + address + " (GANTRY_HTTP_PORT): " + e.getMessage(), e);
    }
    Map<String, HttpHandler> routes = new LinkedHashMap<>();
    routes.put("/healthz", exchange -> {
      boolean up = serving.getAsBoolean();
      respond(exchange, up ? 200 : 503, "text/plain", up ? "SERVING\n" : "NOT_SERVING\n");
    });
    routes.put("/metrics", exchange ->
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    routes.putAll(handlers);
    routes.put("/", exchange -> respond(exchange, 404, "text/plain", "no such path\n"));
    BoundaryFilter filter = new BoundaryFilter(boundary);
    routes.forEach((path, handler) -> server.createContext(path, handler).getFilters().add(filter));
    server.setExecutor(executor);
    server.start();
    return new OpsHttpServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!"GET".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(405, -1);
      exchange.close();
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
