package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyConfigException;
import io.gantry.policy.Verdict;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CelPolicyTest {

  private static final String OWNED_AND_ACCURATE =
      "candidate.metrics.test.rmse <= 5.6 && has(candidate.tags.git_commit) && candidate.tags.data_version != ''";

  private final Policies policies = Policies.discover();

  private Policy cel(String expression) {
    return policies.create("cel", Map.of("expression", expression, "message", "the candidate is not good enough"));
  }

  @Test
  void passes_whenTheExpressionOverMetricsAndTagsHolds() {
    Verdict verdict = cel(OWNED_AND_ACCURATE).evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict).isEqualTo(Verdict.pass("cel", "CEL expression holds: " + OWNED_AND_ACCURATE,
        Map.of("expression", OWNED_AND_ACCURATE, "result", true)));
  }

  @Test
  void fails_withTheConfiguredMessage_whenTheExpressionIsFalse() {
    Candidate v2 = version(2).metric("test", "rmse", 5.9).build();

    Verdict verdict = cel(OWNED_AND_ACCURATE).evaluate(input(v2, Optional.empty(), "champion"));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("the candidate is not good enough");
  }

  @Test
  void comparesWithTheCurrentHolder_andSeesNullWhenThereIsNone() {
    Policy beats = cel("current == null || candidate.metrics.test.rmse < current.metrics.test.rmse");
    Candidate v1 = version(1).build();
    Candidate better = version(2).metric("test", "rmse", 5.4).build();
    Candidate worse = version(3).metric("test", "rmse", 5.9).build();

    assertThat(beats.evaluate(input(v1, Optional.empty(), "champion")).outcome()).isEqualTo(Outcome.PASS);
    assertThat(beats.evaluate(input(better, Optional.of(v1), "champion")).outcome()).isEqualTo(Outcome.PASS);
    assertThat(beats.evaluate(input(worse, Optional.of(v1), "champion")).outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void seesRequestRequirementsAndSignature() {
    Policy policy = cel("request.alias == 'champion' && request.requester != candidate.created_by"
        + " && candidate.requirements.all(r, r.pinned)"
        + " && candidate.signature.inputs.exists(c, c.name == 'trip_distance' && c.type == 'double')"
        + " && candidate.version == 2");

    Verdict verdict = policy.evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void runtimeError_isAFailVerdictCarryingTheError() {
    Policy policy = cel("candidate.metrics.holdout.rmse < 5.6");

    Verdict verdict = policy.evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("CEL expression candidate.metrics.holdout.rmse < 5.6 failed:"
        + " evaluation error at <input>:17: key 'holdout' is not present in map.");
    assertThat(verdict.facts()).containsKey("error");
  }

  @Test
  void dynResultThatIsNotABool_isAFailVerdict() {
    Policy policy = cel("candidate.tags.data_version");

    Verdict verdict = policy.evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.message()).isEqualTo("CEL expression candidate.tags.data_version returned 2024-01, not a bool");
  }

  @Test
  void refusesAnExpressionThatDoesNotCompile_atCreation() {
    assertThatThrownBy(() -> cel("candidate.metrics.test.rmse <"))
        .isInstanceOfSatisfying(PolicyConfigException.class,
            e -> assertThat(e.parameter()).contains("expression"))
        .hasMessageStartingWith("policy cel: parameter 'expression' does not compile: ");
  }

  @Test
  void refusesAnUndeclaredVariable_atCreation() {
    assertThatThrownBy(() -> cel("champion.metrics.test.rmse < 5.6"))
        .hasMessageStartingWith("policy cel: parameter 'expression' does not compile: ")
        .hasMessageContaining("champion");
  }

  @Test
  void refusesANonBoolExpression_atCreation() {
    assertThatThrownBy(() -> cel("size(candidate.tags)"))
        .hasMessage("policy cel: parameter 'expression' must be a bool expression, but it is of type int: "
            + "size(candidate.tags)");
  }

  @Test
  void defaultMessage_quotesTheExpression() {
    Policy policy = policies.create("cel", Map.of("expression", "candidate.version > 5"));

    Verdict verdict = policy.evaluate(input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdict.message()).isEqualTo("CEL expression is false: candidate.version > 5");
  }
}
