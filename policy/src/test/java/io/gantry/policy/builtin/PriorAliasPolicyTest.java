package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.NOW;
import static io.gantry.policy.Snapshots.request;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.AliasSpan;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PriorAliasPolicyTest {

  private static final Policies POLICIES = Policies.discover();

  private final Policy stagedForADay = POLICIES.create("prior-alias", Map.of("min_duration", "PT24H"));

  private static Verdict evaluate(Policy policy, AliasSpan... history) {
    return policy.evaluate(new PolicyInput(version(2).build(), Optional.empty(), request("champion"), List.of(),
        List.of(history), NOW));
  }

  private static AliasSpan span(String alias, long version, Duration fromAgo, Duration toAgo) {
    return new AliasSpan(alias, version, NOW.minus(fromAgo),
        toAgo == null ? Optional.empty() : Optional.of(NOW.minus(toAgo)));
  }

  @Test
  void passes_whenTheCandidateHasHeldStagingLongEnough() {
    Verdict verdict = evaluate(stagedForADay, span("staging", 2, Duration.ofHours(30), null));

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.message())
        .isEqualTo("nyc-taxi-duration/2 has held staging for PT30H (since 2026-03-01T06:00:00Z), at least PT24H");
  }

  @Test
  void fails_whenTheCandidateHeldStagingTooBriefly() {
    Verdict verdict = evaluate(stagedForADay,
        span("staging", 2, Duration.ofHours(30), Duration.ofHours(28)),
        span("staging", 3, Duration.ofHours(28), null),
        span("champion", 2, Duration.ofHours(40), null));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 held staging for PT2H"
        + " (since 2026-03-01T06:00:00Z until 2026-03-01T08:00:00Z), less than the required PT24H");
  }

  @Test
  void fails_whenTheCandidateNeverHeldStaging() {
    Verdict verdict = evaluate(stagedForADay, span("staging", 1, Duration.ofDays(10), null));

    assertThat(verdict.message())
        .isEqualTo("nyc-taxi-duration/2 has never held staging; it must hold it for at least PT24H first");
  }

  @Test
  void zeroDuration_onlyNeedsTheCandidateToHaveHeldTheAlias() {
    Policy justStaged = POLICIES.create("prior-alias", Map.of("alias", "canary", "min_duration", "0s"));

    assertThat(evaluate(justStaged, span("canary", 2, Duration.ZERO, null)).outcome()).isEqualTo(Outcome.PASS);
    assertThat(evaluate(justStaged).outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void refusesAMissingOrMalformedDuration_atCreation() {
    assertThatThrownBy(() -> POLICIES.create("prior-alias", Map.of()))
        .hasMessage("policy prior-alias: parameter 'min_duration' is required");
    assertThatThrownBy(() -> POLICIES.create("prior-alias", Map.of("min_duration", "tomorrow")))
        .hasMessage("policy prior-alias: parameter 'min_duration' must be a duration such as PT24H or 24h,"
            + " got 'tomorrow'");
  }
}
