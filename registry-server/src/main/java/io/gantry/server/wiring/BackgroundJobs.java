package io.gantry.server.wiring;

import io.gantry.server.access.AccessService;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.session.WebSessions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What runs on a timer, on one daemon thread: the database probe behind health, promotion expiry, the artifact
 * janitor, API token use records, ended web sessions, and the access reload; and the webhook senders, started here.
 */
public record BackgroundJobs(ScheduledExecutorService timer) {

  private static final Duration EXPIRY_SWEEP = Duration.ofSeconds(30);
  private static final Duration TOKEN_USE_FLUSH = Duration.ofSeconds(30);
  private static final Duration ACCESS_RELOAD = Duration.ofSeconds(60);
  private static final Duration SESSION_SWEEP = Duration.ofMinutes(5);

  public static BackgroundJobs start(ServerConfig config, Persistence persistence, Promotions promotions,
      AccessService access, WebSessions webSessions, ServingHealth health) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "gantry-background");
      thread.setDaemon(true);
      return thread;
    });
    persistence.webhookDispatcher().start();
    timer.scheduleWithFixedDelay(() -> health.probe(persistence.database()), 0, 5, TimeUnit.SECONDS);
    long expiryMillis = Math.min(config.promotion().ttl().toMillis(), EXPIRY_SWEEP.toMillis());
    timer.scheduleWithFixedDelay(() -> runQuietly("expire overdue promotions", promotions.promotions()::expireOverdue),
        expiryMillis, expiryMillis, TimeUnit.MILLISECONDS);
    long janitorMillis = config.artifacts().janitorInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> runQuietly("clean up artifacts", promotions.janitor()::run), janitorMillis,
        janitorMillis, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(() -> runQuietly("record API token uses", access::recordUses),
        TOKEN_USE_FLUSH.toSeconds(), TOKEN_USE_FLUSH.toSeconds(), TimeUnit.SECONDS);
    long sessionSweepMillis = Math.min(webSessions.sweepInterval().toMillis(), SESSION_SWEEP.toMillis());
    timer.scheduleWithFixedDelay(() -> runQuietly("delete ended web sessions", webSessions::sweep),
        sessionSweepMillis, sessionSweepMillis, TimeUnit.MILLISECONDS);
    // a safety net under the change feed, as the cache's TTL is
    timer.scheduleWithFixedDelay(() -> runQuietly("read role bindings and API tokens", access::reload),
        ACCESS_RELOAD.toSeconds(), ACCESS_RELOAD.toSeconds(), TimeUnit.SECONDS);
    return new BackgroundJobs(timer);
  }

  /** Runs background work; a failure (the database may be down) is logged and the next run tries again. */
  private static void runQuietly(String what, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      ServerLog.LOG.warn("Could not {}: {}", what, e.toString());
    }
  }
}
