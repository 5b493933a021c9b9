package io.gantry.server.webhook;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** One event on its way to one webhook. */
public record WebhookDelivery(String webhookId, UUID eventId, String eventType, String subject, long auditSeq,
    State state, int attempts, Instant createTime, Optional<Instant> nextAttemptTime,
    Optional<Instant> lastAttemptTime, int lastStatusCode, String lastError, Optional<Instant> deliverTime) {

  public enum State { PENDING, SENT, DEAD }

  public static final String COLLECTION = "/deliveries/";

  public String name() {
    return Webhook.PREFIX + webhookId + COLLECTION + eventId;
  }
}
