package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.RegisteredModel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC port over TLS: a certificate made here with the JDK's keytool (SAN 127.0.0.1), served from PEM files as
 * a certificate manager would mount them, and the CLI trusting it through --ca-file.
 */
class TlsCliTest {

  @TempDir
  static Path dir;

  private static GantryServer server;
  private static Path cert;
  private static Path key;
  private static Map<String, String> env;

  @BeforeAll
  static void startServer() throws Exception {
    Path store = dir.resolve("server.p12");
    Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "gantry", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=gantry-test", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
        .redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, "changeit".toCharArray());
    }
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    Files.writeString(cert, pem("CERTIFICATE", keyStore.getCertificate("gantry").getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", keyStore.getKey("gantry", "changeit".toCharArray()).getEncoded()));

    server = GantryServer.start(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR", dir.resolve("data").toString(),
        "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0", "GANTRY_TLS_CERT", cert.toString(),
        "GANTRY_TLS_KEY", key.toString())));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "erin");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  void theCliTrustsTheServerThroughItsCaFile() throws Exception {
    String json = CliResult.succeed(env, "models", "create", "secure", "--ca-file", cert.toString(), "-o", "json");
    assertThat(CliResult.json(RegisteredModel.getDefaultInstance(), json).getCreatedBy()).isEqualTo("erin");

    Map<String, String> fromEnvironment = Map.of("GANTRY_TARGET", env.get("GANTRY_TARGET"),
        "GANTRY_CA_FILE", cert.toString());
    assertThat(CliResult.succeed(fromEnvironment, "models", "list")).contains("secure");
  }

  @Test
  void plaintextOrAnUntrustedCertificate_cannotConnect() {
    CliResult plaintext = CliResult.run(env, "models", "list");
    assertThat(plaintext.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);

    CliResult untrusted = CliResult.run(env, "models", "list", "--tls");
    assertThat(untrusted.exitCode()).isEqualTo(GantryCli.EXIT_SETUP);
  }

  @Test
  void aCertificateWithoutItsKey_isRefusedAtStart() {
    for (Map<String, String> half : List.of(Map.of("GANTRY_TLS_CERT", cert.toString()),
        Map.of("GANTRY_TLS_KEY", key.toString()))) {
      assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(half), ConfigException.class))
          .hasMessage("GANTRY_TLS_CERT and GANTRY_TLS_KEY go together: set both or neither");
    }
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_TLS_CERT", cert.toString(),
        "GANTRY_TLS_KEY", dir.resolve("absent.key").toString())), ConfigException.class))
        .hasMessageContaining("GANTRY_TLS_KEY names").hasMessageContaining("cannot be read");
  }
}
