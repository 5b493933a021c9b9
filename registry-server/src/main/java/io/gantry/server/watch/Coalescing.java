package io.gantry.server.watch;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task on an executor each time it is poked, never twice at once: pokes that arrive while it
 * runs make it run once more, so a burst of changes costs one pass and none goes unseen.
 */
final class Coalescing {

  private static final Logger log = LoggerFactory.getLogger(Coalescing.class);

  private final AtomicInteger pokes = new AtomicInteger();
  private final Executor executor;
  private final Runnable task;

  Coalescing(Executor executor, Runnable task) {
    this.executor = executor;
    this.task = task;
  }

  void poke() {
    if (pokes.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // the server is stopping; nobody is left to tell
        pokes.set(0);
      }
    }
  }

  private void drain() {
    int seen;
    do {
      seen = pokes.get();
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("A watch task failed", e);
      }
    } while (pokes.addAndGet(-seen) != 0);
  }
}
