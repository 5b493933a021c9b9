package io.gantry.policy.testplugin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PolicyParams;
import io.gantry.policy.Verdict;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plug-in that takes its time: {@code sleeping} sleeps for as many milliseconds as the candidate's
 * {@code sleep_ms} tag says (none without it), then passes. The server's tests use it to prove that a slow policy
 * is stopped at its time limit and never holds the alias it gates.
 */
public final class SleepingPolicyFactory implements PolicyFactory {

  /** How many evaluations are asleep right now, in this JVM. */
  public static final AtomicInteger ASLEEP = new AtomicInteger();

  @Override
  public String type() {
    return "sleeping";
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams.of(type(), params).rejectUnknown();
    return new Policy() {
      @Override
      public String type() {
        return "sleeping";
      }

      @Override
      public Verdict evaluate(PolicyInput input) {
        long millis = Long.parseLong(input.candidate().tags().getOrDefault("sleep_ms", "0"));
        ASLEEP.incrementAndGet();
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Verdict.fail(type(), "interrupted after less than " + millis + " ms", Map.of());
        } finally {
          ASLEEP.decrementAndGet();
        }
        return Verdict.pass(type(), "slept " + millis + " ms", Map.of("slept_ms", millis));
      }
    };
  }
}
