package io.gantry.server.access;

import static io.gantry.server.access.RefusalTesting.count;
import static io.gantry.server.access.RefusalTesting.flood;
import static io.gantry.server.access.RefusalTesting.rejections;
import static io.gantry.server.access.RefusalTesting.string;
import static io.gantry.server.access.RefusalTesting.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.Role;
import io.gantry.v1.VerifyAuditLogRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bounds on refusal auditing: two keys tracked, one event waiting, a window longer than the test. Whatever is
 * not written on its own is counted, in a summary or as unaudited, and nothing is lost at shutdown.
 */
class RefusalBoundsTest {

  private static final int CALLS_PER_TOKEN = 3;
  private static final int TOKENS = 10;
  // peer and credential of the key that refusals beyond the tracked ones are summarized under
  private static final String OVERFLOW = "*";

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer(Map.of("GANTRY_REFUSAL_WINDOW_SECONDS", "3600",
      "GANTRY_REFUSAL_MAX_KEYS", "2", "GANTRY_REFUSAL_QUEUE", "1"));

  @Test
  void beyondTheTrackedKeys_refusalsAreSummarizedTogether_andOpenSummariesAreWrittenOnClose() throws Exception {
    String peer = "127.0.0.21";
    ManagedChannel channel = RefusalTesting.from(gantry.server, peer);
    try {
      for (int token = 0; token < TOKENS; token++) {
        flood(channel, "bogus-" + UUID.randomUUID(), CALLS_PER_TOKEN, Status.Code.UNAUTHENTICATED);
      }
    } finally {
      channel.shutdownNow();
    }
    // first refusals are written at once, or counted as unaudited when one is already waiting (queue of 1)
    double unaudited = metric("gantry_refusals_unaudited_total{kind=\"credential_rejected\"");
    assertThat(rejections(audit(), "peers/" + peer)).allSatisfy(event -> assertThat(count(event)).isEqualTo(1));

    gantry.restart();

    List<AuditEvent> tracked = rejections(audit(), "peers/" + peer);
    List<AuditEvent> overflow = rejections(audit(), "peers/" + OVERFLOW);
    assertThat(tracked.stream().map(event -> string(event, "credential")).distinct()).as("two keys tracked")
        .hasSize(2);
    assertThat(tracked.stream().filter(event -> count(event) == CALLS_PER_TOKEN - 1))
        .as("each tracked key's summary, written on close").hasSize(2);
    assertThat(overflow).isNotEmpty().allSatisfy(event -> {
      assertThat(string(event, "peer")).isEqualTo(OVERFLOW);
      assertThat(string(event, "credential")).isEqualTo(OVERFLOW);
    });
    assertThat(overflow).extracting(RefusalTesting::count).as("the overflow's summary, written on close")
        .contains((long) (TOKENS - 2) * CALLS_PER_TOKEN - 1);
    assertThat(total(tracked) + total(overflow) + unaudited).as("every refusal counted")
        .isEqualTo(TOKENS * CALLS_PER_TOKEN);
    assertThat(audit().verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getOk()).isTrue();
  }

  @Test
  void beyondTheQueue_denialsAreCounted_notWritten() throws Exception {
    String principal = "crowd-" + UUID.randomUUID().toString().substring(0, 8);
    gantry.grant("user:" + principal, Role.ROLE_VIEWER, "*");
    double unauditedBefore = metric("gantry_refusals_unaudited_total{kind=\"permission_denied\"");

    flood(gantry.channel, gantry.jwt(principal), 200, Status.Code.PERMISSION_DENIED);

    double unaudited = metric("gantry_refusals_unaudited_total{kind=\"permission_denied\"") - unauditedBefore;
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(audit().listAuditEvents(
        ListAuditEventsRequest.newBuilder().setActor(principal).setAction(AuditAction.AUDIT_ACTION_PERMISSION_DENIED)
            .setPageSize(1000).build()).getEventsCount() + unaudited).isEqualTo(200));
  }

  private static AuditGrpc.AuditBlockingStub audit() {
    return gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
  }

  private static double metric(String prefix) throws Exception {
    return RefusalTesting.metric(gantry.server, prefix);
  }
}
