package io.gantry.server.webhook;

import io.gantry.server.audit.AuditEntry;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.common.CommitHook;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Writes the events webhooks want into the outbox, inside the transaction of the change they announce: what
 * commits is delivered (at least once, even if the server dies right after), what rolls back is never sent.
 */
public final class WebhookOutbox implements CommitHook {

  private final WebhookRepository repository;
  private final String source;
  private final Runnable wake;

  /**
   * @param source the CloudEvents {@code source} of every event: the audit log's origin
   * @param wake told after a commit that queued deliveries, so they leave at once
   */
  public WebhookOutbox(WebhookRepository repository, String source, Runnable wake) {
    this.repository = repository;
    this.source = source;
    this.wake = wake;
  }

  @Override
  public void beforeCommit(DSLContext tx, List<AuditEntry> entries, List<LoggedEvent> logged) {
    List<CloudEvents.Event> events = new ArrayList<>();
    for (LoggedEvent event : logged) {
      CloudEvents.of(event, source).ifPresent(events::add);
    }
    if (events.isEmpty()) {
      return;
    }
    // read in the transaction: a webhook committed before this change hears of it, wherever it was made
    List<Webhook> webhooks = repository.all(tx);
    for (CloudEvents.Event event : events) {
      List<Webhook> wanting = webhooks.stream().filter(w -> w.wants(event.type(), event.model())).toList();
      if (wanting.isEmpty()) {
        continue;
      }
      repository.insertEvent(tx, event);
      wanting.forEach(webhook -> repository.insertDelivery(tx, webhook.id(), event));
    }
  }

  @Override
  public void afterCommit(List<AuditEntry> entries) {
    if (entries.stream().anyMatch(entry -> CloudEvents.typeOf(entry.action().name()).isPresent())) {
      wake.run();
    }
  }

  @Override
  public void mayHaveCommitted(List<AuditEntry> entries) {
    afterCommit(entries);
  }
}
