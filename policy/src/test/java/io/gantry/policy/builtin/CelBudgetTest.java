package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyConfigException;
import io.gantry.policy.Snapshots.VersionBuilder;
import io.gantry.policy.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * CEL's budgets: four nested comprehensions over 80 elements are 41 million steps, 32 s of one core before the
 * budgets; five are 3.3 billion. The guard timeouts only keep an unbounded evaluation from hanging the build (and
 * are generous, for a loaded machine); the assertions are on the refusal and the verdict.
 */
class CelBudgetTest {

  private static final String EIGHTY_ZEROS = IntStream.range(0, 80).mapToObj(i -> "0")
      .collect(Collectors.joining(",", "[", "]"));
  /** 80 + 80^2 + 80^3 + 80^4 = 41,478,480 iterations over literal lists: known before it runs. */
  static final String FORTY_ONE_MILLION_STEPS = EIGHTY_ZEROS + ".all(a, " + EIGHTY_ZEROS + ".all(b, "
      + EIGHTY_ZEROS + ".all(c, " + EIGHTY_ZEROS + ".all(d, a + b + c + d >= 0))))";
  /** The same shape, one level deeper, over the candidate's tags: its cost depends on the version it meets. */
  static final String OVER_EVERY_TAG = "candidate.tags.all(a, candidate.tags.all(b, candidate.tags.all(c, "
      + "candidate.tags.all(d, candidate.tags.all(e, e != '')))))";

  private final Policies policies = Policies.discover();

  @Test
  void anExpressionWhoseLiteralListsExceedTheIterationBudget_isRefusedWhenBound_sayingTheEstimateAndTheLimit() {
    assertThat(FORTY_ONE_MILLION_STEPS).hasSizeLessThan(1024);

    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> policies.create("cel", Map.of("expression", FORTY_ONE_MILLION_STEPS))))
        .isInstanceOfSatisfying(PolicyConfigException.class, e -> {
          assertThat(e.parameter()).contains("expression");
          assertThat(e.getMessage()).isEqualTo("policy cel: parameter 'expression' can take up to 41,478,480 "
              + "comprehension iterations over its literal lists; the limit is "
              + String.format("%,d", CelBudget.MAX_ITERATIONS) + " per evaluation");
        });
  }

  @Test
  void anExpressionWhoseCostDependsOnTheData_isCutOffWhenEvaluated_withAFailingVerdictNamingTheBudget() {
    Policy overEveryTag = policies.create("cel", Map.of("expression", OVER_EVERY_TAG));
    VersionBuilder builder = version(2);
    IntStream.range(0, 80).forEach(i -> builder.tag("t" + i, "v"));
    Candidate eightyTags = builder.build();

    Verdict verdict = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> overEveryTag.evaluate(input(eightyTags, Optional.empty(), "champion")));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("CEL expression " + OVER_EVERY_TAG + " exceeded its iteration budget: "
        + "at most " + String.format("%,d", CelBudget.MAX_ITERATIONS) + " comprehension iterations per evaluation");
    assertThat(verdict.facts()).containsEntry("budget", "iterations");
  }

  @Test
  void aCheapEvaluationOfTheSameExpression_stillDecides() {
    Policy overEveryTag = policies.create("cel", Map.of("expression", OVER_EVERY_TAG));

    Verdict verdict = overEveryTag.evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void anExpressionThatEvaluatesTooManyStepsWithoutManyIterations_isCutOffByTheCostBudget() {
    // each iteration evaluates a long chain of additions: few iterations, many steps
    String chain = IntStream.range(0, 200).mapToObj(i -> "a").collect(Collectors.joining(" + "));
    String expression = "candidate.tags.all(k, candidate.tags.all(a, size(" + chain + ") > 0))";
    Policy costly = policies.create("cel", Map.of("expression", expression));
    VersionBuilder builder = version(2);
    IntStream.range(0, 80).forEach(i -> builder.tag("t" + i, "v"));

    Verdict verdict = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> costly.evaluate(input(builder.build(), Optional.empty(), "champion")));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("CEL expression " + expression + " exceeded its cost budget: at most "
        + String.format("%,d", CelBudget.MAX_COST) + " evaluation steps per evaluation");
    assertThat(verdict.facts()).containsEntry("budget", "cost");
  }
}
