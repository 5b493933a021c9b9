package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.Caller;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cert and --cert-key against a server that takes client certificates (GANTRY_TLS_CLIENT_CA), as docs/access.md sets up. */
class MutualTlsCliTest {

  @TempDir
  static Path dir;

  private static Certificates certificates;
  private static GantryServer server;
  private static String target;

  @BeforeAll
  static void start() throws Exception {
    certificates = new Certificates(dir);
    certificates.selfSigned("server", "CN=gantry");
    certificates.authority("ca", "CN=clients-ca");
    certificates.issue("ca", "alice", "CN=Alice,O=Example", "SAN=email:alice@example.com");
    server = GantryServer.start(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR",
        dir.resolve("data").toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0",
        "GANTRY_TLS_CERT", certificates.crt("server").toString(), "GANTRY_TLS_KEY",
        certificates.key("server").toString(), "GANTRY_TLS_CLIENT_CA", certificates.crt("ca").toString())));
    target = "127.0.0.1:" + server.grpcPort();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void withTheCertificate_theCallRunsAsItsPrincipal() throws Exception {
    Caller caller = CliResult.json(Caller.getDefaultInstance(), CliResult.succeed(Map.of(), "whoami",
        "--target", target, "--ca-file", certificates.crt("server").toString(),
        "--cert", certificates.crt("alice").toString(), "--cert-key", certificates.key("alice").toString(), "-o", "json"));
    assertThat(caller.getPrincipal()).isEqualTo("alice@example.com");
    assertThat(caller.getAuthenticatedBy()).isEqualTo("mtls");

    Map<String, String> fromEnvironment = Map.of("GANTRY_TARGET", target,
        "GANTRY_CA_FILE", certificates.crt("server").toString(),
        "GANTRY_CERT_FILE", certificates.crt("alice").toString(),
        "GANTRY_KEY_FILE", certificates.key("alice").toString());
    assertThat(CliResult.fields(CliResult.succeed(fromEnvironment, "whoami")))
        .containsEntry("principal", "alice@example.com");
  }

  @Test
  void withoutIt_theRefusalNamesTheFlags() {
    CliResult refused = CliResult.run(Map.of(), "whoami", "--target", target,
        "--ca-file", certificates.crt("server").toString());
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(refused.err()).contains("UNAUTHENTICATED", "gantry --cert and --cert-key");
  }

  @Test
  void aCertificateWithoutItsKey_isAUsageError() {
    CliResult half = CliResult.run(Map.of(), "whoami", "--target", target,
        "--cert", certificates.crt("alice").toString());
    assertThat(half.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(half.err()).startsWith("error: --cert and --cert-key go together");
  }
}
