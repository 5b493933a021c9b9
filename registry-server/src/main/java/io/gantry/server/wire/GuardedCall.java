package io.gantry.server.wire;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.error.GantryException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One call as its service sees it: its requests parsed, and closed exactly once, by the service or by the guard.
 * The guard closes from its own thread while the service may be answering from another, and a {@link ServerCall}
 * is not thread-safe: every outbound step takes this object's lock, and whatever comes after the close is dropped.
 */
final class GuardedCall<Q, R> extends ServerCall<Q, R> {

  private final ServerCall<Inbound<Q>, R> wire;
  private final MethodDescriptor<Q, R> method;
  private final long idleNanos;
  private final OptionalLong deadlineAt;
  private final Consumer<GuardedCall<?, ?>> finished;
  /** When the client last sent something while the call waited for it; cleared by its end of input. */
  private volatile long lastInbound;
  private volatile boolean inputEnded;
  private boolean closed;
  private volatile boolean closedByGuard;

  GuardedCall(ServerCall<Inbound<Q>, R> wire, MethodDescriptor<Q, R> method, long started, long idleNanos,
      OptionalLong deadlineAt, Consumer<GuardedCall<?, ?>> finished) {
    this.wire = wire;
    this.method = method;
    this.lastInbound = started;
    this.idleNanos = idleNanos;
    this.deadlineAt = deadlineAt;
    this.finished = finished;
  }

  boolean idle(long now) {
    return !inputEnded && now - lastInbound > idleNanos;
  }

  boolean overdue(long now) {
    return deadlineAt.isPresent() && now - deadlineAt.getAsLong() > 0;
  }

  /** Ends the call with {@code error} on the guard's behalf; the service's own later answer is dropped. */
  void closeByGuard(GantryException error) {
    var status = GrpcErrors.toStatusException(error);
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closedByGuard = true;
      wire.close(status.getStatus(), status.getTrailers());
    }
    finished.accept(this);
  }

  /** What the transport delivers, unwrapped for the service's listener. */
  ServerCall.Listener<Inbound<Q>> listen(ServerCall.Listener<Q> service) {
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(Inbound<Q> inbound) {
        lastInbound = System.nanoTime();
        if (closedByGuard) {
          return;
        }
        if (inbound.damage() != null) {
          closeByGuard(inbound.damage());
        } else {
          service.onMessage(inbound.message());
        }
      }

      @Override
      public void onHalfClose() {
        inputEnded = true;
        if (!closedByGuard) {
          service.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!closedByGuard) {
          service.onReady();
        }
      }

      @Override
      public void onComplete() {
        finished.accept(GuardedCall.this);
        // a service cut off by the guard learns it as a cancellation, so that it lets go of what it holds
        if (closedByGuard) {
          service.onCancel();
        } else {
          service.onComplete();
        }
      }

      @Override
      public void onCancel() {
        finished.accept(GuardedCall.this);
        service.onCancel();
      }
    };
  }

  @Override
  public void request(int numMessages) {
    wire.request(numMessages);
  }

  @Override
  public synchronized void sendHeaders(Metadata headers) {
    if (!closed) {
      wire.sendHeaders(headers);
    }
  }

  @Override
  public synchronized void sendMessage(R message) {
    if (!closed) {
      wire.sendMessage(message);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      wire.close(status, trailers);
    }
    finished.accept(this);
  }

  @Override
  public boolean isReady() {
    return wire.isReady();
  }

  @Override
  public boolean isCancelled() {
    return wire.isCancelled();
  }

  @Override
  public synchronized void setMessageCompression(boolean enabled) {
    wire.setMessageCompression(enabled);
  }

  @Override
  public synchronized void setCompression(String compressor) {
    wire.setCompression(compressor);
  }

  @Override
  public void setOnReadyThreshold(int numBytes) {
    wire.setOnReadyThreshold(numBytes);
  }

  @Override
  public Attributes getAttributes() {
    return wire.getAttributes();
  }

  @Override
  public String getAuthority() {
    return wire.getAuthority();
  }

  @Override
  public SecurityLevel getSecurityLevel() {
    return wire.getSecurityLevel();
  }

  @Override
  public MethodDescriptor<Q, R> getMethodDescriptor() {
    return method;
  }
}
