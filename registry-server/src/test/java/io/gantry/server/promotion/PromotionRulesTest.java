package io.gantry.server.promotion;

import static io.gantry.db.Tables.AUDIT_EVENT;
import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.promotions;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.rowCounts;
import static io.gantry.server.TestRegistry.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import io.gantry.policy.PolicyFile.PolicySpec;
import io.gantry.policy.PolicyFile;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CancelPromotionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RejectPromotionRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.gantry.v1.VerdictOutcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules around the scenario: bindings, approvals that stop counting, removal, archiving, bad requests. */
class PromotionRulesTest {

  private static final Map<String, Object> TWO_APPROVALS =
      Map.of("count", 2, "approvers", List.of("alice", "bob", "dana"));

  @Test
  void aBindingThatCannotWork_isRefusedWhenSet_namingTheField_andNothingIsStored() {
    String model = TestRegistry.uniqueModel("refused-binding");
    Map<String, Integer> before = rowCounts();

    assertRefused(binding(model, "champion", new PolicySpec("metric-treshold", Map.of())),
        "binding.policies[0].type", "unknown policy type");
    assertRefused(binding(model, "champion", new PolicySpec("metric-threshold",
        Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", "5.6"))),
        "binding.policies[0].params.value", "number");
    assertRefused(binding(model, "champion", new PolicySpec("cel",
        Map.of("expression", "candidate.metrics.test.rmse <"))), "binding.policies[0].params.expression", "");
    assertRefused(binding(model, "champion", new PolicySpec("approvals", Map.of("count", 2, "approverz", List.of()))),
        "binding.policies[0].params.approverz", "unknown parameter");
    String eighty = "[" + "0,".repeat(79) + "0]";
    String fortyOneMillionSteps = eighty + ".all(a, " + eighty + ".all(b, " + eighty + ".all(c, " + eighty
        + ".all(d, a + b + c + d >= 0))))";
    assertRefused(binding(model, "champion", new PolicySpec("cel", Map.of("expression", fortyOneMillionSteps))),
        "binding.policies[0].params.expression",
        "can take up to 41,478,480 comprehension iterations over its literal lists; the limit is 25,000");
    assertRefused(binding(model, "champion", new PolicySpec("required-tags",
        Map.of("keys", List.of("owner"), "patterns", Map.of("owner", "(?=a)\\w+")))),
        "binding.policies[0].params.patterns", "invalid RE2 pattern for 'owner'");
    assertRefused(binding(model, "latest", new PolicySpec("signature-required", Map.of())), "binding.alias",
        "latest");
    assertRefused(binding("fraud/*", "champion", new PolicySpec("signature-required", Map.of())),
        "binding.model_pattern", "glob");

    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void bindingChanges_areAudited_andTheEffectiveSetTakesTheMostSpecificPatternFirst() {
    String model = TestRegistry.uniqueModel("fraud-scorer");
    String family = model.substring(0, model.lastIndexOf('-')) + "-*";
    TaxiTeam.bind(binding(family, "champion", new PolicySpec("signature-required", Map.of())));
    PolicyBinding exact = TaxiTeam.bind(binding(model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    int events = policyEvents(model);

    TaxiTeam.bind(binding(model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    assertThat(policyEvents(model)).as("setting the same binding again changes nothing").isEqualTo(events);

    var effective = promotions("auditor").getPromotionPolicy(GetPromotionPolicyRequest.newBuilder()
        .setAlias("models/" + model + "/aliases/champion").build());
    assertThat(effective.getBindingsList()).extracting(PolicyBinding::getModelPattern).containsExactly(model, family);
    assertThat(effective.getBindingsList().get(0).getDigest()).isEqualTo(exact.getDigest());

    TaxiTeam.bind(binding(model, "champion"));
    assertThat(policyEvents(model)).as("removing it is a change").isEqualTo(events + 1);
    var after = promotions("auditor").getPromotionPolicy(GetPromotionPolicyRequest.newBuilder()
        .setAlias("models/" + model + "/aliases/champion").build());
    assertThat(after.getBindingsList()).extracting(PolicyBinding::getModelPattern).containsExactly(family);
    assertThat(after.getPolicySetDigest()).isNotEqualTo(effective.getPolicySetDigest());
  }

  @Test
  void anApproval_stopsCounting_whenThePolicySetChangesAfterItWasGiven() {
    TaxiTeam team = new TaxiTeam();
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    ModelVersion v1 = team.register(5.5);
    Promotion pending = team.promote(TaxiTeam.REQUESTER, v1, "champion");
    approve("alice", pending);

    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("signature-required", Map.of()),
        new PolicySpec("approvals", TWO_APPROVALS)));
    Promotion afterBob = approve("bob", pending);

    assertThat(afterBob.getState()).as("alice approved another policy set")
        .isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    assertThat(afterBob.getDecisionsList()).filteredOn(d -> d.getPrincipal().equals("alice"))
        .singleElement().satisfies(d -> assertThat(d.getCounts()).isFalse());
    assertThat(approve("alice", pending).getState()).as("approving anew counts")
        .isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
  }

  @Test
  void anApproval_stopsCounting_whenTheVersionsTagsChangeAfterItWasGiven() {
    TaxiTeam team = new TaxiTeam();
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    ModelVersion v1 = team.register(5.5);
    Promotion pending = team.promote(TaxiTeam.REQUESTER, v1, "champion");
    approve("alice", pending);
    registry(TaxiTeam.PUBLISHER).setVersionTag(io.gantry.v1.SetVersionTagRequest.newBuilder()
        .setName(v1.getName()).setKey("data_version").setValue("2024-07").build());

    Promotion afterBob = approve("bob", pending);

    assertThat(afterBob.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    assertThat(afterBob.getContentDigest()).isNotEqualTo(pending.getContentDigest());
  }

  @Test
  void onlyTheRequesterCancels_anApproverRejects_andADecidedPromotionCannotBeDecidedAgain() {
    TaxiTeam team = new TaxiTeam();
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    ModelVersion v1 = team.register(5.5);
    Promotion first = team.promote(TaxiTeam.REQUESTER, v1, "champion");

    var notYours = catchThrowableOfType(() -> promotions("mallory").cancelPromotion(
        CancelPromotionRequest.newBuilder().setName(first.getName()).build()), StatusRuntimeException.class);
    assertThat(notYours.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(TestRegistry.dsl().fetchCount(AUDIT_EVENT, AUDIT_EVENT.ACTION.eq("PERMISSION_DENIED")
        .and(AUDIT_EVENT.RESOURCE.eq(first.getName())).and(AUDIT_EVENT.ACTOR.eq("mallory")))).isEqualTo(1);

    Promotion cancelled = promotions(TaxiTeam.REQUESTER).cancelPromotion(
        CancelPromotionRequest.newBuilder().setName(first.getName()).build());
    assertThat(cancelled.getState()).isEqualTo(PromotionState.PROMOTION_STATE_CANCELLED);
    var late = catchThrowableOfType(() -> approve("alice", first), StatusRuntimeException.class);
    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(late).getReason()).isEqualTo("PROMOTION_NOT_PENDING");

    Promotion second = team.promote(TaxiTeam.REQUESTER, v1, "champion");
    Promotion rejected = promotions("dana").rejectPromotion(RejectPromotionRequest.newBuilder()
        .setName(second.getName()).setComment("wait for the July backtest").build());
    assertThat(rejected.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(rejected.getStateReason()).contains("dana").contains("July backtest");

    var listed = promotions("auditor").listPromotions(ListPromotionsRequest.newBuilder()
        .setFilter("model = \"" + team.model + "\" AND state = REJECTED").build());
    assertThat(listed.getPromotionsList()).extracting(Promotion::getName).containsExactly(second.getName());
  }

  @Test
  void expectedCurrentVersion_thatDoesNotHold_isRefused_andWritesNothing() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    ModelVersion v2 = team.register(5.4);
    team.promote(TaxiTeam.REQUESTER, v1, "production");
    Map<String, Integer> before = rowCounts();

    var stale = catchThrowableOfType(() -> promotions(TaxiTeam.REQUESTER).requestPromotion(
        team.request(v2, "production").setExpectedCurrentVersion(2).build()), StatusRuntimeException.class);

    assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(stale).getReason()).isEqualTo("CURRENT_VERSION_MISMATCH");
    assertThat(stale.getStatus().getDescription()).contains("version 1");
    assertThat(rowCounts()).isEqualTo(before);
    assertThat(promotions(TaxiTeam.REQUESTER).requestPromotion(
        team.request(v2, "production").setExpectedCurrentVersion(1).build()).getState())
        .isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
  }

  @Test
  void archivePrevious_archivesTheVersionThatLostTheAlias_unlessItHoldsAnother() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    ModelVersion v2 = team.register(5.4);
    ModelVersion v3 = team.register(5.3);
    team.promote(TaxiTeam.REQUESTER, v1, "production");
    team.promote(TaxiTeam.REQUESTER, v2, "shadow");
    team.promote(TaxiTeam.REQUESTER, v2, "canary");

    promotions(TaxiTeam.REQUESTER).requestPromotion(team.request(v2, "production").setArchivePrevious(true).build());
    promotions(TaxiTeam.REQUESTER).requestPromotion(team.request(v3, "canary").setArchivePrevious(true).build());

    assertThat(status(v1)).as("lost production, held nothing else").isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
    assertThat(status(v2)).as("still holds production and shadow").isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
  }

  @Test
  void anArchivedVersion_cannotBePromoted() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    registry(TaxiTeam.PUBLISHER).archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
        .setName(v1.getName()).build());

    Promotion refused = team.promote(TaxiTeam.REQUESTER, v1, "staging");

    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(refused.getVerdicts(0).getPolicy()).isEqualTo("version-ready");
    assertThat(refused.getVerdicts(0).getMessage()).contains("ARCHIVED");
  }

  @Test
  void latest_isTheHighestReadyVersion_andKeepsNoHistory() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    ModelVersion v2 = team.register(5.4);
    registry(TaxiTeam.PUBLISHER).archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
        .setName(v2.getName()).build());

    assertThat(resolve("models:/" + team.model + "@latest").getVersion()).isEqualTo(v1.getVersion());
    var asOf = catchThrowableOfType(() -> registry().resolveAlias(ResolveAliasRequest.newBuilder()
        .setName(team.alias("latest")).setAsOf(Timestamps.fromMillis(System.currentTimeMillis())).build()),
        StatusRuntimeException.class);
    assertThat(violations(asOf)).extracting(v -> v.getField()).containsExactly("as_of");
    var moveLatest = catchThrowableOfType(() -> team.promote(TaxiTeam.REQUESTER, v1, "latest"),
        StatusRuntimeException.class);
    assertThat(violations(moveLatest)).extracting(v -> v.getField()).containsExactly("alias");
  }

  @Test
  void removingAnAlias_isAPromotion_andAGatedAliasNeedsARemoveBinding() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    team.promote(TaxiTeam.REQUESTER, v1, "staging");
    team.promote(TaxiTeam.REQUESTER, v1, "champion");
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));

    var ungated = catchThrowableOfType(() -> promotions(TaxiTeam.REQUESTER).requestPromotion(removal(team, "champion")),
        StatusRuntimeException.class);
    assertThat(ungated.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(ungated).getReason()).isEqualTo("REMOVAL_NOT_GATED");

    Promotion removed = promotions(TaxiTeam.REQUESTER).requestPromotion(removal(team, "staging"));
    assertThat(removed.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    var gone = catchThrowableOfType(() -> resolve(team.alias("staging")), StatusRuntimeException.class);
    assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(gone).getReason()).isEqualTo("ALIAS_NOT_FOUND");
    assertThat(registry().listAliasHistory(ListAliasHistoryRequest.newBuilder().setParent(team.alias("staging"))
        .build()).getMovesList()).extracting(m -> m.getFromVersion() + "->" + m.getToVersion())
        .containsExactly("1->0", "0->1");
  }

  @Test
  void aCelExpressionThatErrorsAtRunTime_isAFailingVerdict_notACrash() {
    TaxiTeam team = new TaxiTeam();
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("cel",
        Map.of("expression", "candidate.metrics.holdout.rmse < 5.6", "message", "holdout rmse must be under 5.6"))));
    ModelVersion v1 = team.register(5.5);

    Promotion refused = team.promote(TaxiTeam.REQUESTER, v1, "champion");

    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(refused.getVerdicts(0).getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_FAIL);
    assertThat(refused.getVerdicts(0).getMessage()).contains("holdout");
  }

  @Test
  void aPolicyFromAPluginJarOnTheClassPath_gatesARealPromotion() {
    TaxiTeam team = new TaxiTeam();
    // frozen-alias lives in the policy module's test jar, registered by its own META-INF/services
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("frozen-alias", Map.of("aliases", List.of("champion")))));
    ModelVersion v1 = team.register(5.5);

    Promotion refused = team.promote(TaxiTeam.REQUESTER, v1, "champion");

    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(refused.getVerdicts(0).getPolicy()).isEqualTo("frozen-alias");
    assertThat(refused.getVerdicts(0).getMessage()).isEqualTo("champion is frozen");
  }

  @Test
  void aRetriedRequestWithTheSameRequestId_returnsTheFirstPromotion() {
    TaxiTeam team = new TaxiTeam();
    TaxiTeam.bind(binding(team.model, "champion", new PolicySpec("approvals", TWO_APPROVALS)));
    ModelVersion v1 = team.register(5.5);
    RequestPromotionRequest request = team.request(v1, "champion").setRequestId("req-" + team.model).build();

    Promotion first = promotions(TaxiTeam.REQUESTER).requestPromotion(request);
    Map<String, Integer> before = rowCounts();
    Promotion retry = promotions(TaxiTeam.REQUESTER).requestPromotion(request);

    assertThat(retry.getName()).isEqualTo(first.getName());
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void aRetryOfAnAppliedRequest_returnsItsPromotion_thoughTheAliasNowHoldsAnotherVersionThanItExpected() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    RequestPromotionRequest request = team.request(v1, "champion").setExpectedCurrentVersion(0)
        .setRequestId("req-applied-" + team.model).build();

    Promotion first = promotions(TaxiTeam.REQUESTER).requestPromotion(request);
    Promotion retry = promotions(TaxiTeam.REQUESTER).requestPromotion(request);

    assertThat(first.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(retry.getName()).isEqualTo(first.getName());
  }

  @Test
  void badRequests_areRefusedNamingTheField_orTheMissingResource_andWriteNothing() {
    TaxiTeam team = new TaxiTeam();
    ModelVersion v1 = team.register(5.5);
    Map<String, Integer> before = rowCounts();

    assertThat(violations(refused(team.request(v1, "Champion")))).extracting(v -> v.getField())
        .containsExactly("alias");
    assertThat(violations(refused(team.request(v1, "champion").setVersion(0)))).extracting(v -> v.getField())
        .containsExactly("version");
    assertThat(violations(refused(team.request(v1, "champion").setRemoveAlias(true)))).extracting(v -> v.getField())
        .containsExactly("version");
    assertThat(violations(refused(team.request(v1, "champion").setJustification("x".repeat(5000)))))
        .extracting(v -> v.getField()).containsExactly("justification");
    assertThat(errorInfo(refused(team.request(v1, "champion").setVersion(99))).getReason())
        .isEqualTo("VERSION_NOT_FOUND");
    assertThat(errorInfo(refused(team.request(v1, "champion").setModel("models/no-such-model"))).getReason())
        .isEqualTo("MODEL_NOT_FOUND");
    assertThat(violations(catchThrowableOfType(() -> promotions("alice").approvePromotion(
        ApprovePromotionRequest.newBuilder().setName("promotions/42").build()), StatusRuntimeException.class)))
        .extracting(v -> v.getField()).containsExactly("name");
    assertThat(rowCounts()).isEqualTo(before);
  }

  private static StatusRuntimeException refused(RequestPromotionRequest.Builder request) {
    return catchThrowableOfType(() -> promotions(TaxiTeam.REQUESTER).requestPromotion(request.build()),
        StatusRuntimeException.class);
  }

  private static RequestPromotionRequest removal(TaxiTeam team, String alias) {
    return RequestPromotionRequest.newBuilder().setModel("models/" + team.model).setAlias(alias)
        .setRemoveAlias(true).setJustification("retired").build();
  }

  private static PolicyFile.Binding binding(String pattern, String alias, PolicySpec... policies) {
    return new PolicyFile.Binding(pattern, alias, "promote", List.of(policies));
  }

  private static void assertRefused(PolicyFile.Binding binding, String field, String message) {
    var refused = catchThrowableOfType(() -> TaxiTeam.bind(binding), StatusRuntimeException.class);
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(refused)).singleElement().satisfies(v -> {
      assertThat(v.getField()).isEqualTo(field);
      assertThat(v.getDescription()).contains(message);
    });
  }

  private static int policyEvents(String pattern) {
    return TestRegistry.dsl().fetchCount(AUDIT_EVENT, AUDIT_EVENT.ACTION.eq("POLICY_CHANGED")
        .and(AUDIT_EVENT.RESOURCE.eq("policy-bindings/promote/champion/" + pattern)));
  }

  private static Promotion approve(String user, Promotion promotion) {
    return promotions(user).approvePromotion(ApprovePromotionRequest.newBuilder().setName(promotion.getName()).build());
  }

  private static ModelVersion resolve(String name) {
    return registry("deploy-bot").resolveAlias(ResolveAliasRequest.newBuilder().setName(name).build());
  }

  private static ModelVersionStatus status(ModelVersion version) {
    return registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(version.getName()).build())
        .getStatus();
  }
}
