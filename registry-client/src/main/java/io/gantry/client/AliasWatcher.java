package io.gantry.client;

import io.gantry.v1.Alias;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.AliasMove;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryStub;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Follows an alias, or every alias of a model ({@code models/{model}/aliases/*}), through {@code WatchAlias}, and
 * keeps following it when the stream breaks: a lost connection or a server stopping for an upgrade is retried with
 * backoff, resuming after the last revision seen of each alias, so the listener is told of every move exactly once
 * and in order. A refused request (NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED...) ends the watch.
 *
 * <p>The listener is called from gRPC's threads, one call at a time.
 */
public final class AliasWatcher implements AutoCloseable {

  /** What a watch reports. */
  public interface Listener {
    /** An alias as it stands once the watch has caught up: once per alias, before or after its replayed moves. */
    void current(Alias alias);

    /** A move not reported before: replayed after a reconnection or from {@code since_revision}, or as it commits. */
    void moved(AliasMove move);

    /** The stream broke for a reason worth retrying; it is opened again after {@code delay}. */
    default void reconnecting(Status cause, Duration delay) {}

    /** The watch ended for good, as the server refused it; not called after {@link #close()}. */
    default void ended(StatusRuntimeException refusal) {}
  }

  static final Duration FIRST_RETRY = Duration.ofMillis(100);
  static final Duration LAST_RETRY = Duration.ofSeconds(5);

  private static final Set<Status.Code> RETRIED = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);
  private static final String EVERY_ALIAS = "/aliases/*";

  private final ModelRegistryStub registry;
  private final Runnable reconnectNow;
  private final String name;
  private final Listener listener;
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  // Guarded by this: the revision last reported of each alias (by full name), the aliases whose state was
  // reported, the call in flight and the next backoff.
  private final Map<String, Long> reported = new HashMap<>();
  private final Set<String> caughtUp = new HashSet<>();
  private final long initialRevision;
  private final Map<String, Long> initialRevisions;
  private ClientCallStreamObserver<WatchAliasRequest> call;
  private Duration backoff = FIRST_RETRY;
  private boolean closed;

  private AliasWatcher(ModelRegistryStub registry, Runnable reconnectNow, WatchAliasRequest request,
      Listener listener) {
    this.registry = registry;
    this.reconnectNow = reconnectNow;
    this.name = ResourceNames.alias(request.getName());
    this.listener = listener;
    this.initialRevision = request.getSinceRevision();
    this.initialRevisions = Map.copyOf(request.getSinceRevisionsMap());
  }

  /**
   * Starts watching what {@code request} names ({@code models:/taxi@champion}, {@code models/taxi/aliases/champion},
   * {@code models/taxi/aliases/*}), after its {@code since_revision} or {@code since_revisions} if set.
   * {@code reconnectNow} makes the channel try to connect at once rather than after its own backoff, which grows
   * to two minutes during a long outage.
   */
  static AliasWatcher start(ModelRegistryStub registry, Runnable reconnectNow, WatchAliasRequest request,
      Listener listener) {
    AliasWatcher watcher = new AliasWatcher(registry, reconnectNow, request, listener);
    watcher.open();
    return watcher;
  }

  /**
   * Waits for the watch to end for good: returns once {@link #close()} was called, and throws the server's refusal
   * (with its error details) if it refused the watch.
   */
  public void awaitEnd() throws InterruptedException {
    try {
      end.get();
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  /** Stops watching: the stream is cancelled and the listener hears nothing more. */
  @Override
  public void close() {
    ClientCallStreamObserver<WatchAliasRequest> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = call;
    }
    if (open != null) {
      open.cancel("watch closed", null);
    }
    end.complete(null);
  }

  private synchronized WatchAliasRequest resumed() {
    WatchAliasRequest.Builder request = WatchAliasRequest.newBuilder().setName(name);
    if (name.endsWith(EVERY_ALIAS)) {
      Map<String, Long> since = new HashMap<>(initialRevisions);
      reported.forEach((alias, revision) -> since.merge(alias.substring(alias.lastIndexOf('/') + 1), revision,
          Math::max));
      request.putAllSinceRevisions(since);
    } else {
      request.setSinceRevision(Math.max(initialRevision, reported.getOrDefault(name, 0L)));
    }
    return request.build();
  }

  private void open() {
    WatchAliasRequest request;
    synchronized (this) {
      if (closed) {
        return;
      }
      request = resumed();
    }
    registry.watchAlias(request, new Stream());
  }

  /** One attempt: reports what it has not reported before, and on a retryable end schedules the next attempt. */
  private final class Stream implements ClientResponseObserver<WatchAliasRequest, AliasEvent> {

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchAliasRequest> requestStream) {
      synchronized (AliasWatcher.this) {
        call = requestStream;
      }
    }

    @Override
    public void onNext(AliasEvent event) {
      synchronized (AliasWatcher.this) {
        if (closed) {
          return;
        }
        if (event.hasMoved()) {
          AliasMove move = event.getMoved();
          if (move.getRevision() > reported.getOrDefault(move.getAlias(), 0L)) {
            reported.put(move.getAlias(), move.getRevision());
            listener.moved(move);
          }
        } else if (event.hasCurrent()) {
          Alias alias = event.getCurrent();
          backoff = FIRST_RETRY;
          reported.merge(alias.getName(), alias.getRevision(), Math::max);
          if (caughtUp.add(alias.getName())) {
            listener.current(alias);
          }
        }
      }
    }

    @Override
    public void onError(Throwable failure) {
      ended(failure instanceof StatusRuntimeException refusal ? refusal : Status.fromThrowable(failure)
          .asRuntimeException());
    }

    @Override
    public void onCompleted() {
      ended(Status.UNAVAILABLE.withDescription("the server ended the watch").asRuntimeException());
    }

    private void ended(StatusRuntimeException failure) {
      Status status = failure.getStatus();
      Duration delay;
      synchronized (AliasWatcher.this) {
        call = null;
        if (closed) {
          return;
        }
        if (!RETRIED.contains(status.getCode())) {
          closed = true;
          listener.ended(failure);
          end.completeExceptionally(failure);
          return;
        }
        delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
        listener.reconnecting(status, delay);
      }
      CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        reconnectNow.run();
        open();
      });
    }
  }
}
