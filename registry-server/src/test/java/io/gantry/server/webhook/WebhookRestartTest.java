package io.gantry.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.ServerProcess;
import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server killed (SIGKILL) while it sends: what it had committed is delivered by the server started after it,
 * the event cut off in flight included, with the same id, in order.
 */
class WebhookRestartTest {

  @Test
  void eventsCommittedByAKilledServer_areDeliveredAfterTheRestart() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-webhook-restart");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        WebhookReceiver receiver = new WebhookReceiver()) {
      Map<String, String> env = new HashMap<>(Map.of("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
          "GANTRY_DB_USER", "postgres", "GANTRY_DATA_DIR", dir.toString(), "GANTRY_GRPC_PORT", "0",
          "GANTRY_HTTP_PORT", "0", "GANTRY_WEBHOOK_FIRST_RETRY_MILLIS", "100", "GANTRY_WEBHOOK_POLL_MILLIS", "200"));
      CountDownLatch killed = new CountDownLatch(1);
      // the first request is held until its sender is dead; any later one is answered
      receiver.plan("/deploy", history -> {
        if (history.size() == 1) {
          try {
            killed.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return 200;
      });

      Process server = ServerProcess.launch(env);
      String webhook;
      try {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ServerProcess.awaitPort(server))
            .usePlaintext().build();
        try {
          webhook = WebhookDeliveryTest.webhooks(channel).createWebhook(CreateWebhookRequest.newBuilder()
              .setWebhookId("deploy").setWebhook(Webhook.newBuilder().setUrl(receiver.url("/deploy"))).build())
              .getWebhook().getName();
          var registry = TestRegistry.registry(channel, "erin");
          registry.createModel(CreateModelRequest.newBuilder().setModelId("restarted").build());
          for (int v = 1; v <= 3; v++) {
            registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/restarted").build());
          }
        } finally {
          channel.shutdownNow();
        }
        receiver.await("/deploy", 1, Duration.ofSeconds(30));
      } finally {
        server.destroyForcibly().waitFor();
        killed.countDown();
      }
      String cutOff = receiver.received("/deploy").get(0).header("webhook-id");

      try (GantryServer restarted = TestRegistry.start(dir, env)) {
        List<WebhookReceiver.Received> requests = receiver.await("/deploy", 4, Duration.ofSeconds(30));
        ManagedChannel channel = TestRegistry.connect(restarted);
        try {
          List<WebhookDelivery> deliveries = WebhookDeliveryTest.awaitState(channel, webhook,
              WebhookDelivery.State.SENT, 3);
          // the model's creation is not a webhook event; the three registrations are
          assertThat(deliveries).extracting(WebhookDelivery::getSubject).containsExactly(
              "models/restarted/versions/1", "models/restarted/versions/2", "models/restarted/versions/3");
          assertThat(deliveries.get(0).getEventId()).isEqualTo(cutOff);
          // at least once: the attempt cut off by the kill, then each in audit order
          assertThat(requests).as(deliveries.toString()).extracting(r -> r.header("webhook-id")).containsExactly(cutOff,
              deliveries.get(0).getEventId(), deliveries.get(1).getEventId(), deliveries.get(2).getEventId());
          assertThat(deliveries).as(deliveries.toString()).extracting(WebhookDelivery::getAttempts).containsOnly(1);
        } finally {
          channel.shutdownNow();
        }
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }
}
