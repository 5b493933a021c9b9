package io.gantry.server.ops;

import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ListenFailure;
import io.gantry.server.config.ServerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port, on Jetty: {@code GET /healthz} (200 while the database answers, 503 otherwise), {@code GET /metrics}
 * (Prometheus text), and the routes other rooms bring (MLflow's REST API, the web page). Loopback unless callers are
 * verified (GANTRY_HTTP_HOST); over TLS when it has a certificate ({@link HttpsContext}). Every path, an unknown one
 * too, passes the {@link HttpBoundary} first ({@link HttpRouter}).
 *
 * <p>HTTP/1.1 with keep-alive (accepted sockets set TCP_NODELAY, so a small answer is not held back by Nagle's
 * algorithm waiting for the client's delayed ACK), and HTTP/2: by prior knowledge without TLS (an {@code h2c} upgrade
 * is declined, {@link PriorKnowledgeH2c}), negotiated by ALPN over TLS. Answers of 1 KiB and more are gzipped for
 * clients that accept it. Request
 * headers and bodies are bounded ({@link ServerConfig.Http}); an idle connection, or a body that stops arriving, is
 * dropped after the idle timeout. Closing stops accepting, refuses new requests (503) and lets those in flight finish,
 * for at most the drain time.
 */
public final class OpsHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);
  /**
   * The port's own threads: routes block (on in-process gRPC calls that may wait for the database), so they cannot
   * share the workers those calls run on without deadlocking them under load. Jetty starts threads as needed; 64
   * blocked callers are far more than the database pool serves at once on two cores.
   */
  private static final int MAX_THREADS = 64;
  private static final int MIN_THREADS = 4;
  private static final int MIN_COMPRESSED_BYTES = 1024;
  /** As long as the gRPC port lets its calls finish. */
  private static final Duration DRAIN = Duration.ofSeconds(20);

  private final Server server;
  private final ServerConnector connector;

  private OpsHttpServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * @param settings the port's TLS, limits and timeouts
   * @param routes more routes by path prefix
   * @param boundary what a request must pass before any route sees it
   */
  public static OpsHttpServer start(InetAddress host, int port, ServerConfig.Http settings, BooleanSupplier serving,
      PrometheusMeterRegistry metrics, Map<String, HttpRoute> routes, HttpBoundary boundary) {
    Map<String, HttpRoute> all = new LinkedHashMap<>();
    all.put("/healthz", call -> {
      boolean up = serving.getAsBoolean();
      respondGet(call, up ? 200 : 503, "text/plain", up ? "SERVING\n" : "NOT_SERVING\n");
    });
    all.put("/metrics", call -> respondGet(call, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    all.putAll(routes);
    HttpRouter router = new HttpRouter(boundary, all);

    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
    threads.setName("gantry-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    server.setStopTimeout(DRAIN.toMillis());
    server.setErrorHandler(new HttpErrors(router, settings));
    ServerConnector connector = connector(server, settings);
    connector.setHost(host.getHostAddress());
    connector.setPort(port);
    server.addConnector(connector);

    CompressionHandler compression = new CompressionHandler();
    GzipCompression gzip = new GzipCompression();
    gzip.setMinCompressSize(MIN_COMPRESSED_BYTES);
    compression.putCompression(gzip);
    // text only: artifact downloads are mostly compressed already, and streamed
    compression.putConfiguration("/", CompressionConfig.builder().compressIncludeMimeType("application/json")
        .compressIncludeMimeType("text/html").compressIncludeMimeType("text/plain")
        .compressIncludeMimeType("text/css").compressIncludeMimeType("text/javascript").build());
    // inside the compression, so that an inflated body counts as the bytes it becomes
    compression.setHandler(new SizeLimitHandler(settings.maxBodyBytes(), -1));
    ((SizeLimitHandler) compression.getHandler()).setHandler(new Routes(router));
    server.setHandler(new GracefulHandler(compression));
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw ListenFailure.of(new InetSocketAddress(host, port), "GANTRY_HTTP_PORT", e);
    } catch (Exception e) {
      stopQuietly(server);
      throw new ConfigException("cannot start the HTTP port on " + host.getHostAddress() + ":" + port + ": "
          + e.getMessage(), e);
    }
    return new OpsHttpServer(server, connector);
  }

  private static ServerConnector connector(Server server, ServerConfig.Http settings) {
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(settings.maxHeaderBytes());
    // two Host headers (which Jetty would refuse as duplicate or mismatched) reach the boundary, which refuses them
    // with its own reason
    http.setHttpCompliance(HttpCompliance.RFC9110.with("GANTRY", HttpCompliance.Violation.DUPLICATE_HOST_HEADERS,
        HttpCompliance.Violation.MISMATCHED_AUTHORITY));
    HttpConnectionFactory http11 = new HttpConnectionFactory(http);
    ServerConnector connector;
    if (settings.tls().isPresent()) {
      SSLContext context = HttpsContext.load(settings.tls().get());
      // the boundary checks Host against the names this port answers to, the certificate's or not
      http.addCustomizer(new SecureRequestCustomizer(false));
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setSslContext(context);
      tls.setIncludeProtocols(HttpsContext.PROTOCOLS);
      HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
      alpn.setDefaultProtocol(http11.getProtocol());
      connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
    } else {
      connector = new ServerConnector(server, http11, new PriorKnowledgeH2c(http));
    }
    connector.setAcceptedTcpNoDelay(true);
    connector.setIdleTimeout(settings.idleTimeout().toMillis());
    return connector;
  }

  /**
   * Cleartext HTTP/2 for clients that start with its preface (gRPC tools, h2load, curl --http2-prior-knowledge), while
   * an HTTP/1.1 request asking for {@code Upgrade: h2c} is answered in HTTP/1.1: behind a proxy that passes Upgrade
   * headers on, the switch would hand a caller a raw HTTP/2 tunnel past the proxy's rules (h2c smuggling).
   */
  private static final class PriorKnowledgeH2c extends HTTP2CServerConnectionFactory {

    PriorKnowledgeH2c(HttpConfiguration http) {
      super(http);
    }

    @Override
    public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request,
        HttpFields.Mutable response101) {
      // null declines: Jetty then serves the request as HTTP/1.1
      return HttpMethod.PRI.is(request.getMethod()) ? super.upgradeConnection(connector, endPoint, request, response101)
          : null;
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  private static void respondGet(HttpCall call, int status, String contentType, String body) throws IOException {
    if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
      call.respond(405, new byte[0]);
      return;
    }
    call.setHeader("Content-Type", contentType);
    call.respond(status, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops accepting, answers new requests 503, and waits for those in flight, at most the drain time. */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("The HTTP port did not stop cleanly: {}", e.toString());
    }
  }

  /** The routes, each on a thread of the port's own that it may block. */
  private static final class Routes extends Handler.Abstract {

    private final HttpRouter router;

    Routes(HttpRouter router) {
      this.router = router;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      router.handle(new JettyCall(request, response));
      callback.succeeded();
      return true;
    }
  }
}
