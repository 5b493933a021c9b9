package io.gantry.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.db.Tables;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server configured with a policy file and a short time to live, as an operator would run it. */
class PromotionServerConfigTest {

  @Test
  void thePolicyFileIsAppliedAtStart_audited_andPendingPromotionsExpireByThemselves() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-policy-file");
    Map<String, String> env = Map.of(
        "GANTRY_POLICY_FILE", TaxiTeam.CHAMPION_POLICY.toString(),
        "GANTRY_PROMOTION_TTL_SECONDS", "1");
    try (GantryServer server = TestRegistry.start(dir, env)) {
      ManagedChannel channel = TestRegistry.connect(server);
      try {
        var effective = TestRegistry.promotions(channel, "auditor").getPromotionPolicy(GetPromotionPolicyRequest
            .newBuilder().setAlias("models/nyc-taxi-duration/aliases/champion").build());
        assertThat(effective.getBindingsList()).extracting(PolicyBinding::getModelPattern)
            .containsExactly("nyc-taxi-*");
        assertThat(effective.getBindings(0).getPoliciesCount()).isEqualTo(8);
        assertThat(effective.getBindings(0).getUpdatedBy()).isEqualTo("system:policy-file");
        assertThat(TestRegistry.dsl(server).fetchCount(Tables.AUDIT_EVENT,
            Tables.AUDIT_EVENT.ACTION.eq("POLICY_CHANGED").and(Tables.AUDIT_EVENT.ACTOR.eq("system:policy-file"))))
            .as("one event per binding of the file").isEqualTo(3);

        TestRegistry.registry(channel, "erin").createModel(
            CreateModelRequest.newBuilder().setModelId("nyc-taxi-duration").build());
        ModelVersion v1 = TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest
            .newBuilder().setParent("models/nyc-taxi-duration").setModelVersion(ModelVersion.newBuilder()
                .setSource("s3://ml/nyc-taxi/1")).build());
        Promotion staged = TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest
            .newBuilder().setModel("models/nyc-taxi-duration").setAlias("staging").setVersion(1).build());
        assertThat(staged.getState()).as("staging is open").isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
        Promotion gated = TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest
            .newBuilder().setModel("models/nyc-taxi-duration").setAlias("champion").setVersion(v1.getVersion())
            .build());
        assertThat(gated.getState()).as("no signature, no metrics: refused")
            .isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);

        // a promotion that waits for an approval nobody gives
        Promotion waiting = awaitingApproval(channel);
        Promotion seen = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
            .until(() -> TestRegistry.promotions(channel, "auditor").getPromotion(
                GetPromotionRequest.newBuilder().setName(waiting.getName()).build()),
                promotion -> promotion.getState() != PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
        assertThat(seen.getState()).as("expired by the server, untouched by anyone")
            .isEqualTo(PromotionState.PROMOTION_STATE_EXPIRED);
        assertThat(TestRegistry.dsl(server).fetchCount(Tables.AUDIT_EVENT,
            Tables.AUDIT_EVENT.ACTION.eq("PROMOTION_EXPIRED").and(Tables.AUDIT_EVENT.RESOURCE.eq(waiting.getName()))))
            .isEqualTo(1);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void aPolicyFileThatCannotBeUsed_stopsTheStart_withOneLineNamingTheProblem() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-bad-policy-file");
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, """
        bindings:
          - models: "fraud-*"
            alias: champion
            policies:
              - type: metric-threshold
                params: {metric: auc, dataset: test, op: ">=", value: "0.9"}
        """);
    try {
      var refused = catchThrowableOfType(() -> TestRegistry.start(dir, Map.of("GANTRY_POLICY_FILE", file.toString())),
          ConfigException.class);
      assertThat(refused.getMessage()).contains("GANTRY_POLICY_FILE").contains("value").doesNotContain("\n");
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static Promotion awaitingApproval(ManagedChannel channel) {
    TestRegistry.promotions(channel, "admin").setPromotionPolicy(io.gantry.v1.SetPromotionPolicyRequest.newBuilder()
        .setBinding(PolicyBinding.newBuilder().setModelPattern("churn").setAlias("production")
            .addPolicies(io.gantry.v1.PolicySpec.newBuilder().setType("approvals").setParams(
                io.gantry.proto.Structs.toStruct(Map.of("count", 1)))))
        .build());
    TestRegistry.registry(channel, "erin").createModel(CreateModelRequest.newBuilder().setModelId("churn").build());
    TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/churn").setModelVersion(ModelVersion.newBuilder().setSource("s3://ml/churn/1")).build());
    return TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/churn").setAlias("production").setVersion(1).build());
  }
}
