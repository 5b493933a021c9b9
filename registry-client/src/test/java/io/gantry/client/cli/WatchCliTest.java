package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.client.TestFixtures;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.AliasEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry watch} against a real server: the alias's state, then each move as it is promoted. */
class WatchCliTest {

  private static final String MODEL_DIR = TestFixtures.mlflowModelDirectory().toString();

  @TempDir
  static Path dataDir;

  private static GantryServer server;
  private static Map<String, String> env;

  @BeforeAll
  static void startServer() {
    server = GantryServer.start(ServerConfig.fromEnvironment(
        Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "carol");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** A {@code gantry watch} running in a thread of its own until interrupted, as Ctrl-C ends it. */
  private static final class RunningWatch implements AutoCloseable {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final AtomicInteger exitCode = new AtomicInteger(-1);
    final Thread thread;

    RunningWatch(String... args) {
      thread = new Thread(() -> exitCode.set(GantryCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), env)));
      thread.start();
    }

    List<String> awaitLines(int count) {
      await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(lines()).as("stderr: %s", err.toString(StandardCharsets.UTF_8))
              .hasSizeGreaterThanOrEqualTo(count));
      return lines();
    }

    List<String> lines() {
      return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join(Duration.ofSeconds(10).toMillis());
      assertThat(thread.isAlive()).as("the watch ended when interrupted").isFalse();
    }
  }

  private static void modelWithVersions(String model, int versions) {
    CliResult.succeed(env, "models", "create", model);
    for (int i = 0; i < versions; i++) {
      CliResult.succeed(env, "versions", "register", model, MODEL_DIR, "--no-upload");
    }
  }

  @Test
  void watchPrintsTheStateThenEachMove() throws Exception {
    modelWithVersions("fraud", 2);
    CliResult.succeed(env, "promote", "fraud", "1", "--to", "champion");
    try (RunningWatch watch = new RunningWatch("watch", "models:/fraud@champion")) {
      watch.awaitLines(2);
      CliResult.succeed(env, "promote", "fraud", "2", "--to", "champion", "--user", "dana");
      List<String> lines = watch.awaitLines(3);

      assertThat(lines.get(0).split(" {2,}")).containsExactly("TIME", "ALIAS", "REVISION", "VERSION", "BY",
          "PROMOTION");
      String[] state = lines.get(1).split(" {2,}");
      String[] move = lines.get(2).split(" {2,}");
      assertThat(Instant.parse(state[0])).isBefore(Instant.parse(move[0]).plusSeconds(1));
      assertThat(state).hasSize(6).containsSequence("champion", "1", "1", "carol");
      assertThat(move).hasSize(6).containsSequence("champion", "2", "1 → 2", "dana");
      assertThat(move[5]).startsWith("promotions/").isNotEqualTo(state[5]);
      watch.close();
      assertThat(watch.exitCode.get()).isZero();
    }
  }

  @Test
  void watchEveryAliasAsJsonLines_fromARevision() throws Exception {
    modelWithVersions("churn", 3);
    CliResult.succeed(env, "promote", "churn", "1", "--to", "staging");
    CliResult.succeed(env, "promote", "churn", "2", "--to", "staging");
    CliResult.succeed(env, "promote", "churn", "3", "--to", "champion");

    try (RunningWatch replay = new RunningWatch("watch", "models:/churn@staging", "--since-revision", "1",
        "-o", "json")) {
      List<String> lines = replay.awaitLines(2);
      assertThat(CliResult.json(AliasEvent.getDefaultInstance(), lines.get(0)).getMoved().getToVersion())
          .isEqualTo(2);
      assertThat(CliResult.json(AliasEvent.getDefaultInstance(), lines.get(1)).getCurrent().getVersion())
          .isEqualTo(2);
    }
    try (RunningWatch every = new RunningWatch("watch", "models:/churn@*", "-o", "json")) {
      List<AliasEvent> states = List.of(
          CliResult.json(AliasEvent.getDefaultInstance(), every.awaitLines(2).get(0)),
          CliResult.json(AliasEvent.getDefaultInstance(), every.awaitLines(2).get(1)));
      assertThat(states).extracting(state -> state.getCurrent().getName() + "=" + state.getCurrent().getVersion())
          .containsExactlyInAnyOrder("models/churn/aliases/staging=2", "models/churn/aliases/champion=3");

      CliResult.succeed(env, "promote", "churn", "1", "--to", "champion");
      AliasEvent move = CliResult.json(AliasEvent.getDefaultInstance(), every.awaitLines(3).get(2));
      assertThat(move.getMoved().getAlias()).isEqualTo("models/churn/aliases/champion");
      assertThat(move.getMoved().getFromVersion()).isEqualTo(3);
      assertThat(move.getMoved().getToVersion()).isEqualTo(1);
    }
  }

  @Test
  void aWatchTheServerRefuses_exitsWithItsError() {
    CliResult missing = CliResult.run(env, "watch", "models:/nosuch@champion");
    assertThat(missing.exitCode()).isEqualTo(GantryCli.EXIT_NOT_FOUND);
    assertThat(missing.err()).startsWith("error: NOT_FOUND");

    CliResult latest = CliResult.run(env, "watch", "models:/nosuch@latest");
    assertThat(latest.exitCode()).isEqualTo(GantryCli.EXIT_INVALID_ARGUMENT);

    CliResult every = CliResult.run(env, "watch", "models:/churn@*", "--since-revision", "3");
    assertThat(every.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(every.err()).contains("--since-revision applies to one alias");

    CliResult version = CliResult.run(env, "watch", "models:/churn/3");
    assertThat(version.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(version.err()).contains("expected an alias as models:/MODEL@ALIAS");
  }
}
