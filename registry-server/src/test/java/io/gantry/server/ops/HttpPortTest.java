package io.gantry.server.ops;

import static io.gantry.server.ops.HttpCalls.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.GantryServer;
import io.gantry.server.Keytool;
import io.gantry.server.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port as a production HTTP server, over loopback with real clients: one HTTP/1.1 connection serves many
 * requests; HTTP/2 answers in cleartext (prior knowledge; an h2c upgrade is declined) and over TLS (ALPN), with the boundary in front
 * of every route there too; large JSON is gzipped for clients that ask; oversized bodies and headers are refused with
 * a reason; closing lets a request in flight finish while refusing new connections. Speed is measured in
 * bench/mlflow-http.sh, never here.
 */
class HttpPortTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVIL = "https://evil.example";
  private static org.eclipse.jetty.client.HttpClient h2c;

  @TempDir
  static Path dir;

  @BeforeAll
  static void startPriorKnowledgeClient() throws Exception {
    h2c = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    // every name is this machine, as a rebinding attacker's DNS makes it: the name still travels as :authority
    h2c.setSocketAddressResolver((host, port, context, promise) ->
        promise.succeeded(List.of(new InetSocketAddress("127.0.0.1", port))));
    h2c.start();
    // answers arrive as sent (starting adds the gzip decoder): the gzip test inflates them itself
    h2c.getContentDecoderFactories().clear();
  }

  @AfterAll
  static void stopPriorKnowledgeClient() throws Exception {
    h2c.stop();
  }

  @Test
  void oneKeptAliveConnection_servesManyRequestsInTurn() throws Exception {
    String model = HttpCalls.modelWithChampion("port-keepalive");
    String byAlias = "/api/2.0/mlflow/registered-models/alias?name=" + model + "&alias=champion";

    try (Socket socket = new Socket("127.0.0.1", TestRegistry.httpPort())) {
      socket.setSoTimeout(10_000);
      for (int i = 0; i < 50; i++) {
        String path = i % 2 == 0 ? "/healthz" : byAlias;
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        Answer answer = Answer.read(socket.getInputStream());

        assertThat(answer.status()).as(path).isEqualTo(200);
        assertThat(answer.headers().toLowerCase()).doesNotContain("connection: close");
        assertThat(answer.body()).contains(i % 2 == 0 ? "SERVING" : "\"version\":\"1\"");
      }
    }
  }

  @Test
  void http2WithPriorKnowledge_answersHealthAndMlflow_behindTheBoundary() throws Exception {
    String model = HttpCalls.modelWithChampion("port-h2c");
    String base = HttpCalls.base();

    ContentResponse health = h2c.GET(base + "/healthz");
    ContentResponse byAlias = h2c.GET(base + "/api/2.0/mlflow/registered-models/alias?name=" + model
        + "&alias=champion");
    ContentResponse unknown = h2c.GET(base + "/nothing-here");
    ContentResponse rebound = h2c.GET("http://rebind.evil.example:" + TestRegistry.httpPort()
        + "/api/2.0/mlflow/registered-models/search");
    ContentResponse crossSite = h2c.newRequest(base + "/api/2.0/mlflow/registered-models/create").method("POST")
        .headers(h -> h.put("Origin", EVIL))
        .body(new StringRequestContent("application/json", "{\"name\": \"" + model + "-evil\"}")).send();
    ContentResponse textPlain = h2c.newRequest(base + "/api/2.0/mlflow/registered-models/create").method("POST")
        .body(new StringRequestContent("text/plain", "{\"name\": \"" + model + "-plain\"}")).send();

    for (ContentResponse answer : List.of(health, byAlias, unknown, rebound, crossSite, textPlain)) {
      assertThat(answer.getVersion()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(answer.getHeaders().get("X-Frame-Options")).isEqualTo("DENY");
      assertThat(answer.getHeaders().get("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    assertThat(health.getContentAsString()).isEqualTo("SERVING\n");
    assertThat(JSON.readTree(byAlias.getContentAsString()).at("/model_version/version").asText()).isEqualTo("1");
    assertThat(unknown.getStatus()).isEqualTo(404);
    assertThat(rebound.getStatus()).isEqualTo(403);
    assertThat(rebound.getContentAsString()).contains("GANTRY_HTTP_ALLOWED_HOSTS");
    assertThat(crossSite.getStatus()).isEqualTo(403);
    assertThat(textPlain.getStatus()).isEqualTo(415);
    assertThat(HttpCalls.exists(model + "-evil")).isFalse();
    assertThat(HttpCalls.exists(model + "-plain")).isFalse();
  }

  /**
   * An {@code Upgrade: h2c} request is answered in HTTP/1.1 on the same connection, never switched: a proxy in front
   * that passes Upgrade headers on would otherwise hand its client a raw HTTP/2 tunnel past the proxy's own rules
   * (h2c smuggling). Prior knowledge and ALPN remain the ways to HTTP/2.
   */
  @Test
  void anH2cUpgradeRequest_isAnsweredInHttp11_andTheConnectionStaysHttp11() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", TestRegistry.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Answer upgradeAsked = Answer.read(socket.getInputStream());
      out.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Answer next = Answer.read(socket.getInputStream());

      assertThat(upgradeAsked.status()).isEqualTo(200);
      assertThat(upgradeAsked.headers().toLowerCase()).doesNotContain("upgrade:");
      assertThat(upgradeAsked.body()).isEqualTo("SERVING\n");
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).isEqualTo("SERVING\n");
    }
    HttpResponse<String> jdk = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(HttpCalls.base() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(jdk.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(jdk.body()).isEqualTo("SERVING\n");
  }

  @Test
  void http2OverTls_isNegotiatedByAlpn() throws Exception {
    Path store = dir.resolve("server.p12");
    Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gantry",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString());
    Path cert = Keytool.certificatePem(store, "server", dir.resolve("server.crt"));
    Path key = Keytool.privateKeyPem(store, "server", dir.resolve("server.key"));
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", Keytool.load(store).getCertificate("server"));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(context).build();
    GantryServer server = TestRegistry.start(dir.resolve("data"), Map.of("GANTRY_HTTP_TLS_CERT", cert.toString(),
        "GANTRY_HTTP_TLS_KEY", key.toString()));
    try {
      String base = "https://127.0.0.1:" + server.httpPort();
      HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> search = client.send(HttpRequest.newBuilder(URI.create(base
          + "/api/2.0/mlflow/registered-models/search")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> crossSite = client.send(HttpRequest.newBuilder(URI.create(base
          + "/api/2.0/mlflow/registered-models/create")).header("Origin", EVIL).header("Content-Type",
          "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"evil\"}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(health.body()).isEqualTo("SERVING\n");
      assertThat(search.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(search.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(search.body()).isObject()).isTrue();
      assertThat(crossSite.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(crossSite.statusCode()).isEqualTo(403);
      assertThat(search.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    } finally {
      server.close();
    }
  }

  @Test
  void largeJson_isGzipped_onlyForClientsThatAcceptIt() throws Exception {
    String description = "a description long enough that a page of models passes a kilobyte ".repeat(8);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> created = send("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": \""
          + TestRegistry.uniqueModel("port-gzip") + "\", \"description\": \"" + description + "\"}",
          "Content-Type", "application/json");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    }
    String search = "/api/2.0/mlflow/registered-models/search?max_results=1000";
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpResponse<byte[]> gzipped = client.send(HttpRequest.newBuilder(URI.create(HttpCalls.base() + search))
        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> plain = client.send(HttpRequest.newBuilder(URI.create(HttpCalls.base() + search)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    ContentResponse overHttp2 = h2c.newRequest(HttpCalls.base() + search).headers(h -> h.put("Accept-Encoding",
        "gzip")).send();

    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    JsonNode inflated;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      inflated = JSON.readTree(in);
    }
    assertThat(inflated.get("registered_models").size()).isGreaterThanOrEqualTo(5);
    assertThat(gzipped.body().length).isLessThan(plain.body().length);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(JSON.readTree(plain.body()).get("registered_models").size()).isGreaterThanOrEqualTo(5);
    assertThat(overHttp2.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(overHttp2.getHeaders().get("Content-Encoding")).isEqualTo("gzip");
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(overHttp2.getContent()))) {
      assertThat(JSON.readTree(in).get("registered_models").size()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void anOversizedBody_is413_andOversizedHeaders_are431_eachNamingTheSetting() throws Exception {
    String model = TestRegistry.uniqueModel("port-413");
    String huge = "{\"name\": \"" + model + "\", \"description\": \"" + "x".repeat(1 << 20) + "\"}";

    Answer body;
    try (Socket socket = new Socket("127.0.0.1", TestRegistry.httpPort())) {
      socket.setSoTimeout(10_000);
      // the client waits to hear whether to send the body at all, as a client sending that much should
      socket.getOutputStream().write(("POST /api/2.0/mlflow/registered-models/create HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + huge.length() + "\r\nExpect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      body = Answer.read(socket.getInputStream());
    }
    Answer headers;
    try (Socket socket = new Socket("127.0.0.1", TestRegistry.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /api/2.0/mlflow/registered-models/search HTTP/1.1\r\nHost: localhost\r\n"
          + "X-Padding: " + "p".repeat(20 << 10) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      headers = Answer.read(socket.getInputStream());
    }

    assertThat(body.status()).isEqualTo(413);
    assertThat(JSON.readTree(body.body()).get("message").asText()).contains("GANTRY_HTTP_MAX_BODY_BYTES");
    assertThat(body.headers()).contains("X-Frame-Options: DENY");
    assertThat(HttpCalls.exists(model)).isFalse();
    assertThat(headers.status()).isEqualTo(431);
    assertThat(headers.body()).contains("GANTRY_HTTP_MAX_HEADER_BYTES");
  }

  @Test
  void closing_letsTheRequestInFlightFinish_andRefusesNewConnections() throws Exception {
    GantryServer server = TestRegistry.start(dir.resolve("closing"), Map.of());
    int port = server.httpPort();
    String model = TestRegistry.uniqueModel("port-drain");
    byte[] create = ("{\"name\": \"" + model + "\"}").getBytes(StandardCharsets.UTF_8);
    CompletableFuture<Void> closed;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/2.0/mlflow/registered-models/create HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + create.length + "\r\nExpect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      // the route has begun reading the body: the request is in flight
      assertThat(readLine(socket.getInputStream())).isEqualTo("HTTP/1.1 100 Continue");
      assertThat(readLine(socket.getInputStream())).isEmpty();

      closed = CompletableFuture.runAsync(server::close);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThatThrownBy(
          () -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class));
      out.write(create);
      Answer answer = Answer.read(socket.getInputStream());

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()).at("/registered_model/name").asText()).isEqualTo(model);
    }
    closed.get(30, TimeUnit.SECONDS);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection closed mid-line: " + line);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** One HTTP/1.1 answer read off a connection that stays open: its status line, headers, and Content-Length body. */
  private record Answer(int status, String headers, String body) {

    static Answer read(InputStream in) throws IOException {
      String statusLine = readLine(in);
      StringBuilder headers = new StringBuilder();
      int length = 0;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        headers.append(line).append('\n');
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      return new Answer(Integer.parseInt(statusLine.substring(9, 12)), headers.toString(),
          new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }
  }
}
