package io.gantry.server.access;

import static io.gantry.server.access.RefusalTesting.count;
import static io.gantry.server.access.RefusalTesting.flood;
import static io.gantry.server.access.RefusalTesting.list;
import static io.gantry.server.access.RefusalTesting.rejections;
import static io.gantry.server.access.RefusalTesting.string;
import static io.gantry.server.access.RefusalTesting.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.Role;
import io.gantry.v1.VerifyAuditLogRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A flood of bad credentials is summarized in the audit log, not written call by call: per peer address and
 * credential fingerprint, the first refusal at once and the rest in one summary when the key's window closes. Each
 * test calls from its own loopback address (127.0.0.x), so its events are told apart by their peer.
 */
class RefusalSummaryTest {

  private static final int WINDOW_SECONDS = 10;

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer(Map.of(
      "GANTRY_REFUSAL_WINDOW_SECONDS", Integer.toString(WINDOW_SECONDS)));

  private static final List<ManagedChannel> channels = new ArrayList<>();

  @AfterAll
  static void closeChannels() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  @Test
  void fiveThousandCallsWithABogusToken_makeTwoEvents_whoseCountsSumToFiveThousand() throws Exception {
    String peer = "127.0.0.11";
    String bogus = "bogus-" + UUID.randomUUID();
    double refusedBefore = metric("gantry_refusals_total{kind=\"credential_rejected\"");
    double summarizedBefore = metric("gantry_refusals_summarized_total");

    flood(from(peer), bogus, 5000, Status.Code.UNAUTHENTICATED);

    List<AuditEvent> events = awaitTotal(peer, 5000);
    assertThat(events).as("the first at once, the other 4,999 in one summary").hasSize(2);
    assertThat(events).extracting(RefusalTesting::count).containsExactly(1L, 4999L);
    for (AuditEvent event : events) {
      assertThat(event.getActor()).isEqualTo(RefusalLog.UNAUTHENTICATED);
      assertThat(string(event, "peer")).isEqualTo(peer);
      assertThat(string(event, "credential")).matches("sha256:[0-9a-f]{16}");
      assertThat(list(event, "reasons")).containsExactly(
          "malformed JWT: the bearer token is neither a Gantry API token nor a JWT");
      assertThat(list(event, "methods")).containsExactly("gantry.v1.ModelRegistry/CreateModel");
      assertThat(event.getPayload().toString()).as("never the credential").doesNotContain(bogus);
    }
    assertThat(string(events.get(1), "first_time")).isLessThanOrEqualTo(string(events.get(1), "last_time"));
    assertThat(metric("gantry_refusals_total{kind=\"credential_rejected\"") - refusedBefore).isEqualTo(5000);
    assertThat(metric("gantry_refusals_summarized_total") - summarizedBefore).isEqualTo(4999);
    assertThat(audit().verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getOk())
        .as("the log still verifies").isTrue();
  }

  @Test
  void twoPeers_andTwoCredentials_areSummarizedApart() throws Exception {
    String first = "127.0.0.12";
    String second = "127.0.0.13";
    String tokenA = "bogus-a-" + UUID.randomUUID();
    String tokenB = "bogus-b-" + UUID.randomUUID();
    ManagedChannel fromFirst = from(first);
    flood(fromFirst, tokenA, 300, Status.Code.UNAUTHENTICATED);
    flood(fromFirst, tokenB, 200, Status.Code.UNAUTHENTICATED);
    flood(from(second), tokenA, 100, Status.Code.UNAUTHENTICATED);

    Map<String, List<AuditEvent>> byCredential = awaitTotal(first, 500).stream()
        .collect(Collectors.groupingBy(event -> string(event, "credential")));
    assertThat(byCredential).hasSize(2);
    assertThat(byCredential.values()).allSatisfy(events -> assertThat(events).hasSize(2));
    assertThat(byCredential.values()).extracting(RefusalTesting::total).containsExactlyInAnyOrder(300L, 200L);
    List<AuditEvent> secondEvents = awaitTotal(second, 100);
    assertThat(secondEvents).extracting(RefusalTesting::count).containsExactly(1L, 99L);
    assertThat(string(secondEvents.get(0), "credential")).as("the same token from another peer")
        .isEqualTo(string(byCredential.values().stream().filter(events -> total(events) == 300).findFirst()
            .orElseThrow().get(0), "credential"));
  }

  @Test
  void aSingleBadCall_isAuditedAtOnce_withItsReason_andNotSummarizedAgain() throws Exception {
    String peer = "127.0.0.14";
    StatusRuntimeException refused = catchThrowableOfType(() -> ModelRegistryGrpc.newBlockingStub(from(peer))
        .createModel(CreateModelRequest.newBuilder().setModelId(TestRegistry.uniqueModel("alone")).build()),
        StatusRuntimeException.class);
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    List<AuditEvent> events = await().atMost(Duration.ofSeconds(WINDOW_SECONDS / 2))
        .until(() -> rejections(audit(), "peers/" + peer), list -> !list.isEmpty());
    assertThat(events).hasSize(1);
    assertThat(count(events.get(0))).isEqualTo(1);
    assertThat(string(events.get(0), "credential")).isEqualTo("none");
    assertThat(list(events.get(0), "reasons")).containsExactly(refused.getStatus().getDescription());
    assertThat(list(events.get(0), "methods")).containsExactly("gantry.v1.ModelRegistry/CreateModel");
    // nothing left to summarize: past the window's close, still the one event
    await().during(Duration.ofSeconds(WINDOW_SECONDS + 2)).atMost(Duration.ofSeconds(WINDOW_SECONDS + 10))
        .untilAsserted(() -> assertThat(rejections(audit(), "peers/" + peer)).as("nothing left to summarize")
            .hasSize(1));
  }

  @Test
  void refusalsOfAuthenticatedCallers_stayOneEventEach() throws Exception {
    String principal = "reader-" + UUID.randomUUID().toString().substring(0, 8);
    gantry.grant("user:" + principal, Role.ROLE_VIEWER, "*");
    double deniedBefore = metric("gantry_refusals_total{kind=\"permission_denied\"");

    flood(gantry.channel, gantry.jwt(principal), 40, Status.Code.PERMISSION_DENIED);

    await().atMost(Duration.ofSeconds(10)).until(() -> audit().listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setActor(principal).setAction(AuditAction.AUDIT_ACTION_PERMISSION_DENIED).setPageSize(1000).build())
        .getEventsCount() == 40);
    assertThat(metric("gantry_refusals_total{kind=\"permission_denied\"") - deniedBefore).isEqualTo(40);
  }

  /** Waits until the refusals audited for {@code peer} add up to {@code expected}; answers their events. */
  private static List<AuditEvent> awaitTotal(String peer, long expected) {
    return await().atMost(Duration.ofSeconds(WINDOW_SECONDS * 3L)).pollInterval(Duration.ofMillis(250))
        .until(() -> rejections(audit(), "peers/" + peer), events -> total(events) == expected);
  }

  private static AuditGrpc.AuditBlockingStub audit() {
    return gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
  }

  private static ManagedChannel from(String address) {
    ManagedChannel channel = RefusalTesting.from(gantry.server, address);
    channels.add(channel);
    return channel;
  }

  private static double metric(String prefix) throws Exception {
    return RefusalTesting.metric(gantry.server, prefix);
  }
}
