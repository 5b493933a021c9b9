package io.gantry.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.Keytool;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the HTTP port, with a certificate made here by the JDK's keytool: the port speaks TLS (1.2 or later) with
 * GANTRY_HTTP_TLS_CERT/KEY, or with the gRPC port's certificate when only that is set; the web page's cookies are then
 * {@code Secure}. Beyond loopback the port refuses to start in plain HTTP unless GANTRY_HTTP_INSECURE=true says a
 * proxy in front terminates TLS.
 */
class WebTlsTest {

  /** A TLS client talking to a plain HTTP port (or the other way round) may otherwise wait for ever. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;
  private static Path cert;
  private static Path key;
  private static HttpClient trusting;

  @BeforeAll
  static void makeCertificate() throws Exception {
    Path store = dir.resolve("server.p12");
    Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gantry",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString());
    KeyStore keyStore = Keytool.load(store);
    cert = Keytool.certificatePem(store, "server", dir.resolve("server.crt"));
    key = Keytool.privateKeyPem(store, "server", dir.resolve("server.key"));
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", keyStore.getCertificate("server"));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    trusting = HttpClient.newBuilder().sslContext(context).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Test
  void withItsOwnCertificate_theHttpPortSpeaksTls_andTheCookiesAreSecure() throws Exception {
    GantryServer server = start("own", Map.of("GANTRY_HTTP_TLS_CERT", cert.toString(),
        "GANTRY_HTTP_TLS_KEY", key.toString()));
    try {
      String base = "https://127.0.0.1:" + server.httpPort();
      assertThat(trusting.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("SERVING\n");
      PageClient browser = new PageClient(base, trusting);

      HttpResponse<String> form = browser.get("/ui/signin");
      browser.signIn("alice");

      assertThat(form.headers().allValues("Set-Cookie")).isNotEmpty()
          .allSatisfy(cookie -> assertThat(cookie).contains("; Secure"));
      assertThat(browser.get("/ui/promotions").body()).contains("Signed in as <strong id=\"principal\">alice");
      assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.httpPort() + "/healthz")).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString())).as("plain HTTP gets no answer").isInstanceOf(IOException.class);
    } finally {
      server.close();
    }
  }

  @Test
  void withOnlyTheGrpcCertificate_theHttpPortUsesItToo_andRefusesTls11() throws Exception {
    GantryServer server = start("grpc", Map.of("GANTRY_TLS_CERT", cert.toString(), "GANTRY_TLS_KEY", key.toString()));
    try {
      String healthz = "https://127.0.0.1:" + server.httpPort() + "/healthz";
      assertThat(trusting.send(HttpRequest.newBuilder(URI.create(healthz)).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      SSLParameters tls11 = new SSLParameters();
      tls11.setProtocols(new String[] {"TLSv1.1"});
      HttpClient old = HttpClient.newBuilder().sslContext(trusting.sslContext()).sslParameters(tls11).build();
      assertThatThrownBy(() -> old.send(HttpRequest.newBuilder(URI.create(healthz)).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    } finally {
      server.close();
    }
  }

  @Test
  void beyondLoopbackWithoutTls_theServerRefusesToStart_namingTheWayOut() {
    ConfigException refused = catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of(
        "GANTRY_HTTP_HOST", "0.0.0.0", "GANTRY_API_TOKENS", "true")), ConfigException.class);

    assertThat(refused).isNotNull();
    assertThat(refused.getMessage()).contains("GANTRY_HTTP_HOST is 0.0.0.0, beyond loopback")
        .contains("GANTRY_HTTP_TLS_CERT").contains("GANTRY_HTTP_TLS_KEY").contains("GANTRY_HTTP_INSECURE=true");
  }

  @Test
  void beyondLoopbackBehindATlsProxy_itStarts_andCookiesAreSecureWhenTheProxySaysHttps() throws Exception {
    GantryServer server = start("proxied", Map.of("GANTRY_HTTP_HOST", "0.0.0.0", "GANTRY_API_TOKENS", "true",
        "GANTRY_HTTP_INSECURE", "true"));
    try {
      HttpResponse<String> proxied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.httpPort() + "/ui/signin")).header("X-Forwarded-Proto", "https").timeout(TIMEOUT)
          .build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(proxied.statusCode()).isEqualTo(200);
      assertThat(proxied.headers().allValues("Set-Cookie")).isNotEmpty()
          .allSatisfy(cookie -> assertThat(cookie).contains("; Secure"));
    } finally {
      server.close();
    }
  }

  private static GantryServer start(String name, Map<String, String> env) {
    return TestRegistry.start(dir.resolve(name), env);
  }


}
