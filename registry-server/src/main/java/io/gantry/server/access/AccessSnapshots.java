package io.gantry.server.access;

import io.gantry.server.auth.ApiTokenAuthenticator;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy of who may do what that this replica decides on, kept in order. One reloader reads the access version,
 * the bindings and the tokens in one REPEATABLE READ snapshot, so each copy is stamped with the version it reflects;
 * a copy replaces the one served only when its version is not lower. Reloads asked for while one runs are served by a
 * single next one, which starts after they were asked for, so a caller that waits for it sees every change committed
 * before it asked.
 */
final class AccessSnapshots {

  private static final Logger log = LoggerFactory.getLogger(AccessSnapshots.class);
  // a write waits this long for its own change to be served here; the database answers in milliseconds
  private static final Duration WAIT_FOR_OWN_WRITE = Duration.ofSeconds(10);
  // after a failed read: the change feed may stay quiet, so the reloader tries again by itself
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final DSLContext dsl;
  private final AccessRepository repository;
  private final List<RoleBinding> configured;
  // one thread, started on demand and let go when idle: reloads never overlap
  private final ThreadPoolExecutor reloader = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), runnable -> {
        Thread thread = new Thread(runnable, "gantry-access-reloader");
        thread.setDaemon(true);
        return thread;
      });
  private final AtomicBoolean retryScheduled = new AtomicBoolean();
  private CompletableFuture<Grants> next;
  private volatile Grants served;

  /** Reads the first copy before returning: a server never decides on nothing. */
  AccessSnapshots(DSLContext dsl, AccessRepository repository, List<RoleBinding> configured) {
    this.dsl = dsl;
    this.repository = repository;
    this.configured = List.copyOf(configured);
    awaitFresh();
  }

  Grants served() {
    return served;
  }

  /** Asks for a reload that starts after this call; completes once it is served (or a newer copy is). */
  synchronized CompletableFuture<Grants> refresh() {
    if (next == null) {
      next = new CompletableFuture<>();
      reloader.execute(this::reloadNext);
    }
    return next;
  }

  /** Returns once the copy served reflects at least {@code version}: how a write is in effect for its next call. */
  void awaitVersion(long version) {
    if (served == null || served.version() < version) {
      awaitFresh();
    }
  }

  /** Returns once the copy served reflects everything committed before this call. */
  void awaitFresh() {
    try {
      refresh().get(WAIT_FOR_OWN_WRITE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new GantryException(ErrorCode.DATABASE_UNAVAILABLE, "role bindings and API tokens could not be read "
          + "again; a change just committed takes effect on this replica once they are (retry the call to check)",
          List.of(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GantryException(ErrorCode.DATABASE_UNAVAILABLE, "interrupted while reading role bindings and API "
          + "tokens again", List.of(), e);
    }
  }

  private void reloadNext() {
    CompletableFuture<Grants> due;
    synchronized (this) {
      due = next;
      next = null;
    }
    try {
      install(read());
      due.complete(served);
    } catch (RuntimeException e) {
      log.warn("Could not read role bindings and API tokens again; deciding on those of version {} meanwhile: {}",
          served == null ? "none" : served.version(), e.toString());
      due.completeExceptionally(e);
      retrySoon();
    }
  }

  // only the reloader's thread installs. Copies of one version hold the same changes, so the later read may replace
  // the earlier: that also brings in, at the next reload, a row edited by hand without raising the version
  private void install(Grants read) {
    if (served == null || read.version() >= served.version()) {
      served = read;
    }
  }

  private void retrySoon() {
    if (served != null && retryScheduled.compareAndSet(false, true)) {
      CompletableFuture.delayedExecutor(RETRY_AFTER.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        retryScheduled.set(false);
        refresh();
      });
    }
  }

  /** The version, the bindings and the tokens, all from the same database snapshot. */
  private Grants read() {
    return dsl.transactionResult(configuration -> {
      DSLContext tx = configuration.dsl();
      // before the first statement, which is when PostgreSQL takes the transaction's snapshot
      tx.connection(connection -> connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ));
      long version = repository.version(tx);
      List<RoleBinding> bindings = new ArrayList<>(configured);
      bindings.addAll(repository.bindings(tx));
      Map<UUID, ApiTokenAuthenticator.Stored> tokens = new LinkedHashMap<>();
      for (ApiTokenAuthenticator.Stored token : repository.storedTokens(tx)) {
        tokens.put(token.id(), token);
      }
      return new Grants(version, bindings, tokens);
    });
  }
}
