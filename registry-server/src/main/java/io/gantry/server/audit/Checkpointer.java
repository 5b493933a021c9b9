package io.gantry.server.audit;

import io.gantry.tlog.Checkpoint;
import io.gantry.tlog.Frontier;
import io.gantry.tlog.NoteSigner;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes signed checkpoints: every {@code everyEvents} events appended through this server, and
 * every {@code interval} whenever the log has grown. Replicas may publish the same size twice; the
 * first row stands and the signatures agree, since the tree is the same.
 */
public final class Checkpointer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

  private final AuditRepository audit;
  private final NoteSigner signer;
  private final String origin;
  private final long everyEvents;
  private final AtomicLong sincePublished = new AtomicLong();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "gantry-checkpointer");
    thread.setDaemon(true);
    return thread;
  });

  public Checkpointer(AuditRepository audit, NoteSigner signer, String origin, long everyEvents, Duration interval) {
    this.audit = audit;
    this.signer = signer;
    this.origin = origin;
    this.everyEvents = everyEvents;
    scheduler.scheduleWithFixedDelay(this::publishQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Counts committed events; reaching the threshold publishes soon, off the caller's thread. */
  public void appended(int events) {
    if (sincePublished.addAndGet(events) >= everyEvents) {
      sincePublished.set(0);
      scheduler.execute(this::publishQuietly);
    }
  }

  /** Signs and stores a checkpoint of the log as it is now, unless one of that size exists. */
  public synchronized void publish() {
    Frontier head = audit.head();
    var latest = audit.latestCheckpoint();
    if (latest.isPresent() && latest.get().treeSize() >= head.size()) {
      return;
    }
    byte[] root = head.rootHash();
    String note = signer.sign(new Checkpoint(origin, head.size(), root).body());
    audit.insertCheckpoint(head.size(), root, note);
  }

  private void publishQuietly() {
    try {
      publish();
    } catch (RuntimeException e) {
      // the next tick retries; an unreachable database is reported by health
      log.warn("Could not publish an audit checkpoint: {}", e.getMessage());
    }
  }

  public String origin() {
    return origin;
  }

  public String verifierKey() {
    return signer.verifierKey();
  }

  /** Stops publishing on schedule, after a last checkpoint that covers every event appended here. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    publishQuietly();
  }
}
