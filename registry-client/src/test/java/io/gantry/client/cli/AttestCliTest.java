package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.client.TestFixtures;
import io.gantry.v1.Promotion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployer's check, end to end: register a model's files, promote it, fetch the attestation and the key, then
 * verify offline that the signature holds and that the files in hand are the attested version's.
 */
class AttestCliTest {

  @TempDir
  static Path dir;

  @RegisterExtension
  static final LocalServer gantry = new LocalServer(Map.of("GANTRY_CHECKPOINT_INTERVAL_EVENTS", "1"));

  private static Map<String, String> env = Map.of();

  @BeforeAll
  static void caller() {
    env = gantry.env("deployer");
  }

  @Test
  void aPromotionsAttestation_verifiesOffline_againstTheKeyAndTheFiles() throws Exception {
    Path model = TestFixtures.mlflowModelDirectory();
    CliResult.succeed(env, "models", "create", "fraud");
    CliResult.succeed(env, "versions", "register", "fraud", model.toString());
    Promotion promotion = CliResult.json(Promotion.getDefaultInstance(), CliResult.succeed(env, "promote", "fraud", "1",
        "--to", "champion", "-o", "json"));

    Path envelope = dir.resolve("champion.dsse.json");
    CliResult.succeed(env, "attest", "get", promotion.getName(), "--out", envelope.toString());
    Path key = dir.resolve("attestation.pem");
    Files.writeString(key, CliResult.succeed(env, "attest", "key"));
    assertThat(Files.readString(key)).startsWith("-----BEGIN PUBLIC KEY-----");

    CliResult verified = CliResult.run(Map.of(), "attest", "verify", envelope.toString(), "--key", key.toString(),
        "--files", model.toString());
    assertThat(verified.exitCode()).as(verified.err()).isZero();
    assertThat(verified.out()).contains("signature  good", "subject    models/fraud/versions/1 sha256:",
        "moved champion to version 1", "files      match");

    assertThat(CliResult.run(Map.of(), "attest", "verify", envelope.toString(), "--key", key.toString(),
        "--alias", "champion", "--model", "fraud").exitCode()).isZero();
    CliResult notChampion = CliResult.run(Map.of(), "attest", "verify", envelope.toString(), "--key", key.toString(),
        "--alias", "production");
    assertThat(notChampion.exitCode()).isEqualTo(GantryCli.EXIT_NOT_VERIFIED);
    assertThat(notChampion.err()).contains("moved champion, not production");

    // the checkpoint that covers the move is published just after it
    AtomicReference<CliResult> proven = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> {
          proven.set(CliResult.run(env, "attest", "verify", envelope.toString(), "--key", key.toString(),
              "--checkpoint"));
          assertThat(proven.get().exitCode()).as(proven.get().err()).isZero();
        });
    assertThat(proven.get().out()).contains("audit      the move is event ", "included in the checkpoint of size");

    Path other = dir.resolve("other-files");
    Files.createDirectories(other);
    Files.writeString(other.resolve("MLmodel"), "flavors: {}\n");
    CliResult wrongFiles = CliResult.run(Map.of(), "attest", "verify", envelope.toString(), "--key", key.toString(),
        "--files", other.toString());
    assertThat(wrongFiles.exitCode()).isEqualTo(GantryCli.EXIT_NOT_VERIFIED);
    assertThat(wrongFiles.err()).contains("are not the attested version's");

    Path tampered = dir.resolve("tampered.dsse.json");
    String json = Files.readString(envelope);
    String payload = json.replaceAll(".*\"payload\":\"([^\"]+)\".*", "$1").strip();
    String forged = java.util.Base64.getEncoder().encodeToString(new String(java.util.Base64.getDecoder()
        .decode(payload)).replace("\"champion\"", "\"canary\"").getBytes());
    Files.writeString(tampered, json.replace(payload, forged));
    CliResult refused = CliResult.run(Map.of(), "attest", "verify", tampered.toString(), "--key", key.toString());
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_NOT_VERIFIED);
    assertThat(refused.err()).contains("verifies this envelope");
  }
}
