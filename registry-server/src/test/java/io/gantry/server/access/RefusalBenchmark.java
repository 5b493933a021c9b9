package io.gantry.server.access;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;

/**
 * Figures for docs/BENCHMARKS.md (not a test): a real write (CreateModel with an admin's API token, one at a time)
 * without a flood, then while a flood of bad credentials runs from other threads and connections, in one run on its
 * own embedded PostgreSQL; and how many audit events the flood left, and how much the database grew, once they
 * are written (the refusal window is 5 s here). See docs/BENCHMARKS.md for the command.
 */
public final class RefusalBenchmark {

  /** Writes that failed, by status code. */
  private static final Map<String, Integer> FAILED = new java.util.TreeMap<>();

  private RefusalBenchmark() {}

  public static void main(String[] args) throws Exception {
    int flood = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int quietWrites = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int flooders = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Path dir = TestRegistry.tempDir("gantry-refusal-bench");
    Path tokenFile = dir.resolveSibling(dir.getFileName() + "-admin.token");
    // a short window, so that the summaries are in the log before the run ends
    try (GantryServer server = TestRegistry.start(dir, Map.of("GANTRY_API_TOKENS", "true",
        "GANTRY_BOOTSTRAP_TOKEN_FILE", tokenFile.toString(), "GANTRY_REFUSAL_WINDOW_SECONDS", "5"))) {
      String admin = Files.readString(tokenFile).trim();
      ManagedChannel channel = TestRegistry.connect(server);
      var registry = VerifiedServer.bearer(ModelRegistryGrpc.newBlockingStub(channel), admin);
      var audit = VerifiedServer.bearer(AuditGrpc.newBlockingStub(channel), admin);
      AtomicInteger names = new AtomicInteger();

      writes(registry, names, quietWrites / 5); // warm-up
      List<Double> quiet = writes(registry, names, quietWrites);
      Map<String, Integer> failedQuiet = new java.util.TreeMap<>(FAILED);
      FAILED.clear();

      long eventsBefore = rejections(audit);
      long bytesBefore = databaseBytes(server);
      List<ManagedChannel> floodChannels = new ArrayList<>();
      ExecutorService attackers = Executors.newFixedThreadPool(flooders);
      AtomicInteger left = new AtomicInteger(flood);
      long started = System.nanoTime();
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < flooders; i++) {
        ManagedChannel attacker = TestRegistry.connect(server);
        floodChannels.add(attacker);
        var bogus = VerifiedServer.bearer(ModelRegistryGrpc.newBlockingStub(attacker), "bogus-token-" + i);
        running.add(attackers.submit(() -> {
          while (left.getAndDecrement() > 0) {
            try {
              bogus.createModel(CreateModelRequest.newBuilder().setModelId("flood").build());
              throw new IllegalStateException("a bogus token was accepted");
            } catch (StatusRuntimeException refused) {
              // expected: UNAUTHENTICATED
            }
          }
        }));
      }
      List<Double> flooded = new ArrayList<>();
      while (running.stream().anyMatch(future -> !future.isDone())) {
        flooded.addAll(writes(registry, names, 1));
      }
      double floodSeconds = (System.nanoTime() - started) / 1e9;
      for (Future<?> future : running) {
        future.get();
      }
      attackers.shutdown();
      floodChannels.forEach(ManagedChannel::shutdownNow);
      long eventsAfterFlood = rejections(audit);
      long settled = settle(audit);

      System.out.printf("write without a flood: p50 %.2f ms, p99 %.2f ms (%d writes, failed: %s)%n",
          percentile(quiet, 50), percentile(quiet, 99), quiet.size(), failedQuiet);
      System.out.printf("write during a flood of %,d bad credentials (%d threads, %.1f s, %.0f refusals/s): "
          + "p50 %.2f ms, p99 %.2f ms (%d writes, failed: %s)%n", flood, flooders, floodSeconds,
          flood / floodSeconds, percentile(flooded, 50), percentile(flooded, 99), flooded.size(), FAILED);
      System.out.printf("ratio p50 %.2f, p99 %.2f%n", percentile(flooded, 50) / percentile(quiet, 50),
          percentile(flooded, 99) / percentile(quiet, 99));
      System.out.printf("CREDENTIAL_REJECTED events the flood added: %d when it ended, %d once written; "
          + "database grew %.1f MB%n", eventsAfterFlood - eventsBefore, settled - eventsBefore,
          (databaseBytes(server) - bytesBefore) / 1e6);
      channel.shutdownNow();
    } finally {
      TestRegistry.deleteRecursively(dir);
      Files.deleteIfExists(tokenFile);
    }
  }

  /** The times of {@code count} creates, in milliseconds; one that fails counts with the time it took to. */
  private static List<Double> writes(ModelRegistryGrpc.ModelRegistryBlockingStub registry, AtomicInteger names,
      int count) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      try {
        registry.createModel(CreateModelRequest.newBuilder().setModelId("bench-" + names.incrementAndGet()).build());
      } catch (StatusRuntimeException e) {
        FAILED.merge(e.getStatus().getCode().name(), 1, Integer::sum);
      }
      millis.add((System.nanoTime() - t0) / 1e6);
    }
    return millis;
  }

  /** The CREDENTIAL_REJECTED events once their number has not changed for twice the window (at most 5 minutes). */
  private static long settle(AuditGrpc.AuditBlockingStub audit) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long last = -1;
    long now = rejections(audit);
    while (now != last && System.nanoTime() < deadline) {
      Thread.sleep(10_000);
      last = now;
      now = rejections(audit);
    }
    return now;
  }

  private static long databaseBytes(GantryServer server) {
    return TestRegistry.dsl(server).select(DSL.field("pg_database_size(current_database())", Long.class))
        .fetchOne().value1();
  }

  private static long rejections(AuditGrpc.AuditBlockingStub audit) {
    long count = 0;
    String token = "";
    do {
      var page = audit.listAuditEvents(ListAuditEventsRequest.newBuilder()
          .setAction(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED).setPageSize(1000).setPageToken(token).build());
      count += page.getEventsCount();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return count;
  }

  private static double percentile(List<Double> values, int percentile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }
}
