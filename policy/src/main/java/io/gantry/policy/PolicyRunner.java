package io.gantry.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Evaluates policies under a time limit each, built-in and plug-in alike, on a bounded set of threads of its own.
 * A policy that overruns its limit is interrupted and yields a {@link Outcome#FAIL} verdict saying so; the caller
 * never waits longer than the limit for it. A policy that ignores the interrupt keeps its thread until it
 * returns: when every thread is so taken, further policies fail at once rather than queue, so a misbehaving
 * plug-in closes the gates instead of stalling the registry.
 *
 * <p>Like {@link Policies#evaluate}, it never throws for a policy's sake. Safe to share; close it at shutdown.
 */
public final class PolicyRunner implements AutoCloseable {

  private static final long IDLE_SECONDS = 30;

  private final Duration timeLimit;
  private final ThreadPoolExecutor executor;

  /**
   * @param timeLimit how long one policy may take
   * @param threads how many policies may be evaluated at the same time, across all promotions
   */
  public PolicyRunner(Duration timeLimit, int threads) {
    if (timeLimit.isNegative() || timeLimit.isZero() || threads < 1) {
      throw new IllegalArgumentException("a policy runner needs a positive time limit and at least one thread");
    }
    this.timeLimit = timeLimit;
    AtomicInteger counter = new AtomicInteger();
    // no queue: a policy starts now or not at all, so waiting for a thread never eats into its time limit
    this.executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, "policy-" + counter.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    // idle threads end by themselves, so a runner nobody closes holds no threads between promotions
    executor.allowCoreThreadTimeOut(true);
  }

  public Duration timeLimit() {
    return timeLimit;
  }

  /** One verdict per policy, in order; each policy bounded by the time limit. */
  public List<Verdict> evaluate(List<? extends Policy> policies, PolicyInput input) {
    List<Verdict> verdicts = new ArrayList<>(policies.size());
    for (Policy policy : policies) {
      verdicts.add(evaluateOne(policy, input));
    }
    return List.copyOf(verdicts);
  }

  private Verdict evaluateOne(Policy policy, PolicyInput input) {
    String type = policy.type();
    Future<Verdict> future;
    try {
      future = executor.submit(() -> Policies.evaluateOne(policy, input));
    } catch (RejectedExecutionException e) {
      return Verdict.fail(type, "policy " + type + " was not evaluated: all " + executor.getMaximumPoolSize()
          + " policy evaluators are busy with policies that overran their time limit",
          Map.of("evaluators", executor.getMaximumPoolSize()));
    }
    try {
      return future.get(timeLimit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return Verdict.fail(type, "policy " + type + " took longer than " + timeLimit.toMillis()
          + " ms (its time limit) and was stopped", Map.of("time_limit_ms", timeLimit.toMillis()));
    } catch (ExecutionException e) {
      // evaluateOne turns exceptions into verdicts; only an Error (a stack overflow, say) gets here
      return Verdict.fail(type, "policy " + type + " failed with an error: " + e.getCause(),
          Map.of("error", e.getCause().getClass().getName()));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return Verdict.fail(type, "policy " + type + " was not evaluated: the registry is shutting down", Map.of());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
