package io.gantry.server.wiring;

import io.gantry.server.artifact.store.ArtifactStore;
import io.gantry.server.artifact.store.ArtifactStores;
import io.gantry.server.audit.AuditLog;
import io.gantry.server.audit.AuditRepository;
import io.gantry.server.audit.Checkpointer;
import io.gantry.server.audit.SigningKey;
import io.gantry.server.change.ChangeFeed;
import io.gantry.server.common.CommitHook;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.Database;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.query.PageTokens;
import io.gantry.server.webhook.WebhookDispatcher;
import io.gantry.server.webhook.WebhookOutbox;
import io.gantry.server.webhook.WebhookRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.List;

/**
 * Where state lives and what every write goes through: the database, the artifact store, and {@link Transactions},
 * whose commits append to the audit log and feed the change feed and the webhook outbox (so the webhook senders
 * are made here, before the first write could need them). The change feed is made here and started by
 * {@link Registry} once its readers listen.
 */
public record Persistence(Database database, AuditRepository auditRepository, Checkpointer checkpointer,
    ArtifactStore store, ChangeFeed changes, WebhookRepository webhookRepository, WebhookDispatcher webhookDispatcher,
    Transactions transactions, PageTokens pageTokens) {

  /** Opens the database (applying migrations); pushes onto {@code opened} what a failed start must close. */
  public static Persistence open(ServerConfig config, MeterRegistry metrics, Deque<AutoCloseable> opened) {
    Database database = Database.open(config, metrics);
    opened.push(database);
    var auditRepository = new AuditRepository(database.dsl());
    Checkpointer checkpointer = new Checkpointer(auditRepository,
        SigningKey.load(config.audit().keyFile(), config.audit().origin()), config.audit().origin(),
        config.audit().checkpointEveryEvents(), config.audit().checkpointInterval());
    opened.push(checkpointer);
    ArtifactStore store = ArtifactStores.open(config.artifacts().s3(), config.dataDir());
    opened.push(store);
    Duration ping = config.liveness().ping();
    ChangeFeed changes = new ChangeFeed(() -> database.openDedicated(ping), ping, metrics);
    changes.whenDatabaseLost(database::dropConnections);
    opened.push(changes);
    var webhookRepository = new WebhookRepository();
    var webhookDispatcher = new WebhookDispatcher(database.dsl(), webhookRepository, config.webhooks(),
        Clock.systemUTC(), metrics);
    opened.push(webhookDispatcher);
    var transactions = new Transactions(database.dsl(), new AuditLog(checkpointer::appended), CommitHook.all(List.of(
        changes, new WebhookOutbox(webhookRepository, config.audit().origin(), webhookDispatcher::wake))));
    return new Persistence(database, auditRepository, checkpointer, store, changes, webhookRepository,
        webhookDispatcher, transactions, PageTokens.load(database.dsl()));
  }
}
