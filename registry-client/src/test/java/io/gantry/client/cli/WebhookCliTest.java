package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's webhook, end to end with the CLI alone: an admin makes a webhook, a deployer's receiver
 * ({@code gantry webhooks receive}) verifies and prints the alias move, and a dead delivery is redelivered.
 */
class WebhookCliTest {

  @TempDir
  static Path dir;

  @RegisterExtension
  static final LocalServer gantry = new LocalServer(Map.of("GANTRY_WEBHOOK_FIRST_RETRY_MILLIS", "50",
      "GANTRY_WEBHOOK_MAX_ATTEMPTS", "2", "GANTRY_WEBHOOK_POLL_MILLIS", "100"));

  @Test
  void aWebhook_deliversTheAliasMove_toAReceiverThatChecksItsSignature() throws Exception {
    Map<String, String> env = gantry.env("admin");
    int port = freePort();
    Path secret = dir.resolve("deploy.secret");
    String created = CliResult.succeed(env, "webhooks", "create", "deploy", "--url", "http://127.0.0.1:" + port + "/",
        "--event", "io.gantry.alias.moved", "--models", "fraud", "--secret-file", secret.toString());
    assertThat(created).contains("webhooks/deploy", "io.gantry.alias.moved", "secret written to " + secret);
    assertThat(Files.readString(secret)).startsWith("whsec_");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
    assertThat(CliResult.succeed(env, "webhooks", "list")).contains("webhooks/deploy", "fraud")
        .doesNotContain(Files.readString(secret).strip());

    CompletableFuture<CliResult> receiver = receive(port, secret);
    CliResult.succeed(env, "models", "create", "fraud");
    CliResult.succeed(env, "versions", "register", "fraud", io.gantry.client.TestFixtures.mlflowModelDirectory()
        .toString());
    CliResult.succeed(env, "promote", "fraud", "1", "--to", "champion");

    CliResult received = receiver.get(60, TimeUnit.SECONDS);
    assertThat(received.exitCode()).as(received.err()).isZero();
    assertThat(received.out()).startsWith("io.gantry.alias.moved models/fraud/aliases/champion seq=")
        .containsOnlyOnce("\n");
    assertThat(CliResult.rows(CliResult.succeed(env, "webhooks", "deliveries", "deploy")))
        .anySatisfy(row -> assertThat(row).contains("io.gantry.alias.moved", "SENT", "1"));
  }

  @Test
  void aDeliveryNobodyReceived_isDead_untilRedelivered() throws Exception {
    Map<String, String> env = gantry.env("admin");
    int port = freePort();
    Path secret = dir.resolve("late.secret");
    CliResult.succeed(env, "webhooks", "create", "late", "--url", "http://127.0.0.1:" + port + "/hook",
        "--models", "churn", "--event", "io.gantry.version.registered", "--secret-file", secret.toString());
    CliResult.succeed(env, "models", "create", "churn");
    CliResult.succeed(env, "versions", "register", "churn", io.gantry.client.TestFixtures.mlflowModelDirectory()
        .toString());

    String dead = awaitDead(env);
    assertThat(dead).contains("io.gantry.version.registered", "models/churn/versions/1", "DEAD", "2",
        "cannot connect to 127.0.0.1:" + port + ": connection refused");

    CompletableFuture<CliResult> receiver = receive(port, secret);
    String redelivered = CliResult.succeed(env, "webhooks", "redeliver", "--dead", "late");
    assertThat(redelivered).contains("PENDING", "webhooks/late/deliveries/");
    assertThat(receiver.get(60, TimeUnit.SECONDS).out())
        .startsWith("io.gantry.version.registered models/churn/versions/1 seq=");
    assertThat(CliResult.succeed(env, "webhooks", "deliveries", "late", "--state", "dead")).doesNotContain("churn");

    CliResult none = CliResult.run(env, "webhooks", "redeliver", "--dead", "late");
    assertThat(none.exitCode()).isZero();
    assertThat(none.err()).contains("no dead deliveries");
    CliResult.succeed(env, "webhooks", "delete", "late");
    assertThat(CliResult.run(env, "webhooks", "get", "late").exitCode()).isEqualTo(GantryCli.EXIT_NOT_FOUND);
  }

  private static String awaitDead(Map<String, String> env) {
    try {
      return await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
          .until(() -> CliResult.succeed(env, "webhooks", "deliveries", "late", "--state", "dead"),
              dead -> dead.contains("churn"));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the delivery never died: " + CliResult.succeed(env, "webhooks", "deliveries", "late"));
    }
  }

  private static CompletableFuture<CliResult> receive(int port, Path secret) {
    CompletableFuture<CliResult> result = CompletableFuture.supplyAsync(() -> CliResult.run(Map.of(), "webhooks",
        "receive", "--port", Integer.toString(port), "--secret-file", secret.toString(), "--count", "1"));
    // listening before anything is sent to it
    await("the receiver listening").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50)).until(() -> listening(port));
    return result;
  }

  private static boolean listening(int port) {
    try (var socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
