package io.gantry.server.wiring;

import io.gantry.server.alias.AliasRepository;
import io.gantry.server.alias.AliasService;
import io.gantry.server.audit.AuditService;
import io.gantry.server.cache.ResolveCache;
import io.gantry.server.change.ChangeFeed;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.model.ModelRepository;
import io.gantry.server.model.ModelService;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import io.gantry.server.watch.AliasWatches;
import io.gantry.server.watch.AuditFollowers;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * The registry itself: models, versions and aliases, the resolve cache, alias watches and the audit log's readers.
 * Starting it starts the change feed, once the cache, the watches, the audit followers and the webhook senders
 * listen to it.
 */
public record Registry(ModelService models, VersionRepository versionRepository, VersionService versions,
    AliasRepository aliasRepository, AliasService aliases, ResolveCache cache, AliasWatches watches,
    AuditService audit, AuditFollowers auditFollowers) {

  private static final Duration LISTENER_START_WAIT = Duration.ofSeconds(5);

  /** @param workers where watches and audit streams send from */
  public static Registry start(ServerConfig config, Persistence persistence, ExecutorService workers,
      MeterRegistry metrics) {
    var dsl = persistence.database().dsl();
    var models = new ModelService(dsl, persistence.transactions(), new ModelRepository(), persistence.pageTokens());
    var versionRepository = new VersionRepository();
    var versions = new VersionService(dsl, persistence.transactions(), versionRepository, persistence.pageTokens());
    var aliasRepository = new AliasRepository();
    var aliases = new AliasService(dsl, aliasRepository, versionRepository, persistence.pageTokens());
    ChangeFeed changes = persistence.changes();
    var cache = new ResolveCache(changes, config.cache().ttl(), config.cache().maxEntries(), metrics);
    var watches = new AliasWatches(dsl, aliasRepository, versionRepository, workers);
    var audit = new AuditService(persistence.auditRepository(), persistence.checkpointer(), persistence.pageTokens());
    var auditFollowers = new AuditFollowers(audit, workers);
    changes.subscribe(cache);
    changes.subscribe(watches);
    changes.subscribe(auditFollowers);
    changes.subscribe(persistence.webhookDispatcher());
    changes.start();
    awaitListener(changes);
    return new Registry(models, versionRepository, versions, aliasRepository, aliases, cache, watches, audit,
        auditFollowers);
  }

  /** Serving before the listener listens would leave the cache unused until it does. */
  private static void awaitListener(ChangeFeed changes) {
    try {
      if (!changes.awaitListening(LISTENER_START_WAIT)) {
        ServerLog.LOG.warn("The change listener is not listening yet; resolves read the database until it is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting", e);
    }
  }
}
