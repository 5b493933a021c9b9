package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.Role;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an approver was when approving is kept as a list, not joined text: a group whose name holds a comma is one
 * group, and cannot read back as membership in another.
 */
class ApproverMembershipsTest {

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer();

  @Test
  void aGroupNamedWithACommaAndAnotherGroup_doesNotCountAsThatGroup() {
    String model = TestRegistry.uniqueModel("risk-gated");
    gantry.grant("user:erin", Role.ROLE_PUBLISHER, model);
    gantry.grant("user:mallory", Role.ROLE_APPROVER, model);
    gantry.grant("group:risk", Role.ROLE_APPROVER, model);
    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).setPromotionPolicy(
        SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBinding.newBuilder().setModelPattern(model)
            .setAlias("champion").addPolicies(PolicySpec.newBuilder().setType("approvals").setParams(
                Structs.toStruct(Map.of("count", 2, "approvers", List.of("group:risk")))))).build());
    var erin = gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), "erin");
    erin.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    erin.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    Promotion requested = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "erin").requestPromotion(
        RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias("champion").setVersion(1).build());
    ApprovePromotionRequest approve = ApprovePromotionRequest.newBuilder().setName(requested.getName()).build();

    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "mallory", "x,group:risk").approvePromotion(approve);
    Promotion afterAlice = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "alice", "risk")
        .approvePromotion(approve);
    assertThat(afterAlice.getState()).as("mallory's approval, read back, is not one of group:risk")
        .isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
    assertThat(afterAlice.getVerdictsList()).anySatisfy(verdict ->
        assertThat(verdict.getMessage()).contains("mallory (not an allowed approver)"));

    Promotion afterBob = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "bob", "risk")
        .approvePromotion(approve);
    assertThat(afterBob.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
  }
}
