package io.gantry.server.cache;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.change.ChangeFeed;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the h2load script cannot measure: how long an alias move takes to reach another replica's
 * resolve and its watchers, and how much memory a cached entry holds. Two replicas on one embedded
 * PostgreSQL with fsync on, as in production.
 *
 * <p>Arguments: moves (default 200), entries for the memory figure (default 100000).
 */
public final class ResolveBenchmark {

  private ResolveBenchmark() {}

  public static void main(String[] args) throws Exception {
    int moves = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int entries = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = TestRegistry.tempDir("gantry-resolve-bench");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
      Map<String, String> env = Map.of(
          "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
          "GANTRY_DB_USER", "postgres",
          "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString());
      try (GantryServer writer = TestRegistry.start(dir, env); GantryServer reader = TestRegistry.start(dir, env)) {
        ModelVersion typical = propagation(TestRegistry.connect(writer), TestRegistry.connect(reader), moves);
        memory(typical.toByteArray(), entries);
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static ModelVersion propagation(ManagedChannel toWriter, ManagedChannel toReader, int moves)
      throws Exception {
    var registry = TestRegistry.registry(toWriter, "bench");
    registry.createModel(CreateModelRequest.newBuilder().setModelId("bench").build());
    MlflowFiles files = MlflowFiles.newBuilder()
        .setMlmodel(TestRegistry.mlflowFixture("mlmodel/sklearn-wine_mlflow-2.13.1.MLmodel"))
        .setRequirementsTxt(TestRegistry.mlflowFixture("env/sklearn_mlflow-1.30.1.requirements.txt")).build();
    for (int i = 0; i < 2; i++) {
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/bench")
          .setModelVersion(ModelVersion.newBuilder().setFiles(files).putTags("git_commit", "4f2a9c1")).build());
    }
    CacheTesting.promote(toWriter, "bench", "champion", 1);
    var readerRegistry = TestRegistry.registry(toReader, "deployer");
    String name = "models:/bench@champion";
    ModelVersion typical = CacheTesting.resolve(readerRegistry, name);
    BlockingQueue<Long> watched = new LinkedBlockingQueue<>();
    ModelRegistryGrpc.newStub(toReader).watchAlias(WatchAliasRequest.newBuilder().setName(name).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(AliasEvent event) {
            if (event.hasMoved()) {
              watched.add(System.nanoTime());
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    int warmup = moves / 4;
    long[] fromRequest = new long[moves];
    long[] fromReply = new long[moves];
    long[] watchFromRequest = new long[moves];
    for (int i = -warmup; i < moves; i++) {
      long to = (i & 1) == 0 ? 2 : 1;
      long requested = System.nanoTime();
      CacheTesting.promote(toWriter, "bench", "champion", to);
      long replied = System.nanoTime();
      while (CacheTesting.resolve(readerRegistry, name).getVersion() != to) {
        Thread.onSpinWait();
      }
      long seen = System.nanoTime();
      Long notified = watched.poll(10, TimeUnit.SECONDS);
      if (i >= 0) {
        fromRequest[i] = seen - requested;
        fromReply[i] = seen - replied;
        watchFromRequest[i] = notified - requested;
      }
      Thread.sleep(5);
    }
    System.out.printf("alias move -> other replica, %d moves after %d warm-up:%n", moves, warmup);
    print("resolve sees it, from the promotion's reply", fromReply);
    print("resolve sees it, from the promotion's request", fromRequest);
    print("watcher gets it, from the promotion's request", watchFromRequest);
    return typical;
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("  %-48s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what,
        sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  /** Heap held by {@code entries} cached resolves of one typical response, each under its own model and name. */
  private static void memory(byte[] response, int entries) throws Exception {
    var metrics = new SimpleMeterRegistry();
    ChangeFeed unstarted = new ChangeFeed(() -> {
      throw new java.sql.SQLException("not connected");
    }, Duration.ofSeconds(2), metrics);
    ResolveCache cache = new ResolveCache(unstarted, Duration.ofHours(1), entries, metrics);
    long before = usedHeap();
    for (int i = 0; i < entries; i++) {
      String model = "fraud-detector-" + i;
      // each entry its own copy, as each load serializes its own
      cache.put(ResolveCache.Kind.ALIAS, "models:/" + model + "@champion", cache.ticket(model), response.clone());
    }
    long after = usedHeap();
    double perEntry = (after - before) / (double) entries;
    System.out.printf("memory: %d entries of a %d-byte response: %.0f bytes each (%.0f beyond the response)%n",
        entries, response.length, perEntry, perEntry - response.length);
    if (cache.fresh(ResolveCache.Kind.ALIAS, "models:/fraud-detector-0@champion") != null) {
      throw new AssertionError("an unlistened cache must not serve");
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
