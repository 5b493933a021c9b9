package io.gantry.server.promotion;

import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.promotions;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.rowCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AliasMove;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyVerdict;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestRollbackRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.VerdictOutcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The NYC taxi team's story, in order, under the shipped champion policy (docs/examples/champion-policy.yaml):
 * staging is open, champion takes eight gates and two approvals. Each step builds on the one before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromotionScenarioTest {

  private TaxiTeam team;
  private ModelVersion v1;
  private Instant beforeChampion;
  private Instant v1Champion;

  @BeforeAll
  void registerV1() {
    team = new TaxiTeam().withChampionPolicy();
    v1 = team.register(5.567);
  }

  @Test
  @Order(1)
  void v1_goesToStaging_thenToChampion_afterTwoDistinctApprovals_andTheRequesterCannotApprove() {
    Promotion staged = team.promote(TaxiTeam.REQUESTER, v1, "staging");
    assertThat(staged.getState()).as("staging has no gates").isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    beforeChampion = Instant.now();

    Promotion requested = team.promote(TaxiTeam.REQUESTER, v1, "champion");
    assertThat(requested.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    assertThat(requested.getVerdictsList()).extracting(PolicyVerdict::getPolicy).containsExactly(
        "signature-required", "signature-compatible", "metric-threshold", "beats-current", "required-tags",
        "dependencies-pinned", "prior-alias", "approvals");
    assertThat(requested.getVerdictsList()).filteredOn(v -> !v.getPolicy().equals("approvals"))
        .allSatisfy(v -> assertThat(v.getOutcome()).as(v.getMessage()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_PASS));
    assertThat(verdict(requested, "approvals").getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_PENDING);

    var selfApproval = catchThrowableOfType(() -> approve(TaxiTeam.REQUESTER, requested),
        StatusRuntimeException.class);
    assertThat(selfApproval.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(errorInfo(selfApproval).getReason()).isEqualTo("NOT_ALLOWED");
    assertThat(selfApproval.getStatus().getDescription()).contains("requester");
    assertThat(TestRegistry.dsl().fetchCount(io.gantry.db.Tables.AUDIT_EVENT,
        io.gantry.db.Tables.AUDIT_EVENT.ACTION.eq("PERMISSION_DENIED")
            .and(io.gantry.db.Tables.AUDIT_EVENT.RESOURCE.eq(requested.getName()))))
        .as("the refusal is in the audit log").isEqualTo(1);

    Promotion oneApproval = approve("alice", requested);
    assertThat(oneApproval.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    assertThat(verdict(oneApproval, "approvals").getMessage()).contains("1").contains("2");
    assertThat(approve("alice", requested).getDecisionsCount()).as("approving twice counts once").isEqualTo(1);

    Promotion applied = approve("bob", requested);
    assertThat(applied.getState()).as(applied.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(applied.getDecisionsList()).allSatisfy(d -> assertThat(d.getCounts()).isTrue());
    assertThat(resolve("champion").getVersion()).isEqualTo(1);
    v1Champion = Instant.now();
  }

  @Test
  @Order(2)
  void v2_withATestRmseOverTheThreshold_isRefused_namingMetricThresholdAndValue() {
    ModelVersion v2 = team.register(5.9);
    Promotion refused = team.promote(TaxiTeam.REQUESTER, v2, "champion");

    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(verdict(refused, "metric-threshold").getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(verdict(refused, "metric-threshold").getMessage()).contains("rmse").contains("5.6").contains("5.9");
    assertThat(refused.getStateReason()).contains("refused by");
    assertThat(TestRegistry.dsl().fetchCount(io.gantry.db.Tables.AUDIT_EVENT,
        io.gantry.db.Tables.AUDIT_EVENT.ACTION.eq("PROMOTION_REFUSED")
            .and(io.gantry.db.Tables.AUDIT_EVENT.RESOURCE.eq(refused.getName()))))
        .as("the refusal is in the audit log").isEqualTo(1);
    assertThat(resolve("champion").getVersion()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void v3_whoseSignatureDropsAColumnTheChampionTakes_isRefused_namingTheColumn() {
    ModelVersion v3 = team.register(5.4, List.of("trip_distance:double", "pickup_zone:string"), TaxiTeam.PINNED,
        Map.of("git_commit", "a1b2c3d", "data_version", "2024-06"));
    Promotion refused = team.promote(TaxiTeam.REQUESTER, v3, "champion");

    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(verdict(refused, "signature-compatible").getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(verdict(refused, "signature-compatible").getMessage()).contains("passenger_count");
  }

  @Test
  @Order(4)
  void v4_withAnUnpinnedRequirement_isRefusedByDependenciesPinned_namingTheLine() {
    ModelVersion v4 = team.register(5.4, TaxiTeam.COLUMNS, "mlflow==2.16.2\nscikit-learn>=1.0\n",
        Map.of("git_commit", "a1b2c3d", "data_version", "2024-06"));
    Promotion refused = team.promote(TaxiTeam.REQUESTER, v4, "champion");

    assertThat(verdict(refused, "dependencies-pinned").getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(verdict(refused, "dependencies-pinned").getMessage()).contains("scikit-learn>=1.0")
        .contains("requirements.txt:2");
  }

  @Test
  @Order(5)
  void aDryRun_returnsTheVerdicts_andWritesNothing() {
    ModelVersion v5 = team.register(5.5);
    Map<String, Integer> before = rowCounts();

    Promotion dryRun = promotions(TaxiTeam.REQUESTER).requestPromotion(
        team.request(v5, "champion").setDryRun(true).build());

    assertThat(dryRun.getDryRun()).isTrue();
    assertThat(dryRun.getName()).isEmpty();
    assertThat(dryRun.getVerdictsList()).hasSize(8);
    assertThat(verdict(dryRun, "prior-alias").getOutcome()).as("v5 never held staging")
        .isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(rowCounts()).as("no promotion, no alias row, no audit event").isEqualTo(before);
  }

  @Test
  @Order(6)
  void twoPromotionsToChampionRacing_exactlyOneApplies_theOtherIsSuperseded() throws Exception {
    ModelVersion v6 = team.register(5.4);
    ModelVersion v7 = team.register(5.3);
    List<Promotion> racing = new ArrayList<>();
    for (ModelVersion version : List.of(v6, v7)) {
      team.promote(TaxiTeam.REQUESTER, version, "staging");
      Promotion pending = team.promote(TaxiTeam.REQUESTER, version, "champion");
      assertThat(pending.getState()).as(pending.getStateReason())
          .isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
      approve("alice", pending);
      racing.add(pending);
    }

    CyclicBarrier start = new CyclicBarrier(2);
    List<CompletableFuture<Object>> finals = racing.stream().map(p -> CompletableFuture.supplyAsync(() -> {
      try {
        start.await();
        return (Object) approve("dana", p);
      } catch (StatusRuntimeException e) {
        return e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).toList();
    List<Object> outcomes = new ArrayList<>();
    for (var future : finals) {
      outcomes.add(future.get());
    }

    List<Promotion> after = racing.stream().map(p -> promotions("auditor").getPromotion(
        GetPromotionRequest.newBuilder().setName(p.getName()).build())).toList();
    assertThat(after).extracting(Promotion::getState).containsExactlyInAnyOrder(
        PromotionState.PROMOTION_STATE_APPLIED, PromotionState.PROMOTION_STATE_SUPERSEDED);
    Promotion winner = after.stream().filter(p -> p.getState() == PromotionState.PROMOTION_STATE_APPLIED)
        .findFirst().orElseThrow();
    assertThat(resolve("champion").getVersion()).isEqualTo(winner.getVersion());
    assertThat(outcomes).filteredOn(StatusRuntimeException.class::isInstance)
        .as("the loser's approval finds it superseded")
        .allSatisfy(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.FAILED_PRECONDITION));
    List<AliasMove> moves = history();
    assertThat(moves).filteredOn(m -> m.getAlias().endsWith("/champion")).extracting(AliasMove::getToVersion)
        .as("the alias never pointed at the loser").containsExactly(winner.getVersion(), 1L);
  }

  @Test
  @Order(7)
  void asOf_answersWhatTheAliasPointedAt_beforeAndAfterEachMove() {
    List<AliasMove> champion = history().stream().filter(m -> m.getAlias().endsWith("/champion")).toList();
    AliasMove first = champion.get(champion.size() - 1);

    var never = catchThrowableOfType(() -> resolveAsOf("champion", beforeChampion), StatusRuntimeException.class);
    assertThat(never.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(resolveAsOf("champion", v1Champion).getVersion()).isEqualTo(1);
    Instant firstMove = Instant.ofEpochSecond(first.getMoveTime().getSeconds(), first.getMoveTime().getNanos());
    assertThat(resolveAsOf("champion", firstMove).getVersion()).as("at the instant of the move").isEqualTo(1);
    assertThat(catchThrowableOfType(() -> resolveAsOf("champion", firstMove.minusNanos(1000)),
        StatusRuntimeException.class).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(resolveAsOf("champion", Instant.now()).getVersion()).isEqualTo(champion.get(0).getToVersion());
  }

  @Test
  @Order(8)
  void rollback_restoresThePreviousChampion_throughTheRollbackGates() {
    long current = resolve("champion").getVersion();
    Promotion rollback = promotions(TaxiTeam.REQUESTER).requestRollback(RequestRollbackRequest.newBuilder()
        .setAlias(team.alias("champion")).setJustification("latency regression in production").build());

    assertThat(rollback.getVersion()).isEqualTo(1);
    assertThat(rollback.getExpectedCurrentVersion()).isEqualTo(current);
    assertThat(rollback.getVerdictsList()).extracting(PolicyVerdict::getPolicy)
        .as("the rollback binding, not the promote one").containsExactly("signature-required", "approvals");
    assertThat(rollback.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);

    Promotion applied = approve("bob", rollback);
    assertThat(applied.getState()).as(applied.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(resolve("champion").getVersion()).isEqualTo(1);
    assertThat(registry("auditor").listAliases(ListAliasesRequest.newBuilder()
        .setParent("models/" + team.model).build()).getAliasesList())
        .anySatisfy(a -> {
          assertThat(a.getName()).isEqualTo(team.alias("champion"));
          assertThat(a.getVersion()).isEqualTo(1);
          assertThat(a.getPromotion()).isEqualTo(rollback.getName());
        });
  }

  @Test
  @Order(9)
  void anExpiredRequest_canNoLongerBeApproved() {
    ModelVersion v8 = team.register(5.2);
    team.promote(TaxiTeam.REQUESTER, v8, "staging");
    Promotion pending = team.promote(TaxiTeam.REQUESTER, v8, "champion");
    assertThat(Timestamps.toMillis(pending.getExpireTime()) - Timestamps.toMillis(pending.getCreateTime()))
        .as("the default time to live is seven days").isEqualTo(7L * 24 * 3600 * 1000);
    // the clock cannot be moved on a running server: the time to live runs out in the database instead
    TestRegistry.dsl().update(io.gantry.db.Tables.PROMOTION)
        .set(io.gantry.db.Tables.PROMOTION.EXPIRE_TIME, java.time.OffsetDateTime.now().minusSeconds(1))
        .where(io.gantry.db.Tables.PROMOTION.ID.eq(java.util.UUID.fromString(
            pending.getName().substring("promotions/".length()))))
        .execute();

    var late = catchThrowableOfType(() -> approve("alice", pending), StatusRuntimeException.class);

    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(late).getReason()).isEqualTo("PROMOTION_NOT_PENDING");
    assertThat(late.getStatus().getDescription()).contains("EXPIRED");
    assertThat(promotions("auditor").getPromotion(GetPromotionRequest.newBuilder().setName(pending.getName()).build())
        .getState()).isEqualTo(PromotionState.PROMOTION_STATE_EXPIRED);
    assertThat(resolve("champion").getVersion()).isEqualTo(1);
  }

  private Promotion approve(String user, Promotion promotion) {
    return promotions(user).approvePromotion(ApprovePromotionRequest.newBuilder().setName(promotion.getName())
        .setComment("checked the June backtest").build());
  }

  private ModelVersion resolve(String alias) {
    return registry("deploy-bot").resolveAlias(ResolveAliasRequest.newBuilder().setName(team.alias(alias)).build());
  }

  private ModelVersion resolveAsOf(String alias, Instant instant) {
    return registry("deploy-bot").resolveAlias(ResolveAliasRequest.newBuilder().setName(team.alias(alias))
        .setAsOf(Timestamps.fromNanos(instant.getEpochSecond() * 1_000_000_000L + instant.getNano())).build());
  }

  private List<AliasMove> history() {
    return registry("auditor").listAliasHistory(ListAliasHistoryRequest.newBuilder()
        .setParent("models/" + team.model).build()).getMovesList();
  }

  private static PolicyVerdict verdict(Promotion promotion, String policy) {
    return promotion.getVerdictsList().stream().filter(v -> v.getPolicy().equals(policy)).findFirst().orElseThrow();
  }
}
