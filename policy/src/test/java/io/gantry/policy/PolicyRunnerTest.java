package io.gantry.policy;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every policy, built-in or plug-in, runs under a time limit: past it the verdict is FAIL and the caller moves on. */
class PolicyRunnerTest {

  private static final PolicyInput INPUT = input(version(2).build(), Optional.empty(), "champion");

  @Test
  void aPolicyThatTakesLongerThanItsLimit_failsSayingSo_andIsInterrupted_whileTheOthersStillDecide() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Policy sleeper = policy("sleeper", () -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
        Thread.currentThread().interrupt();
      }
      return Verdict.pass("sleeper", "woke up", Map.of());
    });
    Policy quick = policy("quick", () -> Verdict.pass("quick", "fine", Map.of()));

    try (PolicyRunner runner = new PolicyRunner(Duration.ofMillis(200), 2)) {
      List<Verdict> verdicts = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> runner.evaluate(List.of(sleeper, quick), INPUT));

      assertThat(verdicts).extracting(Verdict::outcome).containsExactly(Outcome.FAIL, Outcome.PASS);
      assertThat(verdicts.get(0).message())
          .isEqualTo("policy sleeper took longer than 200 ms (its time limit) and was stopped");
      assertThat(verdicts.get(0).facts()).containsEntry("time_limit_ms", 200L);
      assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the policy's thread is interrupted").isTrue();
    }
  }

  @Test
  void whenEveryEvaluatorIsTakenByAPolicyThatIgnoresItsLimit_laterPoliciesFailAtOnce_ratherThanWait() {
    CountDownLatch release = new CountDownLatch(1);
    Policy stubborn = policy("stubborn", () -> {
      while (true) {
        try {
          release.await();
          return Verdict.pass("stubborn", "done", Map.of());
        } catch (InterruptedException ignored) {
          // a badly written plug-in: swallows the interrupt and carries on
        }
      }
    });
    try (PolicyRunner runner = new PolicyRunner(Duration.ofMillis(100), 1)) {
      assertThat(runner.evaluate(List.of(stubborn), INPUT).get(0).message()).contains("took longer than 100 ms");

      Verdict next = assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> runner.evaluate(List.of(policy("quick", () -> Verdict.pass("quick", "fine", Map.of()))), INPUT))
          .get(0);

      assertThat(next.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(next.message()).isEqualTo("policy quick was not evaluated: all 1 policy evaluators are busy "
          + "with policies that overran their time limit");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aPolicyThatThrows_stillYieldsAFailingVerdict() {
    try (PolicyRunner runner = new PolicyRunner(Duration.ofSeconds(2), 2)) {
      Verdict verdict = runner.evaluate(List.of(policy("broken", () -> {
        throw new IllegalStateException("boom");
      })), INPUT).get(0);

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).contains("boom");
    }
  }

  private interface Body {
    Verdict run();
  }

  private static Policy policy(String type, Body body) {
    return new Policy() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Verdict evaluate(PolicyInput input) {
        return body.run();
      }
    };
  }
}
