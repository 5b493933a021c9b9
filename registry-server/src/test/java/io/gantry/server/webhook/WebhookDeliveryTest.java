package io.gantry.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.CreateWebhookResponse;
import io.gantry.v1.DeleteWebhookRequest;
import io.gantry.v1.GetWebhookRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListWebhookDeliveriesRequest;
import io.gantry.v1.ListWebhooksRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RedeliverWebhookDeliveryRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import io.gantry.v1.WebhooksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: two servers on one database (each a replica with its own senders) and a real HTTP receiver
 * on loopback. Retries are fast here (first after 100 ms, at most 1 s apart, dead after 4 attempts), and a receiver
 * has 3 s to answer.
 */
class WebhookDeliveryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger PATHS = new AtomicInteger();

  private static EmbeddedPostgres postgres;
  private static Path dir;
  private static Map<String, String> env;
  private static GantryServer first;
  private static GantryServer second;
  private static ManagedChannel firstChannel;
  private static ManagedChannel secondChannel;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    dir = TestRegistry.tempDir("gantry-webhooks");
    env = new HashMap<>(Map.of("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres", "GANTRY_AUDIT_KEY_FILE", dir.resolve("audit.key").toString(),
        "GANTRY_WEBHOOK_FIRST_RETRY_MILLIS", "100", "GANTRY_WEBHOOK_MAX_RETRY_SECONDS", "1",
        "GANTRY_WEBHOOK_MAX_ATTEMPTS", "4", "GANTRY_WEBHOOK_POLL_MILLIS", "200",
        "GANTRY_WEBHOOK_TIMEOUT_SECONDS", "3"));
    first = TestRegistry.start(dir, env);
    second = TestRegistry.start(dir, env);
    firstChannel = TestRegistry.connect(first);
    secondChannel = TestRegistry.connect(second);
    receiver = new WebhookReceiver();
  }

  @AfterAll
  static void stop() throws Exception {
    receiver.close();
    firstChannel.shutdownNow();
    secondChannel.shutdownNow();
    first.close();
    second.close();
    postgres.close();
    TestRegistry.deleteRecursively(dir);
  }

  @Test
  void anAliasMove_arrivesAsASignedCloudEvent_carryingItsAuditEvent() throws Exception {
    String model = model("moved");
    String path = path();
    CreateWebhookResponse created = webhooks(firstChannel).createWebhook(CreateWebhookRequest.newBuilder()
        .setWebhookId(id("deploy")).setWebhook(Webhook.newBuilder().setUrl(receiver.url(path)).setModelPattern(model)
            .addEventTypes("io.gantry.alias.moved").setDescription("argo for " + model)).build());
    assertThat(created.getSecret()).startsWith("whsec_");
    register(firstChannel, model, 1);
    var applied = TestRegistry.promotions(firstChannel, "carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias("champion").setVersion(1).build());
    assertThat(applied.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);

    WebhookReceiver.Received request = receiver.await(path, 1, WAIT).get(0);
    assertThat(request.header("Content-Type")).isEqualTo("application/cloudevents+json");
    String id = request.header("webhook-id");
    long timestamp = Long.parseLong(request.header("webhook-timestamp"));
    assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(300);
    assertThat(request.header("webhook-signature"))
        .isEqualTo("v1," + hmac(created.getSecret(), id + "." + timestamp + "." + request.body()));

    JsonNode event = JSON.readTree(request.body());
    assertThat(event.get("specversion").asText()).isEqualTo("1.0");
    assertThat(event.get("id").asText()).isEqualTo(id);
    assertThat(event.get("type").asText()).isEqualTo("io.gantry.alias.moved");
    assertThat(event.get("source").asText()).isEqualTo("gantry.local/audit");
    assertThat(event.get("subject").asText()).isEqualTo("models/" + model + "/aliases/champion");
    JsonNode data = event.get("data");
    assertThat(data.get("action").asText()).isEqualTo("ALIAS_MOVED");
    assertThat(data.get("event_id").asText()).isEqualTo(id);
    assertThat(data.get("seq").asLong()).isEqualTo(event.get("gantryauditseq").asLong());
    assertThat(data.get("payload").get("to").asLong()).isEqualTo(1);
    assertThat(data.get("payload").get("promotion").asText()).isEqualTo(applied.getName());

    // the same event, by seq and id, is in the audit log
    var logged = AuditGrpc.newBlockingStub(firstChannel).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix("models/" + model + "/aliases/champion").build()).getEventsList();
    assertThat(logged).anySatisfy(e -> {
      assertThat(e.getSeq()).isEqualTo(data.get("seq").asLong());
      assertThat(e.getEventId()).isEqualTo(id);
    });
    // only the type asked for: the version's registration and the promotion's own events were not sent. The outbox
    // queues a webhook's deliveries in the transaction of the change, so this list is all it will ever send
    List<WebhookDelivery> deliveries = await().atMost(WAIT).until(() -> deliveries(created.getWebhook().getName(), ""),
        queued -> queued.stream().noneMatch(d -> d.getState() == WebhookDelivery.State.PENDING));
    assertThat(deliveries).singleElement().satisfies(d -> {
      assertThat(d.getState()).isEqualTo(WebhookDelivery.State.SENT);
      assertThat(d.getAttempts()).isEqualTo(1);
      assertThat(d.getLastStatusCode()).isEqualTo(200);
      assertThat(d.getEventId()).isEqualTo(id);
      assertThat(d.hasDeliverTime()).isTrue();
    });
    assertThat(receiver.received(path)).hasSize(1);
  }

  @Test
  void aReceiverThatFailsThenRecovers_getsEveryEventInOrder_eachAttemptOnce() throws Exception {
    String model = model("flaky");
    String path = path();
    // refuses the first try of every event, and the first event's second try too
    receiver.plan(path, history -> {
      String id = history.get(history.size() - 1).header("webhook-id");
      long tries = history.stream().filter(r -> r.header("webhook-id").equals(id)).count();
      return history.size() < 3 || tries == 1 ? 503 : 200;
    });
    String name = create(model, path, List.of("io.gantry.version.registered"));
    int versions = 6;
    for (int v = 1; v <= versions; v++) {
      // through both replicas: the outbox is the database's, not a server's
      register(v % 2 == 0 ? firstChannel : secondChannel, model, v);
    }

    awaitAll(name, versions);
    List<WebhookReceiver.Received> requests = receiver.received(path);
    List<String> order = new ArrayList<>();
    for (WebhookReceiver.Received request : requests) {
      String id = request.header("webhook-id");
      if (order.isEmpty() || !order.get(order.size() - 1).equals(id)) {
        order.add(id);
      }
    }
    List<WebhookDelivery> deliveries = deliveries(name, "");
    // in audit order, each event's attempts back to back: a later one never overtakes a failing one
    assertThat(order).containsExactlyElementsOf(deliveries.stream().map(WebhookDelivery::getEventId).toList());
    assertThat(deliveries).extracting(WebhookDelivery::getAuditSeq).isSorted();
    for (WebhookDelivery delivery : deliveries) {
      long received = requests.stream().filter(r -> r.header("webhook-id").equals(delivery.getEventId())).count();
      assertThat(delivery.getState()).isEqualTo(WebhookDelivery.State.SENT);
      // two servers with two senders each, yet every attempt reached the receiver exactly once
      assertThat(received).as("requests for %s", delivery.getSubject()).isEqualTo(delivery.getAttempts());
    }
    assertThat(deliveries.get(0).getAttempts()).isEqualTo(3);
    assertThat(deliveries).extracting(WebhookDelivery::getSubject).containsExactly(
        java.util.stream.IntStream.rangeClosed(1, versions).mapToObj(v -> "models/" + model + "/versions/" + v)
            .toArray(String[]::new));
    assertThat(deliveries(first, "failed") + deliveries(second, "failed")).isGreaterThanOrEqualTo(versions + 1);
  }

  @Test
  void manyEvents_throughTwoServers_areEachSentOnce() throws Exception {
    String model = model("busy");
    String path = path();
    String name = create(model, path, List.of());
    int versions = 25;
    for (int v = 1; v <= versions; v++) {
      register(v % 2 == 0 ? firstChannel : secondChannel, model, v);
    }
    awaitAll(name, versions);
    List<String> ids = receiver.received(path).stream().map(r -> r.header("webhook-id")).toList();
    assertThat(ids).doesNotHaveDuplicates().hasSize(versions)
        .containsExactlyElementsOf(deliveries(name, "").stream().map(WebhookDelivery::getEventId).toList());
  }

  @Test
  void aDeliveryEveryAttemptOfWhichFails_isDead_listed_andRedelivered() throws Exception {
    String model = model("dead");
    String path = path();
    AtomicInteger status = new AtomicInteger(500);
    receiver.plan(path, history -> status.get());
    String name = create(model, path, List.of());
    register(firstChannel, model, 1);
    receiver.await(path, 4, WAIT);
    WebhookDelivery dead = awaitState(name, WebhookDelivery.State.DEAD);
    assertThat(dead.getAttempts()).isEqualTo(4);
    assertThat(dead.getLastStatusCode()).isEqualTo(500);
    assertThat(dead.getLastError()).isEqualTo(URI.create(receiver.url(path)).getAuthority() + " answered HTTP 500: not now");
    assertThat(dead.hasNextAttemptTime()).isFalse();
    assertThat(deliveries(name, "state = DEAD")).extracting(WebhookDelivery::getName).containsExactly(dead.getName());
    assertThat(deliveries(name, "state = SENT")).isEmpty();
    // longer than the longest retry delay (1 s): a dead delivery is never tried again
    await("no attempt after the last").during(Duration.ofMillis(1500)).atMost(WAIT)
        .until(() -> receiver.received(path).size() == 4);
    assertThat(deliveries(first, "dead") + deliveries(second, "dead")).isGreaterThanOrEqualTo(1);

    status.set(204);
    WebhookDelivery requeued = webhooks(secondChannel).redeliverWebhookDelivery(RedeliverWebhookDeliveryRequest
        .newBuilder().setName(dead.getName()).build());
    assertThat(requeued.getState()).isEqualTo(WebhookDelivery.State.PENDING);
    assertThat(requeued.getAttempts()).isZero();
    List<WebhookReceiver.Received> requests = receiver.await(path, 5, WAIT);
    assertThat(requests.get(4).header("webhook-id")).isEqualTo(dead.getEventId());
    assertThat(requests.get(4).body()).isEqualTo(requests.get(0).body());
    WebhookDelivery sent = awaitState(name, WebhookDelivery.State.SENT);
    assertThat(sent.getAttempts()).isEqualTo(1);
    assertThat(AuditGrpc.newBlockingStub(firstChannel).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix(dead.getName()).build()).getEventsList())
        .singleElement().satisfies(e -> {
          assertThat(e.getAction()).isEqualTo(AuditAction.AUDIT_ACTION_WEBHOOK_REDELIVERED);
          assertThat(e.getActor()).isEqualTo("admin");
        });
  }

  @Test
  void aFailedDelivery_saysInOneSentenceWhereItWentAndWhatWentWrong() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket plaintext = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answerInPlaintext(plaintext));
      answering.setDaemon(true);
      answering.start();
      String refused = failing("refused", "http://127.0.0.1:" + closedPort + "/hook");
      String notTls = failing("tls", "https://127.0.0.1:" + plaintext.getLocalPort() + "/hook");
      String mute = failing("mute", "http://127.0.0.1:" + silent.getLocalPort() + "/hook");

      assertThat(lastError(refused)).isEqualTo("cannot connect to 127.0.0.1:" + closedPort
          + ": connection refused (is the receiver listening?)");
      assertThat(lastError(notTls)).startsWith("the TLS handshake with 127.0.0.1:" + plaintext.getLocalPort()
          + " failed: SSLException: ")
          .endsWith("(is the receiver serving https, with a certificate this server trusts?)");
      // accepted by the kernel, never answered
      assertThat(lastError(mute)).isEqualTo("127.0.0.1:" + silent.getLocalPort()
          + " did not answer within 3 s (GANTRY_WEBHOOK_TIMEOUT_SECONDS)");
    }
  }

  /** Answers every connection with plain HTTP, as a receiver without TLS does to an https:// URL. */
  private static void answerInPlaintext(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket connection = server.accept()) {
        connection.getInputStream().read(new byte[512]);
        connection.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException closed) {
        return;
      }
    }
  }

  /** A webhook at {@code url} for a model of its own, and one event queued for it; returns the webhook's name. */
  private static String failing(String prefix, String url) {
    String model = model(prefix);
    String name = webhooks(firstChannel).createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id(prefix))
        .setWebhook(Webhook.newBuilder().setUrl(url).setModelPattern(model)).build()).getWebhook().getName();
    register(firstChannel, model, 1);
    return name;
  }

  /** The last error of the webhook's one delivery, once an attempt has failed. */
  private static String lastError(String webhook) {
    return await().atMost(WAIT).until(() -> deliveries(webhook, ""),
        deliveries -> deliveries.size() == 1 && !deliveries.get(0).getLastError().isEmpty()).get(0).getLastError();
  }

  @Test
  void webhooks_areAdministeredWithClearErrors_andNeverShowTheirSecret() throws Exception {
    var stub = webhooks(firstChannel);
    String id = id("bad");
    assertThatThrownBy(() -> stub.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId("Bad Id!")
        .setWebhook(Webhook.newBuilder().setUrl("ftp://example.com/x").addEventTypes("io.gantry.alias.jumped")
            .setModelPattern("fraud/*").setSecret("hunter2")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(TestRegistry.violations(e)).extracting(v -> v.getField()).containsExactlyInAnyOrder(
              "webhook_id", "webhook.url", "webhook.event_types[0]", "webhook.model_pattern", "webhook.secret");
        });
    assertThatThrownBy(() -> stub.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id)
        .setWebhook(Webhook.newBuilder().setUrl("https://user:pw@example.com/")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(TestRegistry.violations(e))
            .extracting(v -> v.getField()).containsExactly("webhook.url"));
    assertThat(stub.listWebhooks(ListWebhooksRequest.getDefaultInstance()).getWebhooksList())
        .extracting(Webhook::getName).doesNotContain("webhooks/" + id);

    String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    CreateWebhookResponse created = stub.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id)
        .setWebhook(Webhook.newBuilder().setUrl(receiver.url(path())).setSecret(secret)).build());
    assertThat(created.getSecret()).as("a secret brought is not echoed").isEmpty();
    assertThat(created.getWebhook().getModelPattern()).isEqualTo("*");
    assertThat(created.getWebhook().getCreatedBy()).isEqualTo("admin");
    Webhook read = stub.getWebhook(GetWebhookRequest.newBuilder().setName("webhooks/" + id).build());
    assertThat(read.getSecret()).isEmpty();
    assertThat(read.toString()).doesNotContain(secret.substring(6));
    assertThatThrownBy(() -> stub.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id)
        .setWebhook(Webhook.newBuilder().setUrl(receiver.url("/other"))).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

    stub.deleteWebhook(DeleteWebhookRequest.newBuilder().setName("webhooks/" + id).build());
    assertThatThrownBy(() -> stub.getWebhook(GetWebhookRequest.newBuilder().setName("webhooks/" + id).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> stub.redeliverWebhookDelivery(RedeliverWebhookDeliveryRequest.newBuilder()
        .setName("webhooks/" + id + "/deliveries/" + UUID.randomUUID()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    var audited = AuditGrpc.newBlockingStub(firstChannel).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix("webhooks/" + id).build()).getEventsList();
    assertThat(audited).extracting(e -> e.getAction()).containsExactly(AuditAction.AUDIT_ACTION_WEBHOOK_CREATED,
        AuditAction.AUDIT_ACTION_WEBHOOK_DELETED);
    assertThat(audited.get(0).getPayload().toString()).doesNotContain(secret.substring(6));
  }

  @Test
  void aWebhookUrl_isAuditedAsItsOriginAndDigest_neverItsSecretPathOrQuery() throws Exception {
    var stub = webhooks(firstChannel);
    String id = id("secret-url");
    String url = receiver.url("/hooks/T0KEN-s3cret-path?sig=q5ecret-query");
    stub.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id)
        .setWebhook(Webhook.newBuilder().setUrl(url)).build());
    stub.deleteWebhook(DeleteWebhookRequest.newBuilder().setName("webhooks/" + id).build());

    var audited = AuditGrpc.newBlockingStub(firstChannel).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix("webhooks/" + id).build()).getEventsList();
    assertThat(audited).extracting(e -> e.getAction()).containsExactly(AuditAction.AUDIT_ACTION_WEBHOOK_CREATED,
        AuditAction.AUDIT_ACTION_WEBHOOK_DELETED);
    String digest = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8)));
    for (var event : audited) {
      assertThat(event.toString()).doesNotContain("T0KEN").doesNotContain("s3cret").doesNotContain("q5ecret");
      var payload = event.getPayload().getFieldsMap();
      assertThat(payload.get("url_origin").getStringValue()).isEqualTo(URI.create(url).resolve("/").toString()
          .replaceAll("/$", ""));
      assertThat(payload.get("url_sha256").getStringValue()).isEqualTo(digest);
    }
  }

  @Test
  void aReceiverThatHangs_holdsBackNoChange() throws Exception {
    String model = model("hung");
    String path = path();
    CountDownLatch answer = new CountDownLatch(1);
    receiver.plan(path, history -> {
      try {
        answer.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 200;
    });
    String name = create(model, path, List.of());
    try {
      register(firstChannel, model, 1);
      receiver.await(path, 1, WAIT);
      // queueing more for the webhook being sent to neither waits for the receiver nor for its timeout
      register(secondChannel, model, 2);
      register(firstChannel, model, 3);
      assertThat(deliveries(name, "")).hasSize(3).allSatisfy(d -> {
        assertThat(d.getState()).isEqualTo(WebhookDelivery.State.PENDING);
        assertThat(d.getAttempts()).as("the first attempt is still waiting for its answer").isZero();
      });
      // the backlog shows on /metrics (read at most once a second)
      await("gantry_webhook_pending reached 3").atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> gauge(first, "gantry_webhook_pending") >= 3);
      assertThat(gauge(second, "gantry_webhook_lag_seconds")).isGreaterThan(0);
    } finally {
      answer.countDown();
    }
    awaitAll(name, 3);
  }

  @Test
  void aDeletedWebhook_isSentNothingMore() throws Exception {
    String model = model("gone");
    String path = path();
    String name = create(model, path, List.of());
    register(firstChannel, model, 1);
    receiver.await(path, 1, WAIT);
    webhooks(secondChannel).deleteWebhook(DeleteWebhookRequest.newBuilder().setName(name).build());
    register(firstChannel, model, 2);
    // the delete waited for any send in flight, and no delivery is queued for a webhook gone: nothing arrives
    await("nothing more sent").during(Duration.ofSeconds(1)).atMost(WAIT)
        .until(() -> receiver.received(path).size() == 1);
  }

  private static String create(String model, String path, List<String> types) {
    return webhooks(firstChannel).createWebhook(CreateWebhookRequest.newBuilder().setWebhookId(id("hook"))
        .setWebhook(Webhook.newBuilder().setUrl(receiver.url(path)).setModelPattern(model).addAllEventTypes(types))
        .build()).getWebhook().getName();
  }

  private static void register(ManagedChannel channel, String model, int version) {
    var registry = TestRegistry.registry(channel, "erin");
    if (version == 1) {
      registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    }
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model)
        .setModelVersion(io.gantry.v1.ModelVersion.newBuilder().setSource("s3://models/" + model + "/" + version))
        .build());
  }

  private static void awaitAll(String webhook, int count) {
    awaitState(firstChannel, webhook, WebhookDelivery.State.SENT, count);
  }

  private static WebhookDelivery awaitState(String webhook, WebhookDelivery.State state) {
    return awaitState(firstChannel, webhook, state, 1).get(0);
  }

  /** Waits until the webhook has {@code count} deliveries, all in {@code state}, and returns them. */
  static List<WebhookDelivery> awaitState(ManagedChannel channel, String webhook, WebhookDelivery.State state,
      int count) {
    return await(webhook + " reached " + state).atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> deliveries(channel, webhook, ""),
            deliveries -> deliveries.size() == count && deliveries.stream().allMatch(d -> d.getState() == state));
  }

  static List<WebhookDelivery> deliveries(String webhook, String filter) {
    return deliveries(firstChannel, webhook, filter);
  }

  static List<WebhookDelivery> deliveries(ManagedChannel channel, String webhook, String filter) {
    return webhooks(channel).listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().setParent(webhook)
        .setFilter(filter).setPageSize(1000).build()).getDeliveriesList();
  }

  static WebhooksGrpc.WebhooksBlockingStub webhooks(ManagedChannel channel) {
    return TestRegistry.as(WebhooksGrpc.newBlockingStub(channel), "admin");
  }

  static String hmac(String secret, String signed) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }

  /** A gauge without tags, from the server's /metrics. */
  static double gauge(GantryServer server, String name) throws Exception {
    return scrape(server).lines().filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " on /metrics"));
  }

  private static String scrape(GantryServer server) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The server's {@code gantry_webhook_deliveries_total} of one outcome, from its /metrics. */
  static double deliveries(GantryServer server, String outcome) throws Exception {
    return scrape(server).lines().filter(line -> line.startsWith("gantry_webhook_deliveries_total{")
            && line.contains("outcome=\"" + outcome + "\""))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + outcome + " deliveries on /metrics"));
  }

  private static String model(String prefix) {
    return TestRegistry.uniqueModel("webhook-" + prefix);
  }

  private static String id(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String path() {
    return "/hooks/" + PATHS.incrementAndGet();
  }
}
