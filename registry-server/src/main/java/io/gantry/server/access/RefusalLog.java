package io.gantry.server.access;

import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.auth.Caller;
import io.gantry.server.auth.VerifiedIdentityInterceptor;
import io.gantry.server.common.Digests;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.ServerConfig;
import io.grpc.inprocess.InProcessSocketAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes refused calls to the audit log without letting a flood of them in.
 *
 * <p>A refused credential (CREDENTIAL_REJECTED, actor {@value #UNAUTHENTICATED}) is counted per key, the peer's
 * address (not its port) and a fingerprint of the credential presented: a key's first refusal is written at once,
 * the refusals that follow within the window are written as one summary when the window closes, and the next refusal
 * after that opens a new window. At most {@code maxKeys} keys are tracked; refusals of further keys are summarized
 * together under the overflow key ({@value #ANY}). A call its caller's roles do not allow (PERMISSION_DENIED) is
 * written as one event each.
 *
 * <p>Every write runs on one thread of its own, on a database connection of its own outside the pool
 * ({@link io.gantry.server.config.Database#ownConnection}), so refusals never take a worker or a connection a real
 * call needs. Events waiting to be written (first refusals and denials) are bounded by
 * {@code maxPending}; beyond it they are counted ({@code gantry_refusals_unaudited_total}), not queued. Summaries
 * need no such bound: there is at most one per key and window.
 */
public final class RefusalLog implements VerifiedIdentityInterceptor.Refusals, AutoCloseable {

  public static final String UNAUTHENTICATED = "unauthenticated";
  /** The fingerprint of a call that presented no credential. */
  static final String NO_CREDENTIAL = "none";
  /** Peer and credential of the overflow key. */
  static final String ANY = "*";
  private static final int FINGERPRINT_BYTES = 8;
  private static final long CLOSE_WAIT_SECONDS = 10;
  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

  private record Key(String peer, String credential) {}

  private static final Key OVERFLOW = new Key(ANY, ANY);

  private final Transactions transactions;
  private final ServerConfig.Refusals settings;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor writer;
  private final AtomicInteger pending = new AtomicInteger();
  // guarded by this: per key, the refusals since its first was written
  private final Map<Key, RefusalSummary> windows = new HashMap<>();
  private boolean closed;
  private final Counter rejected;
  private final Counter denied;
  private final Counter summarized;
  private final Counter unauditedRejections;
  private final Counter unauditedDenials;

  public RefusalLog(Transactions transactions, ServerConfig.Refusals settings, Clock clock, MeterRegistry metrics) {
    this.transactions = transactions;
    this.settings = settings;
    this.clock = clock;
    this.writer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "gantry-refusals");
      thread.setDaemon(true);
      return thread;
    });
    // at close, summaries are written at once rather than when their windows would have closed
    writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    writer.setRemoveOnCancelPolicy(true);
    this.rejected = refusals(metrics, "credential_rejected");
    this.denied = refusals(metrics, "permission_denied");
    this.summarized = Counter.builder("gantry.refusals.summarized")
        .description("refused credentials written as part of a summary event rather than one event each")
        .register(metrics);
    this.unauditedRejections = unaudited(metrics, "credential_rejected");
    this.unauditedDenials = unaudited(metrics, "permission_denied");
  }

  private static Counter refusals(MeterRegistry metrics, String kind) {
    return Counter.builder("gantry.refusals").description("refused calls, by kind").tag("kind", kind)
        .register(metrics);
  }

  private static Counter unaudited(MeterRegistry metrics, String kind) {
    return Counter.builder("gantry.refusals.unaudited")
        .description("refused calls not written to the audit log: too many were waiting to be, or the write failed")
        .tag("kind", kind).register(metrics);
  }

  @Override
  public void credentialRejected(String method, SocketAddress peer, String credential, String reason) {
    rejected.increment();
    Instant now = clock.instant();
    Key key = new Key(address(peer), fingerprint(credential));
    synchronized (this) {
      if (closed) {
        unauditedRejections.increment();
        return;
      }
      if (!windows.containsKey(key) && windows.size() - (windows.containsKey(OVERFLOW) ? 1 : 0)
          >= settings.maxKeys()) {
        key = OVERFLOW;
      }
      RefusalSummary window = windows.get(key);
      if (window != null) {
        window.add(method, reason, now);
        return;
      }
      windows.put(key, new RefusalSummary());
      Key opened = key;
      writer.schedule(() -> summarize(opened), settings.window().toMillis(), TimeUnit.MILLISECONDS);
    }
    enqueue(UNAUTHENTICATED, Action.CREDENTIAL_REJECTED, resource(key),
        RefusalSummary.of(method, reason, now).payload(key.peer(), key.credential()), unauditedRejections);
  }

  void permissionDenied(Caller.Identity caller, String method, Scope scope, String reason) {
    denied.increment();
    String resource = scope.kind() == Scope.Kind.MODEL ? "models/" + scope.model() : "methods/" + method;
    Map<String, Object> payload = Payload.of("method", method, "reason", reason,
        "authenticated_by", caller.method().wireName());
    scope.alias().ifPresent(alias -> payload.put("alias", alias));
    enqueue(caller.principal(), Action.PERMISSION_DENIED, resource, payload, unauditedDenials);
  }

  /** Writes the summaries still open, then stops; refusals after this are counted, not written. */
  @Override
  public void close() {
    Map<Key, RefusalSummary> left;
    synchronized (this) {
      closed = true;
      left = new HashMap<>(windows);
      windows.clear();
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("Refusals still being written after {} s", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    left.forEach(this::writeSummary);
  }

  private void summarize(Key key) {
    RefusalSummary window;
    synchronized (this) {
      window = windows.remove(key);
    }
    if (window != null) {
      writeSummary(key, window);
    }
  }

  private void writeSummary(Key key, RefusalSummary window) {
    if (window.count() > 0 && write(UNAUTHENTICATED, Action.CREDENTIAL_REJECTED, resource(key),
        window.payload(key.peer(), key.credential()), window.count(), unauditedRejections)) {
      summarized.increment(window.count());
    }
  }

  private void enqueue(String actor, Action action, String resource, Map<String, Object> payload,
      Counter unaudited) {
    if (pending.incrementAndGet() > settings.maxPending()) {
      pending.decrementAndGet();
      unaudited.increment();
      return;
    }
    try {
      writer.execute(() -> {
        try {
          write(actor, action, resource, payload, 1, unaudited);
        } finally {
          pending.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      // closing
      pending.decrementAndGet();
      unaudited.increment();
    }
  }

  /** @return whether it was written; if not, its {@code refusals} are counted as unaudited */
  private boolean write(String actor, Action action, String resource, Map<String, Object> payload, long refusals,
      Counter unaudited) {
    try {
      transactions.write(actor, tx -> {
        tx.record(action, resource, payload);
        return null;
      });
      return true;
    } catch (RuntimeException e) {
      unaudited.increment(refusals);
      log.warn("Could not audit {} refused call(s) ({} {}): {}", refusals, action, resource, e.toString());
      return false;
    }
  }

  private static String resource(Key key) {
    return "peers/" + key.peer();
  }

  /** The peer's address without its port: a new connection must not make a new key. */
  private static String address(SocketAddress peer) {
    if (peer instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    // the server's own HTTP APIs (MLflow, the web page) call in-process: their callers differ by credential
    return peer instanceof InProcessSocketAddress ? "in-process" : String.valueOf(peer);
  }

  /** The first bytes of the credential's SHA-256: tells floods apart, and says nothing of the credential. */
  static String fingerprint(String credential) {
    if (credential == null) {
      return NO_CREDENTIAL;
    }
    return "sha256:" + HexFormat.of().formatHex(Digests.sha256(credential.getBytes(StandardCharsets.UTF_8)), 0,
        FINGERPRINT_BYTES);
  }
}
