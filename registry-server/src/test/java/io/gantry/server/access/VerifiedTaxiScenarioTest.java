package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.Role;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The taxi team's champion promotion with verified identities: Erin (publisher) registers and requests, Vera (viewer)
 * tries to approve and is refused, Alice (approver by binding) and Bob (approver through his group) approve, and the
 * alias moves. The champion policy asks for two approvals from holders of the approver role.
 */
class VerifiedTaxiScenarioTest {

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer();

  @Test
  void aPublisherRequests_aViewersApprovalIsRefusedAndAudited_twoApproversMoveChampion() throws Exception {
    String model = TestRegistry.uniqueModel("nyc-taxi-duration");
    gantry.grant("user:erin", Role.ROLE_PUBLISHER, "nyc-taxi-*");
    gantry.grant("user:alice", Role.ROLE_APPROVER, "nyc-taxi-*", "champion");
    gantry.grant("group:risk", Role.ROLE_APPROVER, "*");
    gantry.grant("user:vera", Role.ROLE_VIEWER, "*");
    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).setPromotionPolicy(
        SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBinding.newBuilder().setModelPattern("nyc-taxi-*")
            .setAlias("champion").addPolicies(PolicySpec.newBuilder().setType("approvals").setParams(
                Structs.toStruct(Map.of("count", 2, "approvers", List.of("role:approver")))))).build());

    var erin = gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), "erin");
    erin.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    erin.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    Promotion requested = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "erin").requestPromotion(
        RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias("champion").setVersion(1).build());
    assertThat(requested.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    ApprovePromotionRequest approve = ApprovePromotionRequest.newBuilder().setName(requested.getName()).build();

    StatusRuntimeException vera = catchThrowableOfType(() -> gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel),
        "vera").approvePromotion(approve), StatusRuntimeException.class);
    assertThat(vera.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(vera.getStatus().getDescription()).isEqualTo("vera needs the approver role (or admin) on models/"
        + model + " (alias champion) to call gantry.v1.Promotions/ApprovePromotion");

    Promotion afterAlice = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "alice")
        .approvePromotion(approve);
    assertThat(afterAlice.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    Promotion afterBob = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "bob", "risk")
        .approvePromotion(approve);
    assertThat(afterBob.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), "vera").resolveAlias(
        ResolveAliasRequest.newBuilder().setName("models:/" + model + "@champion").build()).getVersion()).isEqualTo(1);

    var audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    List<AuditEvent> denied = await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20)).until(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder()
            .setActor("vera").setAction(AuditAction.AUDIT_ACTION_PERMISSION_DENIED).build()).getEventsList(),
            events -> !events.isEmpty());
    assertThat(denied).hasSize(1);
    assertThat(denied.get(0).getResource()).isEqualTo("models/" + model);
    assertThat(denied.get(0).getPayload().getFieldsOrThrow("alias").getStringValue()).isEqualTo("champion");
    assertThat(audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setResourcePrefix(requested.getName())
        .setAction(AuditAction.AUDIT_ACTION_PROMOTION_APPROVED).build()).getEventsList())
        .extracting(AuditEvent::getActor).containsExactly("alice", "bob");
  }
}
