package io.gantry.server.access;

import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.auth.Caller;
import io.gantry.server.auth.VerifiedIdentityInterceptor;
import io.gantry.server.common.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every refused call to the audit log: a credential that could not be accepted (CREDENTIAL_REJECTED, actor
 * {@value #UNAUTHENTICATED}) and a call its caller's roles do not allow (PERMISSION_DENIED). The write happens off
 * the calling thread, which may be a network thread; a flood beyond {@value #MAX_PENDING} refusals waiting to be
 * written is counted and logged, not queued without bound.
 */
public final class RefusalLog implements VerifiedIdentityInterceptor.Refusals {

  public static final String UNAUTHENTICATED = "unauthenticated";
  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);
  private static final int MAX_PENDING = 10_000;

  private final Transactions transactions;
  private final Executor executor;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter dropped;

  public RefusalLog(Transactions transactions, Executor executor, MeterRegistry metrics) {
    this.transactions = transactions;
    this.executor = executor;
    this.dropped = Counter.builder("gantry.refusals.unaudited")
        .description("refused calls not written to the audit log because too many were waiting to be")
        .register(metrics);
  }

  @Override
  public void credentialRejected(String method, String peer, String reason) {
    write(UNAUTHENTICATED, Action.CREDENTIAL_REJECTED, "methods/" + method,
        Payload.of("method", method, "peer", peer, "reason", reason));
  }

  void permissionDenied(Caller.Identity caller, String method, Scope scope, String reason) {
    String resource = scope.kind() == Scope.Kind.MODEL ? "models/" + scope.model() : "methods/" + method;
    Map<String, Object> payload = Payload.of("method", method, "reason", reason,
        "authenticated_by", caller.method().wireName());
    scope.alias().ifPresent(alias -> payload.put("alias", alias));
    write(caller.principal(), Action.PERMISSION_DENIED, resource, payload);
  }

  private void write(String actor, Action action, String resource, Map<String, Object> payload) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      dropped.increment();
      return;
    }
    executor.execute(() -> {
      try {
        transactions.write(actor, tx -> {
          tx.record(action, resource, payload);
          return null;
        });
      } catch (RuntimeException e) {
        dropped.increment();
        log.warn("Could not audit a refused call ({} {}): {}", action, resource, e.toString());
      } finally {
        pending.decrementAndGet();
      }
    });
  }
}
