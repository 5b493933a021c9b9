package io.gantry.server.webhook;

import static io.gantry.db.Tables.WEBHOOK_DELIVERY;
import static io.gantry.db.Tables.WEBHOOK_EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.server.TestRegistry;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.AuditEntry;
import io.gantry.server.audit.AuditLog;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.CommitHook;
import io.gantry.server.common.Transactions;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.DeleteWebhookRequest;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhooksGrpc;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** The outbox is written in the changing transaction: what rolls back leaves no delivery behind. */
class WebhookOutboxTest {

  @Test
  void aChangeThatRollsBackAfterItsEventsWereQueued_leavesNoDelivery_whileOneThatCommitsDoes() {
    String model = TestRegistry.uniqueModel("outbox");
    var webhooks = TestRegistry.as(WebhooksGrpc.newBlockingStub(TestRegistry.channel()), "admin");
    String webhook = webhooks.createWebhook(CreateWebhookRequest.newBuilder().setWebhookId("outbox-" + UUID.randomUUID().toString().substring(0, 8))
            .setWebhook(Webhook.newBuilder().setUrl("http://127.0.0.1:9/never").setModelPattern(model)).build())
        .getWebhook().getName();
    DSLContext dsl = TestRegistry.dsl();
    CommitHook failsLast = new CommitHook() {
      @Override
      public void beforeCommit(DSLContext tx, List<AuditEntry> entries, List<LoggedEvent> logged) {
        throw new IllegalStateException("the commit fails after the outbox was written");
      }

      @Override
      public void afterCommit(List<AuditEntry> entries) {}

      @Override
      public void mayHaveCommitted(List<AuditEntry> entries) {}
    };
    var transactions = new Transactions(dsl, new AuditLog(events -> { }), CommitHook.all(List.of(
        new WebhookOutbox(new WebhookRepository(), "test", () -> { }), failsLast)));
    String subject = "models/" + model + "/versions/1";
    assertThatThrownBy(() -> transactions.write("test", tx -> {
      tx.record(Action.VERSION_CREATED, subject, Payload.of("status", "READY"));
      return null;
    })).hasMessageContaining("outbox was written");
    assertThat(dsl.fetchCount(WEBHOOK_EVENT, WEBHOOK_EVENT.SUBJECT.eq(subject))).isZero();

    var registry = TestRegistry.registry("erin");
    registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    assertThat(dsl.fetchCount(WEBHOOK_EVENT, WEBHOOK_EVENT.SUBJECT.eq(subject))).isOne();
    assertThat(dsl.fetchCount(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhook.substring("webhooks/".length()))))
        .isOne();
    webhooks.deleteWebhook(DeleteWebhookRequest.newBuilder().setName(webhook).build());
  }
}
