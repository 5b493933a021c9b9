package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call that cannot reach a Gantry server says, in one sentence, at which address what went wrong and what to do,
 * with an exit code that tells a pipeline whether to retry: each case against a real listener of its kind.
 */
class ConnectionErrorsCliTest {

  @RegisterExtension
  static final LocalServer plaintext = new LocalServer();

  @TempDir
  static Path dir;

  private static Certificates certificates;
  private static GantryServer tlsServer;
  private static ServerSocket banner;
  private static Thread bannerLoop;

  @BeforeAll
  static void startListeners() throws Exception {
    certificates = new Certificates(dir);
    certificates.selfSigned("server", "CN=gantry-selfsigned,O=Example");
    tlsServer = GantryServer.start(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR",
        dir.resolve("data").toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0",
        "GANTRY_TLS_CERT", certificates.crt("server").toString(),
        "GANTRY_TLS_KEY", certificates.key("server").toString())));
    // A plain TCP server of another protocol: it greets every connection, as SSH does, and reads nothing.
    banner = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    bannerLoop = new Thread(() -> {
      while (!banner.isClosed()) {
        try (Socket socket = banner.accept(); OutputStream out = socket.getOutputStream()) {
          out.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException closed) {
          // the test is over
        }
      }
    });
    bannerLoop.start();
  }

  @AfterAll
  static void stopListeners() throws Exception {
    tlsServer.close();
    banner.close();
    bannerLoop.join();
  }

  private static CliResult list(String target, String... more) {
    String[] args = new String[3 + more.length];
    args[0] = "models";
    args[1] = "list";
    args[2] = "--target=" + target;
    System.arraycopy(more, 0, args, 3, more.length);
    return CliResult.run(Map.of(), args);
  }

  @Test
  void nothingListening_saysStartTheServer_andMayBeRetried() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    CliResult result = list("127.0.0.1:" + closed);
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_UNAVAILABLE);
    assertThat(result.err()).isEqualTo("error: nothing is listening on 127.0.0.1:" + closed + ": start the server, "
        + "or check --target (GANTRY_TARGET; the gRPC port is 9090 by default)\n");
  }

  @Test
  void plaintextAgainstTls_saysAddTls() {
    CliResult result = list("127.0.0.1:" + tlsServer.grpcPort());
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).startsWith("error: the server at 127.0.0.1:" + tlsServer.grpcPort() + " speaks TLS: "
        + "add --tls").hasLineCount(1);
  }

  @Test
  void tlsAgainstAnUntrustedCertificate_namesIt_andSaysAddCaFile() {
    CliResult result = list("127.0.0.1:" + tlsServer.grpcPort(), "--tls");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).startsWith("error: the certificate of 127.0.0.1:" + tlsServer.grpcPort()
            + " (CN=gantry-selfsigned,O=Example, issued by CN=gantry-selfsigned,O=Example) is not trusted: ")
        .endsWith("; add --ca-file PEM with the authority that issued it\n").hasLineCount(1);

    assertThat(list("127.0.0.1:" + tlsServer.grpcPort(), "--ca-file", certificates.crt("server").toString())
        .exitCode()).isZero();
  }

  @Test
  void tlsAgainstPlaintext_saysDropTls() {
    String address = plaintext.env("x").get("GANTRY_TARGET");
    CliResult result = list(address, "--tls");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).startsWith("error: " + address + " does not speak TLS: drop --tls").hasLineCount(1);
  }

  @Test
  void theHttpPort_isNotTheGrpcPort() {
    CliResult result = list("127.0.0.1:" + plaintext.httpPort());
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).isEqualTo("error: 127.0.0.1:" + plaintext.httpPort() + " is an HTTP server, not "
        + "Gantry's gRPC port: check --target (the gRPC port is 9090 by default)\n");

    String https = "error: 127.0.0.1:" + tlsServer.httpPort() + " is an HTTPS server, not Gantry's gRPC port: check "
        + "--target (the gRPC port is 9090 by default)\n";
    CliResult withTls = list("127.0.0.1:" + tlsServer.httpPort(), "--ca-file", certificates.crt("server").toString());
    assertThat(withTls.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(withTls.err()).isEqualTo(https);
    CliResult withoutTls = list("127.0.0.1:" + tlsServer.httpPort());
    assertThat(withoutTls.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(withoutTls.err()).isEqualTo(https);
  }

  @Test
  void anotherProtocol_isNotAGrpcServer() {
    CliResult result = list("127.0.0.1:" + banner.getLocalPort());
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).isEqualTo("error: 127.0.0.1:" + banner.getLocalPort() + " answers, but not as a gRPC "
        + "server: check --target (the gRPC port is 9090 by default)\n");
  }

  @Test
  void aNameThatDoesNotResolve_isASetupError() {
    CliResult result = list("gantry-no-such-host.invalid:9090");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
    assertThat(result.err()).isEqualTo("error: the host name 'gantry-no-such-host.invalid' does not resolve: "
        + "check --target (GANTRY_TARGET)\n");
  }

  @Test
  void aTargetWithoutAPort_meansTheDefaultGrpcPort() {
    CliResult result = list("localhost");
    // Whatever listens on this machine's 9090 (usually nothing), the call went there and not to port 80.
    assertThat(result.exitCode() == 0 || result.err().contains("localhost:9090"))
        .as("exit %d, stderr %s", result.exitCode(), result.err()).isTrue();
  }
}
