package io.gantry.server.watch;

import io.gantry.server.audit.AuditService;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.change.ChangeSubscriber;
import io.gantry.server.error.GantryException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Followers of the audit log. Every committed change wakes them; each reads what it has not yet sent,
 * in batches, while its client keeps up, as a task on the worker pool, so following holds no thread.
 */
public final class AuditFollowers implements ChangeSubscriber, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AuditFollowers.class);
  private static final int BATCH = 500;
  private static final long RETRY_SECONDS = 1;

  private final AuditService audit;
  private final Executor workers;
  private final Set<Follower> followers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public AuditFollowers(AuditService audit, Executor workers) {
    this.audit = audit;
    this.workers = workers;
  }

  /** A running follow. */
  public final class Follower {
    private final AuditEventSink sink;
    private final Coalescing pass;
    // touched only inside a pass
    private long next;
    private volatile boolean cancelled;

    private Follower(long from, AuditEventSink sink) {
      this.next = from;
      this.sink = sink;
      this.pass = new Coalescing(workers, this::pass);
    }

    /** Starts sending; call once the call is set up to be told of cancellation and readiness. */
    public void start() {
      followers.add(this);
      wake();
    }

    /** Something may be there to send: new events, or a client ready for more. */
    public void wake() {
      pass.poke();
    }

    public void cancel() {
      cancelled = true;
      followers.remove(this);
    }

    private void pass() {
      if (cancelled) {
        return;
      }
      if (closed) {
        cancel();
        sink.ended();
        return;
      }
      try {
        while (!cancelled && sink.ready()) {
          long from = next;
          audit.forEach(from, from + BATCH, this::send);
          if (next == from) {
            return;
          }
        }
      } catch (GantryException e) {
        cancel();
        sink.failed(e);
      } catch (RuntimeException e) {
        // most likely the database is away: try again soon; the listener's return wakes everyone too
        log.warn("Could not read the audit log for a follower: {}", e.toString());
        CompletableFuture.delayedExecutor(RETRY_SECONDS, TimeUnit.SECONDS, workers).execute(this::wake);
      }
    }

    private void send(List<LoggedEvent> events) {
      sink.deliver(events);
      next = events.get(events.size() - 1).seq() + 1;
    }
  }

  /**
   * A follower of the log from {@code from}: once started, what is there, then every event as it is committed.
   *
   * @throws GantryException INVALID_FIELD for a negative start
   */
  public Follower follow(long from, AuditEventSink sink) {
    if (from < 0) {
      throw GantryException.invalid("start_seq", "must not be negative");
    }
    return new Follower(from, sink);
  }

  @Override
  public void changed(Set<String> models) {
    followers.forEach(Follower::wake);
  }

  @Override
  public void listenerLost() {
    // nothing to do: what is appended meanwhile is read once the listener is back
  }

  @Override
  public void resynced() {
    followers.forEach(Follower::wake);
  }

  /** Ends every follow, telling each follower to resume elsewhere. */
  @Override
  public void close() {
    closed = true;
    followers.forEach(Follower::wake);
  }
}
