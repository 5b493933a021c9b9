package io.gantry.server;

import static io.gantry.server.cache.CacheTesting.promote;
import static io.gantry.server.cache.CacheTesting.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL that stops answering without closing its connections: every process of it stopped (SIGSTOP), so no
 * FIN and no RST reach the server, as when its host freezes or the network between is cut. Nothing may wait for the
 * kernel's hours: the listener notices in seconds, the pool's connections are dropped, writes answer UNAVAILABLE
 * rather than hang; once it runs again (SIGCONT) everything recovers by itself.
 */
class FrozenDatabaseTest {

  /**
   * With the defaults (GANTRY_DB_LIVENESS_SECONDS=2): up to 2 s quiet before a ping, 2 s for its answer, 2 s for a
   * reconnection's, and slack for a loaded machine; far below the pool's socket timeout (30 s).
   */
  private static final Duration DETECTION_LIMIT = Duration.ofSeconds(12);

  @Test
  void frozenDatabase_isNoticedInSeconds_writesAreUnavailable_andEverythingRecoversOnceItRuns() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-frozen");
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(pgData).start();
    Map<String, String> env = Map.of(
        "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres",
        "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString());
    try (GantryServer writer = TestRegistry.start(dir.resolve("writer"), env);
        GantryServer reader = TestRegistry.start(dir.resolve("reader"), env)) {
      ManagedChannel toWriter = TestRegistry.connect(writer);
      ManagedChannel toReader = TestRegistry.connect(reader);
      var registry = TestRegistry.registry(toWriter, "alice");
      var readerRegistry = TestRegistry.registry(toReader, "deployer");
      String model = "frozen";
      registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
      for (int i = 0; i < 3; i++) {
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
      }
      promote(toWriter, model, "champion", 1);
      String champion = "models:/" + model + "@champion";
      assertThat(resolve(readerRegistry, champion).getVersion()).isEqualTo(1);

      var writes = writeUntilRefused(registry, model);
      Thread.sleep(300);
      long stopped = System.nanoTime();
      List<Long> frozen = freeze(pgData);
      try {
        StatusRuntimeException inFlight = writes.get(DETECTION_LIMIT.toSeconds() * 2, TimeUnit.SECONDS);
        double writeFailed = secondsSince(stopped);
        assertThat(inFlight.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(TestRegistry.errorInfo(inFlight).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
        assertThat(writeFailed).isLessThan(DETECTION_LIMIT.toSeconds());

        await().atMost(DETECTION_LIMIT).pollInterval(Duration.ofMillis(20))
            .until(() -> !reader.changes().listening());
        double readerNoticed = secondsSince(stopped);

        // once the database is known lost, a write finds no connection it could wait on
        long next = System.nanoTime();
        var later = catchThrowableOfType(() -> withinHang(registry).createModelVersion(
            CreateModelVersionRequest.newBuilder().setParent("models/" + model).build()), StatusRuntimeException.class);
        double laterFailed = secondsSince(next);
        System.out.printf("database frozen (SIGSTOP): a write in flight answered UNAVAILABLE after %.1f s, the other "
            + "replica's listener noticed after %.1f s, a later write answered UNAVAILABLE in %.1f s%n",
            writeFailed, readerNoticed, laterFailed);
        assertThat(later.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(laterFailed).isLessThan(DETECTION_LIMIT.toSeconds());
      } finally {
        signal("CONT", frozen);
      }

      long resumed = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        withinHang(registry).createModel(CreateModelRequest.newBuilder().setModelId("after-freeze").build());
        return true;
      });
      double writable = secondsSince(resumed);
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.changes().listening());
      System.out.printf("database running again (SIGCONT): writes succeed after %.1f s, listener back after %.1f s%n",
          writable, secondsSince(resumed));

      // the change feed carries moves again, and the reader's cache follows them
      for (int version = 2; version <= 3; version++) {
        promote(toWriter, model, "champion", version);
        int expected = version;
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> resolve(readerRegistry, champion).getVersion() == expected);
        for (int i = 0; i < 5; i++) {
          assertThat(resolve(readerRegistry, champion).getVersion()).isEqualTo(expected);
        }
      }
      toWriter.shutdownNow();
      toReader.shutdownNow();
    } finally {
      postgres.close();
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void withTheListenerQuiet_aStatementOnAFrozenDatabaseGivesUpAtTheSocketTimeout() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-frozen-pool");
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(pgData).start();
    Map<String, String> env = Map.of(
        "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres",
        // the listener never asks: only the pool's own timeout can notice
        "GANTRY_DB_LIVENESS_SECONDS", "3600",
        "GANTRY_DB_SOCKET_TIMEOUT_SECONDS", "5",
        "GANTRY_DB_STATEMENT_TIMEOUT_SECONDS", "4");
    try (GantryServer server = TestRegistry.start(dir.resolve("server"), env)) {
      ManagedChannel channel = TestRegistry.connect(server);
      ModelRegistryBlockingStub registry = TestRegistry.registry(channel, "alice");
      registry.createModel(CreateModelRequest.newBuilder().setModelId("pool-only").build());

      var writes = writeUntilRefused(registry, "pool-only");
      Thread.sleep(300);
      long stopped = System.nanoTime();
      List<Long> frozen = freeze(pgData);
      double failedAfter;
      try {
        StatusRuntimeException e = writes.get(30, TimeUnit.SECONDS);
        failedAfter = secondsSince(stopped);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(server.changes().listening()).isTrue();
      } finally {
        signal("CONT", frozen);
      }
      System.out.printf("database frozen, listener quiet: a write answered UNAVAILABLE after %.1f s "
          + "(GANTRY_DB_SOCKET_TIMEOUT_SECONDS=5)%n", failedAfter);
      assertThat(failedAfter).isLessThan(5 + 3);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        withinHang(registry).createModelVersion(
            CreateModelVersionRequest.newBuilder().setParent("models/pool-only").build());
        return true;
      });
      channel.shutdownNow();
    } finally {
      postgres.close();
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void multiHostUrl_primaryFrozenAndStandbyPromoted_writesGoToTheNewPrimaryWithinSeconds() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-failover");
    Path primaryData = dir.resolve("primary");
    Path standbyData = dir.resolve("standby");
    // kept on close: the standby is made from it; committing durably as Gantry's own embedded database does (the
    // library's default is asynchronous commit, whose acknowledged commits could still be missing from the standby)
    EmbeddedPostgres primary = EmbeddedPostgres.builder().setDataDirectory(primaryData).setCleanDataDirectory(false)
        .setServerConfig("synchronous_commit", "on").start();
    EmbeddedPostgres standby = null;
    List<Long> frozen = List.of();
    try {
      // a streaming-replication standby of the primary, as a deployment's failover pair: a copy of the cleanly
      // stopped primary (the binaries have no pg_basebackup) that follows it
      int primaryPort = primary.getPort();
      primary.close();
      copyRecursively(primaryData, standbyData);
      // PostgreSQL starts only on a data directory that is its owner's alone
      Files.setPosixFilePermissions(standbyData, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      Files.writeString(standbyData.resolve("standby.signal"), "");
      Files.writeString(standbyData.resolve("postgresql.auto.conf"),
          "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=postgres'\n",
          java.nio.file.StandardOpenOption.APPEND);
      primary = EmbeddedPostgres.builder().setDataDirectory(primaryData).setCleanDataDirectory(false)
          .setServerConfig("synchronous_commit", "on").setPort(primaryPort).start();
      standby = EmbeddedPostgres.builder().setDataDirectory(standbyData).setCleanDataDirectory(false).start();
      String url = "jdbc:postgresql://127.0.0.1:" + primary.getPort() + ",127.0.0.1:" + standby.getPort()
          + "/postgres?targetServerType=primary";
      try (GantryServer server = TestRegistry.start(dir.resolve("server"), Map.of(
          "GANTRY_DB_URL", url, "GANTRY_DB_USER", "postgres"))) {
        ManagedChannel channel = TestRegistry.connect(server);
        ModelRegistryBlockingStub registry = TestRegistry.registry(channel, "alice");
        registry.createModel(CreateModelRequest.newBuilder().setModelId("failover").build());
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/failover").build());
        promote(channel, "failover", "champion", 1);

        // everything written has reached the standby (asynchronous replication), as a failover tool would wait for:
        // up to where the primary has inserted WAL, which includes commits not yet flushed
        String written = String.valueOf(sql(primary, "select pg_current_wal_insert_lsn()::text"));
        EmbeddedPostgres follower = standby;
        await().atMost(Duration.ofSeconds(30))
            .until(() -> Boolean.TRUE.equals(sql(follower, "select pg_last_wal_replay_lsn() >= cast(? as pg_lsn)",
                written)));
        frozen = freeze(primaryData);
        long stopped = System.nanoTime();
        sql(standby, "select pg_promote()");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
          withinHang(registry).createModelVersion(
              CreateModelVersionRequest.newBuilder().setParent("models/failover").build());
          return true;
        });
        double writable = secondsSince(stopped);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.changes().listening());
        double listening = secondsSince(stopped);
        promote(channel, "failover", "champion", 2);
        assertThat(resolve(registry, "models:/failover@champion").getVersion()).isEqualTo(2);
        System.out.printf("failover (primary frozen, standby promoted): writes succeed on the new primary after "
            + "%.1f s, the listener listens to it after %.1f s%n", writable, listening);
        // the listener's detection (about 6 s) and a connection made to the other host
        assertThat(writable).isLessThan(20);
        channel.shutdownNow();
      }
    } finally {
      if (!frozen.isEmpty()) {
        signal("CONT", frozen);
      }
      if (standby != null) {
        standby.close();
      }
      primary.close();
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static Object sql(EmbeddedPostgres postgres, String query, Object... bindings) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return DSL.using(connection, SQLDialect.POSTGRES).fetchValue(query, bindings);
    }
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else if (!path.getFileName().toString().equals("postmaster.pid")) {
          Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * Stops the postmaster (first line of postmaster.pid) and every process it started (each backend is its child), and
   * returns them all for SIGCONT. A backend forked between listing the processes and stopping the postmaster would
   * run on, serving a fresh pool connection on a database meant to be frozen; so the list is taken again, with the
   * postmaster stopped and no longer forking, until it holds nothing new.
   */
  private static List<Long> freeze(Path pgData) throws IOException, InterruptedException {
    long postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).strip());
    ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow(() ->
        new AssertionError("no postmaster " + postmaster));
    List<Long> stopped = new ArrayList<>();
    List<Long> next = new ArrayList<>(List.of(postmaster));
    while (!next.isEmpty()) {
      signal("STOP", next);
      stopped.addAll(next);
      next = handle.descendants().map(ProcessHandle::pid).filter(pid -> !stopped.contains(pid)).toList();
    }
    assertThat(stopped).as("a postmaster and its backends").hasSizeGreaterThan(3);
    return stopped;
  }

  private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.stream().map(String::valueOf).forEach(command::add);
    Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes());
    // a backend that ended meanwhile needs no signal
    if (kill.waitFor() != 0 && pids.stream().anyMatch(pid -> ProcessHandle.of(pid).isPresent())) {
      throw new AssertionError("kill -" + signal + " " + pids + " failed: " + output);
    }
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  /**
   * Registers versions one after another until one fails, from just before the freeze: the call in flight when the
   * database stops has a connection used a moment ago (the pool does not check it) and waits in the middle of its
   * statement, the case that only a cut connection or the socket timeout ends.
   */
  private static CompletableFuture<StatusRuntimeException> writeUntilRefused(ModelRegistryBlockingStub registry,
      String model) {
    return CompletableFuture.supplyAsync(() -> {
      while (true) {
        try {
          withinHang(registry).createModelVersion(
              CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
        } catch (StatusRuntimeException e) {
          return e;
        }
      }
    });
  }

  /** A deadline far beyond any limit asserted: a call that has not answered by then hangs. */
  private static ModelRegistryBlockingStub withinHang(ModelRegistryBlockingStub registry) {
    return registry.withDeadlineAfter(60, TimeUnit.SECONDS);
  }
}
