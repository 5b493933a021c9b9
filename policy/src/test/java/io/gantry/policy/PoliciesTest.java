package io.gantry.policy;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoliciesTest {

  private final Policies policies = Policies.discover();

  @Test
  void discover_findsEveryBuiltInAndThePluginFromTheTestClassPath() {
    assertThat(policies.types()).containsExactly(
        "approvals", "artifact-integrity", "beats-current", "cel", "dependencies-pinned", "frozen-alias",
        "metric-threshold",
        "prior-alias", "required-tags", "signature-compatible", "signature-required", "sleeping");
  }

  @Test
  void create_buildsAPluginPolicy_thatEvaluatesLikeABuiltIn() {
    Policy frozen = policies.create("frozen-alias", Map.of("aliases", List.of("champion")));

    List<Verdict> verdicts = Policies.evaluate(List.of(frozen),
        input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdicts).containsExactly(
        Verdict.fail("frozen-alias", "champion is frozen", Map.of("frozen", List.of("champion"))));
  }

  @Test
  void create_refusesAnUnknownType_listingTheKnownOnes() {
    assertThatThrownBy(() -> policies.create("metric-treshold", Map.of()))
        .isInstanceOfSatisfying(PolicyConfigException.class, e -> {
          assertThat(e.type()).isEqualTo("metric-treshold");
          assertThat(e.parameter()).isEmpty();
        })
        .hasMessage("unknown policy type 'metric-treshold' (known types: approvals, artifact-integrity, "
            + "beats-current, cel, "
            + "dependencies-pinned, frozen-alias, metric-threshold, prior-alias, required-tags, "
            + "signature-compatible, signature-required, sleeping)");
  }

  @Test
  void create_refusesAnUnknownParameter_namingItAndTheKnownOnes() {
    assertThatThrownBy(() -> policies.create("metric-threshold",
        Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", 5.6, "treshold", 5.6)))
        .isInstanceOfSatisfying(PolicyConfigException.class,
            e -> assertThat(e.parameter()).contains("treshold"))
        .hasMessage("policy metric-threshold: unknown parameter 'treshold' "
            + "(known parameters: metric, dataset, op, value)");
  }

  @Test
  void create_refusesAParameterForAPolicyThatTakesNone() {
    assertThatThrownBy(() -> policies.create("signature-required", Map.of("strict", true)))
        .hasMessage("policy signature-required: unknown parameter 'strict' (it takes no parameters)");
  }

  @Test
  void create_refusesAMissingParameter() {
    assertThatThrownBy(() -> policies.create("metric-threshold",
        Map.of("metric", "rmse", "dataset", "test", "op", "<=")))
        .isInstanceOfSatisfying(PolicyConfigException.class, e -> assertThat(e.parameter()).contains("value"))
        .hasMessage("policy metric-threshold: parameter 'value' is required");
  }

  @Test
  void create_refusesAnIllTypedParameter_withoutCoercingStrings() {
    assertThatThrownBy(() -> policies.create("metric-threshold",
        Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", "5.6")))
        .hasMessage("policy metric-threshold: parameter 'value' must be a number, got string '5.6'");
  }

  @Test
  void create_reportsAPluginsOwnValidationError_asAConfigError() {
    assertThatThrownBy(() -> policies.create("frozen-alias", Map.of("aliases", List.of("champion", "champion"))))
        .isInstanceOf(PolicyConfigException.class)
        .hasMessage("policy frozen-alias cannot be created: java.lang.IllegalArgumentException: duplicate element:"
            + " champion");
  }

  @Test
  void evaluate_turnsAThrowingPolicyIntoAFailVerdict_andEvaluatesTheRest() {
    Policy broken = new Policy() {
      @Override
      public String type() {
        return "broken";
      }

      @Override
      public Verdict evaluate(PolicyInput input) {
        throw new IllegalStateException("metrics store unavailable");
      }
    };
    Policy signatureRequired = policies.create("signature-required", Map.of());

    List<Verdict> verdicts = Policies.evaluate(List.of(broken, signatureRequired),
        input(version(2).build(), Optional.empty(), "champion"));

    assertThat(verdicts).hasSize(2);
    assertThat(verdicts.get(0)).isEqualTo(Verdict.fail("broken",
        "policy broken failed with an error: java.lang.IllegalStateException: metrics store unavailable",
        Map.of("error", "java.lang.IllegalStateException")));
    assertThat(verdicts.get(1).outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void combine_failBeatsPendingBeatsPass() {
    Verdict pass = Verdict.pass("a", "ok", Map.of());
    Verdict pending = Verdict.pending("b", "waiting", Map.of());
    Verdict fail = Verdict.fail("c", "no", Map.of());

    assertThat(Outcome.combine(List.of())).isEqualTo(Outcome.PASS);
    assertThat(Outcome.combine(List.of(pass, pending))).isEqualTo(Outcome.PENDING);
    assertThat(Outcome.combine(List.of(pending, fail, pass))).isEqualTo(Outcome.FAIL);
  }
}
