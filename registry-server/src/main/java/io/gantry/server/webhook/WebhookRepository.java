package io.gantry.server.webhook;

import static io.gantry.db.Tables.WEBHOOK;
import static io.gantry.db.Tables.WEBHOOK_DELIVERY;
import static io.gantry.db.Tables.WEBHOOK_EVENT;

import io.gantry.db.tables.records.WebhookRecord;
import io.gantry.server.query.ListQuery;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;

/** Webhooks, their outbox and its deliveries in PostgreSQL. Every method runs in the context it is given. */
public final class WebhookRepository {

  /** What the dispatcher needs to send a webhook's next delivery. */
  public record Target(String webhookId, String url, String secret) {}

  /** A webhook's next delivery, with the CloudEvent to send. */
  public record Next(UUID eventId, int attempts, String body) {}

  /** How far behind the deliveries waiting are. */
  public record Backlog(long pending, Optional<Instant> oldest) {}

  public Optional<Webhook> insert(DSLContext tx, Webhook webhook, String secret) {
    return tx.insertInto(WEBHOOK)
        .set(WEBHOOK.ID, webhook.id())
        .set(WEBHOOK.URL, webhook.url())
        .set(WEBHOOK.EVENT_TYPES, String.join(",", webhook.eventTypes()))
        .set(WEBHOOK.MODEL_PATTERN, webhook.modelPattern())
        .set(WEBHOOK.SECRET, secret)
        .set(WEBHOOK.DESCRIPTION, webhook.description())
        .set(WEBHOOK.CREATED_BY, webhook.createdBy())
        .onConflictDoNothing()
        .returning()
        .fetchOptional(WebhookRepository::toWebhook);
  }

  /** Changes what a webhook receives and where, keeping its deliveries. */
  public void update(DSLContext tx, Webhook webhook, String secret) {
    tx.update(WEBHOOK)
        .set(WEBHOOK.URL, webhook.url())
        .set(WEBHOOK.EVENT_TYPES, String.join(",", webhook.eventTypes()))
        .set(WEBHOOK.MODEL_PATTERN, webhook.modelPattern())
        .set(WEBHOOK.SECRET, secret)
        .set(WEBHOOK.DESCRIPTION, webhook.description())
        .where(WEBHOOK.ID.eq(webhook.id()))
        .execute();
  }

  public Optional<Webhook> find(DSLContext ctx, String id) {
    return ctx.selectFrom(WEBHOOK).where(WEBHOOK.ID.eq(id)).fetchOptional(WebhookRepository::toWebhook);
  }

  public Optional<String> secret(DSLContext ctx, String id) {
    return ctx.select(WEBHOOK.SECRET).from(WEBHOOK).where(WEBHOOK.ID.eq(id)).fetchOptional(WEBHOOK.SECRET);
  }

  public List<Webhook> all(DSLContext ctx) {
    return ctx.selectFrom(WEBHOOK).orderBy(WEBHOOK.ID).fetch(WebhookRepository::toWebhook);
  }

  /** Deletes the webhook and, with it, its deliveries. Waits for a dispatcher sending to it to finish. */
  public boolean delete(DSLContext tx, String id) {
    return tx.deleteFrom(WEBHOOK).where(WEBHOOK.ID.eq(id)).execute() == 1;
  }

  public void insertEvent(DSLContext tx, CloudEvents.Event event) {
    tx.insertInto(WEBHOOK_EVENT)
        .set(WEBHOOK_EVENT.EVENT_ID, event.logged().eventId())
        .set(WEBHOOK_EVENT.AUDIT_SEQ, event.logged().seq())
        .set(WEBHOOK_EVENT.TYPE, event.type())
        .set(WEBHOOK_EVENT.SUBJECT, event.logged().resource())
        .set(WEBHOOK_EVENT.BODY, event.body())
        .execute();
  }

  public void insertDelivery(DSLContext tx, String webhookId, CloudEvents.Event event) {
    tx.insertInto(WEBHOOK_DELIVERY)
        .set(WEBHOOK_DELIVERY.WEBHOOK_ID, webhookId)
        .set(WEBHOOK_DELIVERY.EVENT_ID, event.logged().eventId())
        .set(WEBHOOK_DELIVERY.AUDIT_SEQ, event.logged().seq())
        .execute();
  }

  public ListQuery.Page<WebhookDelivery> deliveries(DSLContext ctx, String webhookId, ListQuery query) {
    return query.page(deliveryQuery(ctx, WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId).and(query.condition()))
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch(), WebhookRepository::toDelivery);
  }

  public Optional<WebhookDelivery> delivery(DSLContext ctx, String webhookId, UUID eventId) {
    return deliveryQuery(ctx, WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId).and(WEBHOOK_DELIVERY.EVENT_ID.eq(eventId)))
        .fetchOptional(WebhookRepository::toDelivery);
  }

  private static org.jooq.SelectConditionStep<Record> deliveryQuery(DSLContext ctx, Condition condition) {
    return ctx.select(WEBHOOK_DELIVERY.fields()).select(WEBHOOK_EVENT.TYPE, WEBHOOK_EVENT.SUBJECT,
            WEBHOOK_EVENT.CREATE_TIME)
        .from(WEBHOOK_DELIVERY).join(WEBHOOK_EVENT).on(WEBHOOK_EVENT.EVENT_ID.eq(WEBHOOK_DELIVERY.EVENT_ID))
        .where(condition);
  }

  /** Queues the delivery again with no attempts made; false when there is none by that name. */
  public boolean requeue(DSLContext tx, String webhookId, UUID eventId) {
    return tx.update(WEBHOOK_DELIVERY)
        .set(WEBHOOK_DELIVERY.STATE, WebhookDelivery.State.PENDING.name())
        .set(WEBHOOK_DELIVERY.ATTEMPTS, 0)
        .set(WEBHOOK_DELIVERY.NEXT_ATTEMPT_TIME, DSL.currentOffsetDateTime())
        .set(WEBHOOK_DELIVERY.DELIVER_TIME, (OffsetDateTime) null)
        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId))
        .and(WEBHOOK_DELIVERY.EVENT_ID.eq(eventId))
        .execute() == 1;
  }

  /**
   * Locks a webhook whose next delivery is due, skipping those another dispatcher (of any replica) holds: each
   * webhook is sent to by one dispatcher at a time, which keeps its order and sends each attempt once.
   */
  public Optional<Target> claimDue(DSLContext tx) {
    var head = DSL.select(WEBHOOK_DELIVERY.NEXT_ATTEMPT_TIME).from(WEBHOOK_DELIVERY)
        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(WEBHOOK.ID))
        .and(WEBHOOK_DELIVERY.STATE.eq(WebhookDelivery.State.PENDING.name()))
        .orderBy(WEBHOOK_DELIVERY.AUDIT_SEQ)
        .limit(1);
    return tx.select(WEBHOOK.ID, WEBHOOK.URL, WEBHOOK.SECRET)
        .from(WEBHOOK)
        .where(DSL.field(head).le(DSL.currentOffsetDateTime()))
        // spreads the dispatchers over the webhooks that are due
        .orderBy(DSL.rand())
        .limit(1)
        // not FOR UPDATE: that would also hold back every change queueing a delivery to this webhook (their
        // foreign keys take KEY SHARE) until the receiver answers
        .forNoKeyUpdate().of(WEBHOOK).skipLocked()
        .fetchOptional(row -> new Target(row.value1(), row.value2(), row.value3()));
  }

  /** The webhook's pending delivery with the lowest seq; the caller holds the webhook's lock. */
  public Optional<Next> next(DSLContext tx, String webhookId) {
    return tx.select(WEBHOOK_DELIVERY.EVENT_ID, WEBHOOK_DELIVERY.ATTEMPTS, WEBHOOK_EVENT.BODY)
        .from(WEBHOOK_DELIVERY).join(WEBHOOK_EVENT).on(WEBHOOK_EVENT.EVENT_ID.eq(WEBHOOK_DELIVERY.EVENT_ID))
        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId))
        .and(WEBHOOK_DELIVERY.STATE.eq(WebhookDelivery.State.PENDING.name()))
        .orderBy(WEBHOOK_DELIVERY.AUDIT_SEQ)
        .limit(1)
        .fetchOptional(row -> new Next(row.value1(), row.value2(), row.value3()));
  }

  public void sent(DSLContext tx, String webhookId, UUID eventId, int attempts, int status) {
    tx.update(WEBHOOK_DELIVERY)
        .set(WEBHOOK_DELIVERY.STATE, WebhookDelivery.State.SENT.name())
        .set(WEBHOOK_DELIVERY.ATTEMPTS, attempts)
        .set(WEBHOOK_DELIVERY.LAST_ATTEMPT_TIME, DSL.currentOffsetDateTime())
        .set(WEBHOOK_DELIVERY.DELIVER_TIME, DSL.currentOffsetDateTime())
        .set(WEBHOOK_DELIVERY.LAST_STATUS_CODE, status)
        .set(WEBHOOK_DELIVERY.LAST_ERROR, "")
        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId))
        .and(WEBHOOK_DELIVERY.EVENT_ID.eq(eventId))
        .execute();
  }

  /**
   * Records a failed attempt: retried after {@code retryAfter}, or dead when there is none. The time is the
   * database's, the clock every replica's dispatcher compares with.
   */
  public void failed(DSLContext tx, String webhookId, UUID eventId, int attempts, int status, String error,
      Optional<Duration> retryAfter) {
    tx.update(WEBHOOK_DELIVERY)
        .set(WEBHOOK_DELIVERY.STATE, (retryAfter.isPresent() ? WebhookDelivery.State.PENDING
            : WebhookDelivery.State.DEAD).name())
        .set(WEBHOOK_DELIVERY.ATTEMPTS, attempts)
        .set(WEBHOOK_DELIVERY.LAST_ATTEMPT_TIME, DSL.currentOffsetDateTime())
        .set(WEBHOOK_DELIVERY.NEXT_ATTEMPT_TIME,
            DSL.currentOffsetDateTime().plus(DSL.val(DayToSecond.valueOf(retryAfter.orElse(Duration.ZERO)))))
        .set(WEBHOOK_DELIVERY.LAST_STATUS_CODE, status)
        .set(WEBHOOK_DELIVERY.LAST_ERROR, error)
        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId))
        .and(WEBHOOK_DELIVERY.EVENT_ID.eq(eventId))
        .execute();
  }

  public Backlog backlog(DSLContext ctx) {
    var row = ctx.select(DSL.count(), DSL.min(WEBHOOK_EVENT.CREATE_TIME))
        .from(WEBHOOK_DELIVERY).join(WEBHOOK_EVENT).on(WEBHOOK_EVENT.EVENT_ID.eq(WEBHOOK_DELIVERY.EVENT_ID))
        .where(WEBHOOK_DELIVERY.STATE.eq(WebhookDelivery.State.PENDING.name()))
        .fetchSingle();
    return new Backlog(row.value1(), Optional.ofNullable(row.value2()).map(OffsetDateTime::toInstant));
  }

  private static Webhook toWebhook(WebhookRecord row) {
    return new Webhook(row.getId(), row.getUrl(), row.getEventTypes().isEmpty() ? List.of()
        : Arrays.asList(row.getEventTypes().split(",")), row.getModelPattern(), row.getDescription(),
        row.getCreateTime().toInstant(), row.getCreatedBy());
  }

  private static WebhookDelivery toDelivery(Record row) {
    WebhookDelivery.State state = WebhookDelivery.State.valueOf(row.get(WEBHOOK_DELIVERY.STATE));
    return new WebhookDelivery(row.get(WEBHOOK_DELIVERY.WEBHOOK_ID), row.get(WEBHOOK_DELIVERY.EVENT_ID),
        row.get(WEBHOOK_EVENT.TYPE), row.get(WEBHOOK_EVENT.SUBJECT), row.get(WEBHOOK_DELIVERY.AUDIT_SEQ), state,
        row.get(WEBHOOK_DELIVERY.ATTEMPTS), row.get(WEBHOOK_EVENT.CREATE_TIME).toInstant(),
        state == WebhookDelivery.State.PENDING
            ? Optional.of(row.get(WEBHOOK_DELIVERY.NEXT_ATTEMPT_TIME).toInstant()) : Optional.empty(),
        Optional.ofNullable(row.get(WEBHOOK_DELIVERY.LAST_ATTEMPT_TIME)).map(OffsetDateTime::toInstant),
        Optional.ofNullable(row.get(WEBHOOK_DELIVERY.LAST_STATUS_CODE)).orElse(0), row.get(WEBHOOK_DELIVERY.LAST_ERROR),
        Optional.ofNullable(row.get(WEBHOOK_DELIVERY.DELIVER_TIME)).map(OffsetDateTime::toInstant));
  }
}
