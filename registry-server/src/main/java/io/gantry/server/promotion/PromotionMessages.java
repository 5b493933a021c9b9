package io.gantry.server.promotion;

import io.gantry.policy.PolicyFile;
import io.gantry.policy.Verdict;
import io.gantry.proto.Structs;
import io.gantry.server.api.Rpc;
import io.gantry.server.common.Names;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.PolicyVerdict;
import io.gantry.v1.PromotionDecision;
import io.gantry.v1.PromotionKind;
import io.gantry.v1.PromotionState;
import io.gantry.v1.VerdictOutcome;

/** Promotions and policy bindings as gantry.v1 messages. */
public final class PromotionMessages {

  private PromotionMessages() {}

  public static io.gantry.v1.Promotion toProto(Promotion promotion) {
    io.gantry.v1.Promotion.Builder proto = io.gantry.v1.Promotion.newBuilder()
        .setName(promotion.name())
        .setModel(Names.modelName(promotion.modelId()))
        .setAlias(promotion.alias())
        .setVersion(promotion.version().orElse(0))
        .setKind(PromotionKind.valueOf("PROMOTION_KIND_" + promotion.kind().name()))
        .setState(PromotionState.valueOf("PROMOTION_STATE_" + promotion.state().name()))
        .setStateReason(promotion.stateReason())
        .setRequester(promotion.requester())
        .setJustification(promotion.justification())
        .setArchivePrevious(promotion.archivePrevious())
        .setCurrentVersion(promotion.currentVersion().orElse(0))
        .setAliasRevision(promotion.aliasRevision())
        .setPolicySetDigest(promotion.policySetDigest())
        .setContentDigest(promotion.contentDigest())
        .setCreateTime(Rpc.timestamp(promotion.createTime()))
        .setUpdateTime(Rpc.timestamp(promotion.updateTime()))
        .setExpireTime(Rpc.timestamp(promotion.expireTime()))
        .setDryRun(promotion.dryRun());
    promotion.expectedCurrentVersion().ifPresent(proto::setExpectedCurrentVersion);
    promotion.verdicts().forEach(verdict -> proto.addVerdicts(toProto(verdict)));
    promotion.decisions().forEach(decision -> proto.addDecisions(PromotionDecision.newBuilder()
        .setPrincipal(decision.principal())
        .setApproved(decision.approved())
        .setComment(decision.comment())
        .setCreateTime(Rpc.timestamp(decision.time()))
        .setCounts(decision.countsFor(promotion.contentDigest(), promotion.policySetDigest()))));
    return proto.build();
  }

  public static PolicyVerdict toProto(Verdict verdict) {
    return PolicyVerdict.newBuilder()
        .setPolicy(verdict.policy())
        .setOutcome(VerdictOutcome.valueOf("VERDICT_OUTCOME_" + verdict.outcome().name()))
        .setMessage(verdict.message())
        .setFacts(Structs.toStruct(verdict.facts()))
        .build();
  }

  public static io.gantry.v1.PolicyBinding toProto(PolicyBinding binding) {
    io.gantry.v1.PolicyBinding.Builder proto = io.gantry.v1.PolicyBinding.newBuilder()
        .setModelPattern(binding.modelPattern())
        .setAlias(binding.alias())
        .setPurpose(binding.purpose().wireName())
        .setDigest(binding.digest())
        .setUpdateTime(Rpc.timestamp(binding.updateTime()))
        .setUpdatedBy(binding.updatedBy());
    binding.policies().forEach(spec -> proto.addPolicies(PolicySpec.newBuilder()
        .setType(spec.type())
        .setParams(Structs.toStruct(spec.params()))));
    return proto.build();
  }

  public static io.gantry.v1.EffectivePolicy toProto(EffectivePolicy effective) {
    io.gantry.v1.EffectivePolicy.Builder proto = io.gantry.v1.EffectivePolicy.newBuilder()
        .setAlias(effective.alias())
        .setPurpose(effective.purpose().wireName())
        .setPolicySetDigest(effective.digest());
    effective.bindings().forEach(binding -> proto.addBindings(toProto(binding)));
    return proto.build();
  }

  /** A binding as the API sends it, in the policy file's terms. */
  public static PolicyFile.Binding fromProto(io.gantry.v1.PolicyBinding proto) {
    return new PolicyFile.Binding(proto.getModelPattern(), proto.getAlias(), proto.getPurpose(),
        proto.getPoliciesList().stream()
            .map(spec -> new PolicyFile.PolicySpec(spec.getType(), Structs.toMap(spec.getParams())))
            .toList());
  }
}
