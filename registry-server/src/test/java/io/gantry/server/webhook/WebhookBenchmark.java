package io.gantry.server.webhook;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.Webhook;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Figures for docs/BENCHMARKS.md (not a test): what the outbox adds to a write, how soon a receiver hears of a
 * commit, and how fast one webhook's deliveries leave (one at a time, in order). A server on its own embedded
 * PostgreSQL, a receiver on loopback answering 204 at once; see docs/BENCHMARKS.md for the command.
 */
public final class WebhookBenchmark {

  private WebhookBenchmark() {}

  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    // 0: the outbox is written but nothing is sent, which isolates its cost from the senders' work
    String senders = args.length > 1 ? args[1] : "2";
    Path dir = TestRegistry.tempDir("gantry-webhook-bench");
    Map<Long, Long> receivedAt = new ConcurrentHashMap<>();
    try (GantryServer server = TestRegistry.start(dir, Map.of("GANTRY_WEBHOOK_SENDERS", senders));
        WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.plan("/bench", history -> {
        String body = history.get(history.size() - 1).body();
        long seq = Long.parseLong(body.replaceAll(".*\"gantryauditseq\":(\\d+).*", "$1"));
        receivedAt.putIfAbsent(seq, System.nanoTime());
        return 204;
      });
      ManagedChannel channel = TestRegistry.connect(server);
      var registry = TestRegistry.registry(channel, "bench");
      registry.createModel(CreateModelRequest.newBuilder().setModelId("unwatched").build());
      registry.createModel(CreateModelRequest.newBuilder().setModelId("watched").build());
      WebhookDeliveryTest.webhooks(channel).createWebhook(CreateWebhookRequest.newBuilder().setWebhookId("bench")
          .setWebhook(Webhook.newBuilder().setUrl(receiver.url("/bench")).setModelPattern("watched")).build());

      // warm up both paths, then alternate rounds so both see the same machine
      register(registry, "unwatched", writes / 4);
      register(registry, "watched", writes / 4);
      double[] unwatched = new double[0];
      double[] watched = new double[0];
      for (int round = 0; round < 4; round++) {
        unwatched = concat(unwatched, register(registry, "unwatched", writes / 4));
        watched = concat(watched, register(registry, "watched", writes / 4));
      }
      System.out.printf("create over gRPC, model no webhook matches: p50 %.2f ms, mean %.2f ms (%d)%n",
          percentile(unwatched, 50), mean(unwatched), unwatched.length);
      System.out.printf("create over gRPC, model a webhook matches:  p50 %.2f ms, mean %.2f ms (%d)%n",
          percentile(watched, 50), mean(watched), watched.length);

      if (senders.equals("0")) {
        return;
      }
      awaitReceived(receiver, writes / 4 + writes);

      // commit → receiver, one event at a time
      double[] latency = new double[200];
      for (int i = 0; i < latency.length; i++) {
        receivedAt.clear();
        long start = System.nanoTime();
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/watched").build());
        while (receivedAt.isEmpty()) {
          Thread.onSpinWait();
        }
        latency[i] = (receivedAt.values().iterator().next() - start) / 1e6;
      }
      System.out.printf("create call start → receiver has the event: p50 %.2f ms, p99 %.2f ms (%d)%n",
          percentile(latency, 50), percentile(latency, 99), latency.length);

      // a burst: how fast one webhook's queue drains
      receivedAt.clear();
      int burst = writes;
      long start = System.nanoTime();
      for (int i = 0; i < burst; i++) {
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/watched").build());
      }
      long committed = System.nanoTime();
      while (receivedAt.size() < burst) {
        Thread.sleep(5);
      }
      long drained = receivedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      System.out.printf("burst of %d: committed in %.2f s, all delivered %.2f s after the first commit: %.0f "
          + "deliveries/s to one webhook%n", burst, (committed - start) / 1e9, (drained - start) / 1e9,
          burst / ((drained - start) / 1e9));
      channel.shutdownNow();
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static double[] register(ModelRegistryGrpc.ModelRegistryBlockingStub registry, String model, int count) {
    double[] millis = new double[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    return millis;
  }

  private static void awaitReceived(WebhookReceiver receiver, int count) throws InterruptedException {
    receiver.await("/bench", count, Duration.ofMinutes(5));
  }

  private static double[] concat(double[] a, double[] b) {
    double[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static double percentile(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(0);
  }
}
