package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.Verdict;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MetricPoliciesTest {

  private static final Policies POLICIES = Policies.discover();
  private static final Candidate V1 = version(1).build();

  @Nested
  class MetricThreshold {

    private final Policy rmseAtMost = POLICIES.create("metric-threshold",
        Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", 5.6));

    @Test
    void passes_whenTheMetricIsWithinTheThreshold() {
      Verdict verdict = rmseAtMost.evaluate(input(V1, Optional.empty(), "champion"));

      assertThat(verdict).isEqualTo(Verdict.pass("metric-threshold", "rmse on test is 5.567, which satisfies rmse <= 5.6",
          Map.of("metric", "rmse", "dataset", "test", "op", "<=", "threshold", 5.6, "value", 5.567)));
    }

    @Test
    void fails_namingMetricThresholdAndValue_whenAboveTheThreshold() {
      Candidate v2 = version(2).metric("test", "rmse", 5.9).build();

      Verdict verdict = rmseAtMost.evaluate(input(v2, Optional.of(V1), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 rmse on test is 5.9, which fails rmse <= 5.6");
      assertThat(verdict.facts()).containsEntry("value", 5.9).containsEntry("threshold", 5.6);
    }

    @Test
    void fails_sayingSo_whenTheMetricWasNeverReportedOnTheDataset() {
      Policy onHoldout = POLICIES.create("metric-threshold",
          Map.of("metric", "rmse", "dataset", "holdout", "op", "<", "value", 6));

      Verdict verdict = onHoldout.evaluate(input(V1, Optional.empty(), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message())
          .isEqualTo("nyc-taxi-duration/1 has no rmse on dataset holdout; report it to check rmse < 6");
    }

    @Test
    void appliesEveryOperator() {
      assertThat(threshold(">", 5.5)).isEqualTo(Outcome.PASS);
      assertThat(threshold(">=", 5.567)).isEqualTo(Outcome.PASS);
      assertThat(threshold("<", 5.567)).isEqualTo(Outcome.FAIL);
      assertThat(threshold("==", 5.567)).isEqualTo(Outcome.PASS);
      assertThat(threshold("!=", 5.567)).isEqualTo(Outcome.FAIL);
    }

    private Outcome threshold(String op, double value) {
      return POLICIES.create("metric-threshold", Map.of("metric", "rmse", "dataset", "test", "op", op, "value", value))
          .evaluate(input(V1, Optional.empty(), "champion")).outcome();
    }

    @Test
    void aValueThatIsNotFinite_satisfiesNoOperator_andIsAFactByName() {
      for (double broken : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
        Candidate v2 = version(2).metric("test", "rmse", broken).build();
        for (String op : new String[] {"<", "<=", ">", ">=", "==", "!="}) {
          Verdict verdict = POLICIES.create("metric-threshold",
              Map.of("metric", "rmse", "dataset", "test", "op", op, "value", 5.6))
              .evaluate(input(v2, Optional.empty(), "champion"));

          assertThat(verdict.outcome()).as(broken + " " + op).isEqualTo(Outcome.FAIL);
          assertThat(verdict.message()).as(broken + " " + op).isEqualTo("nyc-taxi-duration/2 rmse on test is " + broken
              + ", which is not a finite number and satisfies no rmse " + op + " 5.6; report a finite value");
          assertThat(verdict.facts()).containsEntry("value", Double.toString(broken));
        }
      }
    }

    @Test
    void refusesAnUnknownOperator_atCreation() {
      assertThatThrownBy(() -> POLICIES.create("metric-threshold",
          Map.of("metric", "rmse", "dataset", "test", "op", "=<", "value", 5.6)))
          .hasMessage("policy metric-threshold: parameter 'op' must be one of < <= > >= == !=, got '=<'");
    }
  }

  @Nested
  class BeatsCurrent {

    private final Policy lowerRmse = POLICIES.create("beats-current",
        Map.of("metric", "rmse", "dataset", "test", "direction", "lower", "min_delta", 0.1));

    @Test
    void passes_whenNoVersionHoldsTheAlias() {
      Verdict verdict = lowerRmse.evaluate(input(V1, Optional.empty(), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
      assertThat(verdict.message()).isEqualTo("no version holds champion yet, so there is nothing to beat");
    }

    @Test
    void passes_whenBetterByAtLeastTheMargin() {
      Candidate v2 = version(2).metric("test", "rmse", 5.4).build();

      Verdict verdict = lowerRmse.evaluate(input(v2, Optional.of(V1), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 beats the current champion: rmse on test is 5.4"
          + " against 5.567 for nyc-taxi-duration/1 (lower is better; improvement 0.167, at least 0.1 required)");
    }

    @Test
    void fails_whenBetterByLessThanTheMargin() {
      Candidate v2 = version(2).metric("test", "rmse", 5.5).build();

      Verdict verdict = lowerRmse.evaluate(input(v2, Optional.of(V1), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 does not beat the current champion: rmse on test"
          + " is 5.5 against 5.567 for nyc-taxi-duration/1 (lower is better; improvement 0.067, at least 0.1 required)");
    }

    @Test
    void countsTheMarginInDecimal_soAnExactMarginPasses() {
      Candidate current = version(1).metric("test", "rmse", 5.6).build();
      Candidate v2 = version(2).metric("test", "rmse", 5.5).build();

      assertThat(lowerRmse.evaluate(input(v2, Optional.of(current), "champion")).outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    void higherIsBetter_failsWhenTheCandidateIsLower() {
      Policy higherR2 = POLICIES.create("beats-current",
          Map.of("metric", "r2", "dataset", "test", "direction", "higher"));
      Candidate current = version(1).metric("test", "r2", 0.82).build();
      Candidate v2 = version(2).metric("test", "r2", 0.8).build();

      Verdict verdict = higherR2.evaluate(input(v2, Optional.of(current), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 does not beat the current champion: r2 on test"
          + " is 0.8 against 0.82 for nyc-taxi-duration/1 (higher is better; improvement -0.02, at least 0 required)");
    }

    @Test
    void fails_whenTheCurrentHolderLacksTheMetric() {
      Candidate v2 = version(2).metric("test", "mae", 3.1).build();
      Policy lowerMae = POLICIES.create("beats-current", Map.of("metric", "mae", "dataset", "test", "direction", "lower"));

      Verdict verdict = lowerMae.evaluate(input(v2, Optional.of(V1), "champion"));

      assertThat(verdict.message()).isEqualTo("the current champion nyc-taxi-duration/1 has no mae on dataset test;"
          + " report it so nyc-taxi-duration/2 can be compared");
    }

    @Test
    void fails_whenTheCandidatesValueIsNotFinite_whicheverTheDirection() {
      Policy higherR2 = POLICIES.create("beats-current", Map.of("metric", "rmse", "dataset", "test",
          "direction", "higher"));
      for (double broken : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
        Candidate v2 = version(2).metric("test", "rmse", broken).build();

        for (Policy policy : new Policy[] {lowerRmse, higherR2}) {
          Verdict verdict = policy.evaluate(input(v2, Optional.of(V1), "champion"));

          assertThat(verdict.outcome()).as(String.valueOf(broken)).isEqualTo(Outcome.FAIL);
          assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/2 has rmse " + broken
              + " on dataset test, which is not a finite number; report a finite value");
          assertThat(verdict.facts()).containsEntry("value", Double.toString(broken));
        }
      }
    }

    @Test
    void fails_whenTheCurrentHoldersValueIsNotFinite() {
      Candidate current = version(1).metric("test", "rmse", Double.NaN).build();
      Candidate v2 = version(2).metric("test", "rmse", 1.0).build();

      Verdict verdict = lowerRmse.evaluate(input(v2, Optional.of(current), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("the current champion nyc-taxi-duration/1 has rmse NaN on dataset test, "
          + "which is not a finite number; report a finite value for it so nyc-taxi-duration/2 can be compared");
      assertThat(verdict.facts()).containsEntry("current_value", "NaN");
    }

    @Test
    void refusesABadDirectionOrANegativeMargin_atCreation() {
      assertThatThrownBy(() -> POLICIES.create("beats-current",
          Map.of("metric", "rmse", "dataset", "test", "direction", "down")))
          .hasMessage("policy beats-current: parameter 'direction' must be lower or higher, got 'down'");
      assertThatThrownBy(() -> POLICIES.create("beats-current",
          Map.of("metric", "rmse", "dataset", "test", "direction", "lower", "min_delta", -1)))
          .hasMessage("policy beats-current: parameter 'min_delta' must be at least 0, got -1");
    }
  }
}
