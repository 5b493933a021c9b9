package io.gantry.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.policy.testplugin.SleepingPolicyFactory;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.gantry.v1.VerdictOutcome;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A policy past its time limit on a real server: its verdict is FAIL, and while it runs the alias it gates is
 * not locked, so another promotion of that alias goes through. The plug-in {@code sleeping} (the policy module's
 * test jar) sleeps as long as the candidate's {@code sleep_ms} tag says.
 */
class PolicyBudgetServerTest {

  private static final String MODEL = "slow-gate";
  private static final String LIMIT_MILLIS = "3000";

  private static Path dir;
  private static GantryServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    dir = TestRegistry.tempDir("gantry-policy-budget");
    server = TestRegistry.start(dir, Map.of("GANTRY_POLICY_TIME_LIMIT_MILLIS", LIMIT_MILLIS));
    channel = TestRegistry.connect(server);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
    TestRegistry.deleteRecursively(dir);
  }

  @Test
  void aPolicyPastItsTimeLimit_fails_andNeverHoldsTheAlias_soAnotherPromotionOfItGoesThrough() throws Exception {
    TestRegistry.registry(channel, "erin").createModel(CreateModelRequest.newBuilder().setModelId(MODEL).build());
    TestRegistry.promotions(channel, "admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder()
        .setBinding(PolicyBinding.newBuilder().setModelPattern(MODEL).setAlias("champion")
            .addPolicies(PolicySpec.newBuilder().setType("sleeping")))
        .build());
    ModelVersion v1 = version(Map.of());
    ModelVersion slow = version(Map.of("sleep_ms", "60000"));
    ModelVersion v3 = version(Map.of());
    assertThat(promote(v1).getState()).as("a quick evaluation passes").isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);

    CompletableFuture<Promotion> slowPromotion = CompletableFuture.supplyAsync(() -> promote(slow));
    await().atMost(Duration.ofSeconds(10)).until(() -> SleepingPolicyFactory.ASLEEP.get() > 0);

    assertThat(AliasLocks.lockableAtOnce(TestRegistry.dsl(server), MODEL, "champion")).as("no transaction holds the alias while a policy is evaluated").isTrue();
    Promotion quick = CompletableFuture.supplyAsync(() -> promote(v3)).get(20, TimeUnit.SECONDS);
    assertThat(quick.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(SleepingPolicyFactory.ASLEEP.get()).as("the slow policy was still running meanwhile").isPositive();

    Promotion refused = slowPromotion.get(30, TimeUnit.SECONDS);
    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(refused.getVerdicts(0).getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(refused.getVerdicts(0).getMessage())
        .isEqualTo("policy sleeping took longer than " + LIMIT_MILLIS + " ms (its time limit) and was stopped");
    assertThat(refused.getCurrentVersion()).as("evaluated again against the holder it met under the lock")
        .isEqualTo(v3.getVersion());
  }

  private static ModelVersion version(Map<String, String> tags) {
    return TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + MODEL).setModelVersion(ModelVersion.newBuilder()
            .setSource("s3://ml/slow-gate/" + tags.size()).putAllTags(tags)).build());
  }

  private static Promotion promote(ModelVersion version) {
    return TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + MODEL).setAlias("champion").setVersion(version.getVersion()).build());
  }
}
