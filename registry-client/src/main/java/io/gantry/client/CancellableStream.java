package io.gantry.client;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * The responses of a server-streaming call made on a blocking stub, in a context of its own, so that
 * closing it cancels the call: once the caller has read what it wanted, or on its way out after a failure.
 * An interrupted reading thread (the way a test stops {@code audit tail -f}) cancels the call too.
 */
public final class CancellableStream<T> implements Iterator<T>, AutoCloseable {

  private final Context.CancellableContext context;
  private final Iterator<T> responses;

  private CancellableStream(Context.CancellableContext context, Iterator<T> responses) {
    this.context = context;
    this.responses = responses;
  }

  /** Starts the call {@code start} makes; the call is bound to a new cancellable context. */
  public static <T> CancellableStream<T> open(Supplier<Iterator<T>> start) {
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      return new CancellableStream<>(context, start.get());
    } finally {
      context.detach(previous);
    }
  }

  @Override
  public boolean hasNext() {
    return responses.hasNext();
  }

  @Override
  public T next() {
    return responses.next();
  }

  @Override
  public void close() {
    context.cancel(null);
  }

  /** Whether {@code failure} is the call ending because this thread was interrupted. */
  public static boolean interrupted(StatusRuntimeException failure) {
    return failure.getStatus().getCode() == Status.Code.CANCELLED && Thread.currentThread().isInterrupted();
  }
}
