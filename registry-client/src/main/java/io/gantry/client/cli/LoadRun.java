package io.gantry.client.cli;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Sends one kind of request from N threads, back to back, for a warm-up and then a measured time,
 * and collects the latency of every call that started in the measured time.
 */
final class LoadRun {

  /** How long a call may outlive the run before its deadline cuts it off. */
  static final Duration GRACE = Duration.ofSeconds(1);

  /** One request; it must not outlive {@code deadline}. */
  @FunctionalInterface
  interface Request {
    void send(Deadline deadline);
  }

  /** What a run measured; latencies in microseconds, of successful calls only. */
  record Result(long requests, Map<Status.Code, Long> errors, Duration elapsed, Histogram latencyMicros) {

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double requestsPerSecond() {
      return requests / (elapsed.toNanos() / 1e9);
    }
  }

  private LoadRun() {}

  static Result run(Request request, int concurrency, Duration warmup, Duration duration) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long stopAt = measureFrom + duration.toNanos();
    Deadline deadline = Deadline.after(warmup.plus(duration).plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);

    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Worker>> running = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        Worker worker = new Worker(request, deadline, measureFrom, stopAt);
        running.add(workers.submit(worker, worker));
      }
      long requests = 0;
      Map<Status.Code, Long> errors = new EnumMap<>(Status.Code.class);
      Histogram latencies = new Histogram(3);
      for (Future<Worker> future : running) {
        Worker worker = future.get();
        requests += worker.latencies.getTotalCount();
        latencies.add(worker.latencies);
        worker.errors.forEach((code, count) -> errors.merge(code, count, Long::sum));
      }
      Duration elapsed = Duration.ofNanos(Math.max(System.nanoTime(), stopAt) - measureFrom);
      return new Result(requests, errors, elapsed, latencies);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a benchmark worker failed", e.getCause());
    } finally {
      workers.shutdownNow();
    }
  }

  private static final class Worker implements Runnable {
    private final Request request;
    private final Deadline deadline;
    private final long measureFrom;
    private final long stopAt;
    private final Histogram latencies = new Histogram(3);
    private final Map<Status.Code, Long> errors = new EnumMap<>(Status.Code.class);

    Worker(Request request, Deadline deadline, long measureFrom, long stopAt) {
      this.request = request;
      this.deadline = deadline;
      this.measureFrom = measureFrom;
      this.stopAt = stopAt;
    }

    @Override
    public void run() {
      for (long begin = System.nanoTime(); begin < stopAt; begin = System.nanoTime()) {
        try {
          request.send(deadline);
          if (begin >= measureFrom) {
            latencies.recordValue(Math.max(1, (System.nanoTime() - begin) / 1_000));
          }
        } catch (StatusRuntimeException e) {
          if (begin >= measureFrom) {
            errors.merge(e.getStatus().getCode(), 1L, Long::sum);
          }
        }
      }
    }
  }
}
