package io.gantry.server.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A server stopped while it copies a version's files gives the copy back; the server started after it (or another
 * replica) copies them again from the start, and the version becomes READY: never pending forever.
 */
class PinningRestartTest {

  @Test
  void aCopyCutOffByAStop_isResumedByTheNextStart() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-pin-restart");
    String run = PinnedOnRegisterTest.RUN;
    String weights = "/api/2.0/mlflow-artifacts/artifacts/1/" + run + "/artifacts/model/model.pkl";
    try (FakeTrackingServer tracking = new FakeTrackingServer()) {
      Map<String, String> env = new HashMap<>(PinnedOnRegisterTest.settings(tracking));
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicBoolean held = new AtomicBoolean();
      // the first download of the weights hangs until the server that asked is gone
      tracking.plan(weights, request -> {
        if (held.compareAndSet(false, true)) {
          try {
            stopped.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return FakeTrackingServer.DROP;
        }
        return null;
      });
      String model = "restarted-pin";
      try (GantryServer first = TestRegistry.start(dir, env)) {
        JsonNode created = PinnedOnRegisterTest.register(first, model, "runs:/" + run + "/model", run);
        assertThat(created.get("status").asText()).isEqualTo("PENDING_REGISTRATION");
        await().atMost(Duration.ofSeconds(30)).until(() -> held.get());
      } finally {
        stopped.countDown();
      }

      try (GantryServer second = TestRegistry.start(dir, env)) {
        ManagedChannel channel = TestRegistry.connect(second);
        try {
          JsonNode ready = PinnedOnRegisterTest.awaitSettled(second, model);
          assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("READY");
          PinnedOnRegisterTest.assertPinned(tracking, second, channel, model, "1/" + run + "/artifacts/model");
          assertThat(tracking.requests()).filteredOn(r -> r.pathAndQuery().equals(weights)).hasSizeGreaterThan(1);
        } finally {
          channel.shutdownNow();
        }
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }
}
