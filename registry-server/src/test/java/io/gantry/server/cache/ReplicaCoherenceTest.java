package io.gantry.server.cache;

import static io.gantry.server.cache.CacheTesting.aliasHits;
import static io.gantry.server.cache.CacheTesting.aliasMisses;
import static io.gantry.server.cache.CacheTesting.meter;
import static io.gantry.server.cache.CacheTesting.promote;
import static io.gantry.server.cache.CacheTesting.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL, the production shape: a move through one reaches the other's cache and watchers. */
class ReplicaCoherenceTest {

  private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(5);

  private static Path dir;
  private static EmbeddedPostgres postgres;
  private static GantryServer writer;
  private static GantryServer reader;
  private static ManagedChannel toWriter;
  private static ManagedChannel toReader;

  @BeforeAll
  static void startTwoReplicas() throws Exception {
    dir = TestRegistry.tempDir("gantry-coherence");
    postgres = EmbeddedPostgres.builder().start();
    Map<String, String> env = Map.of(
        "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres",
        "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString());
    writer = TestRegistry.start(dir, env);
    reader = TestRegistry.start(dir, env);
    toWriter = TestRegistry.connect(writer);
    toReader = TestRegistry.connect(reader);
  }

  @AfterAll
  static void stop() throws Exception {
    toWriter.shutdownNow();
    toReader.shutdownNow();
    reader.close();
    writer.close();
    postgres.close();
    TestRegistry.deleteRecursively(dir);
  }

  private static String modelWithTwoVersions(String model) {
    var registry = TestRegistry.registry(toWriter, "dana");
    registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    return model;
  }

  @Test
  void aMoveThroughOneReplica_reachesTheOthersCachedResolveAndItsWatchers() throws Exception {
    String model = modelWithTwoVersions("coherent");
    promote(toWriter, model, "champion", 1);
    String name = "models:/" + model + "@champion";
    var readerRegistry = TestRegistry.registry(toReader, "deployer");
    assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(1);
    double hits = aliasHits(reader.httpPort());
    assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(1);
    assertThat(aliasHits(reader.httpPort())).as("the reader answers from its cache").isEqualTo(hits + 1);

    BlockingQueue<AliasEvent> events = new LinkedBlockingQueue<>();
    Context.CancellableContext watching = Context.current().withCancellation();
    watching.run(() -> ModelRegistryGrpc.newStub(toReader).watchAlias(
        WatchAliasRequest.newBuilder().setName(name).build(), collect(events)));
    assertThat(events.poll(10, TimeUnit.SECONDS).getCurrent().getVersion()).isEqualTo(1);

    long moved = System.nanoTime();
    promote(toWriter, model, "champion", 2);
    long seen = awaitVersion(readerRegistry, name, 2, moved);
    AliasEvent move = events.poll(PROPAGATION_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    long watched = System.nanoTime();
    watching.cancel(null);

    System.out.printf("alias move seen by the other replica's resolve after %.1f ms, by its watcher after %.1f ms%n",
        (seen - moved) / 1e6, (watched - moved) / 1e6);
    assertThat(move).isNotNull();
    assertThat(move.getMoved().getFromVersion()).isEqualTo(1);
    assertThat(move.getMoved().getToVersion()).isEqualTo(2);
    assertThat(move.getMoved().getRevision()).isEqualTo(2);
    for (int i = 0; i < 10; i++) {
      assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(2);
    }
  }

  @Test
  void aKilledListenerConnection_clearsTheCache_whichRefills_andFollowsEveryMoveAfter() throws Exception {
    String model = modelWithTwoVersions("listener-killed");
    promote(toWriter, model, "champion", 1);
    String name = "models:/" + model + "@champion";
    var readerRegistry = TestRegistry.registry(toReader, "deployer");
    resolve(readerRegistry, name);
    assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(1);
    String reconnects = "gantry_change_listener_reconnects_total";
    double before = meter(reader.httpPort(), reconnects);

    int killed = TestRegistry.dsl(writer)
        .select(DSL.function("pg_terminate_backend", Boolean.class, DSL.field(DSL.name("pid"))))
        .from(DSL.table(DSL.name("pg_stat_activity")))
        .where(DSL.field(DSL.name("application_name")).eq("gantry-change-listener"))
        .fetch().size();
    assertThat(killed).as("one listener per replica").isEqualTo(2);
    awaitMeter(reader.httpPort(), reconnects, before + 1);
    awaitMeter(reader.httpPort(), "gantry_change_listener_connected", 1);

    // cleared: the next resolve reads the database, then the cache is back in use
    double misses = aliasMisses(reader.httpPort());
    assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(1);
    assertThat(aliasMisses(reader.httpPort())).isEqualTo(misses + 1);
    double hits = aliasHits(reader.httpPort());
    assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(1);
    assertThat(aliasHits(reader.httpPort())).isEqualTo(hits + 1);

    // and coherent again: each move is seen, and once seen the version left never comes back
    for (int move = 0; move < 6; move++) {
      int to = move % 2 == 0 ? 2 : 1;
      long moved = System.nanoTime();
      promote(toWriter, model, "champion", to);
      awaitVersion(readerRegistry, name, to, moved);
      for (int i = 0; i < 20; i++) {
        assertThat(resolve(readerRegistry, name).getVersion()).isEqualTo(to);
      }
    }
  }

  /** Resolves until the version shows, failing after the limit; returns when it showed. */
  private static long awaitVersion(ModelRegistryGrpc.ModelRegistryBlockingStub registry, String name, long version,
      long since) {
    long left = PROPAGATION_LIMIT.minusNanos(System.nanoTime() - since).toMillis();
    await("the move reaching the other replica").atMost(Duration.ofMillis(Math.max(1, left)))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
        .until(() -> resolve(registry, name).getVersion() == version);
    return System.nanoTime();
  }

  private static void awaitMeter(int httpPort, String series, double atLeast) {
    await(series + " to reach " + atLeast).atMost(PROPAGATION_LIMIT).pollInterval(Duration.ofMillis(10))
        .until(() -> meter(httpPort, series) >= atLeast);
  }

  static <T> StreamObserver<T> collect(BlockingQueue<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
