package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadRunTest {

  @Test
  void measuresOnlyAfterTheWarmup() throws Exception {
    LoadRun.Result result = LoadRun.run(deadline -> sleepMillis(2), 2, Duration.ofMillis(300), Duration.ofMillis(500));

    // 2 workers × 500 ms / ~2 ms a call; the 300 ms of warm-up would add about 300 more.
    assertThat(result.requests()).isBetween(100L, 520L);
    assertThat(result.errorCount()).isZero();
    assertThat(result.latencyMicros().getValueAtPercentile(50)).isBetween(1_900L, 50_000L);
    assertThat(result.elapsed()).isBetween(Duration.ofMillis(500), Duration.ofMillis(1_500));
  }

  @Test
  void aServerThatNeverAnswersCannotHoldTheRunPastItsDeadline() throws Exception {
    long start = System.nanoTime();

    LoadRun.Result result = LoadRun.run(deadline -> {
      // Stands in for a blocking stub: it waits until the deadline, then fails.
      sleepMillis(deadline.timeRemaining(TimeUnit.MILLISECONDS));
      throw Status.DEADLINE_EXCEEDED.asRuntimeException();
    }, 4, Duration.ZERO, Duration.ofMillis(500));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isLessThan(Duration.ofMillis(500).plus(LoadRun.GRACE).plusMillis(500));
    assertThat(result.requests()).isZero();
    assertThat(result.errors()).containsEntry(Status.Code.DEADLINE_EXCEEDED, 4L);
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(Math.max(0, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
