package io.gantry.server.api;

import io.gantry.server.access.AccessService;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.auth.Caller;
import io.gantry.server.common.Names;
import io.gantry.server.common.RequestKey;
import io.gantry.server.error.GantryException;
import io.gantry.server.promotion.Draft;
import io.gantry.server.promotion.PolicyBindingService;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.PromotionMessages;
import io.gantry.server.promotion.PromotionService;
import io.gantry.server.promotion.Purpose;
import io.gantry.server.query.ListQuery;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.CancelPromotionRequest;
import io.gantry.v1.EffectivePolicy;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListPromotionPoliciesRequest;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RejectPromotionRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.RequestRollbackRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.stub.StreamObserver;
import java.util.Optional;

/**
 * The gRPC face of {@code gantry.v1.Promotions}: reads requests, calls the promotion and policy binding
 * services with the caller's identity, and writes responses. No rules live here.
 */
public final class PromotionsEndpoint extends PromotionsGrpc.PromotionsImplBase {

  private final PromotionService promotions;
  private final PolicyBindingService bindings;
  private final AccessService access;

  public PromotionsEndpoint(PromotionService promotions, PolicyBindingService bindings, AccessService access) {
    this.promotions = promotions;
    this.bindings = bindings;
    this.access = access;
  }

  @Override
  public void requestPromotion(RequestPromotionRequest request, StreamObserver<Promotion> observer) {
    Rpc.unary(observer, () -> {
      String modelId = Names.parseModelName("model", request.getModel());
      Optional<Integer> version = Optional.empty();
      if (request.getVersion() != 0) {
        version = Optional.of(versionNumber("version", request.getVersion()));
      }
      Optional<Integer> expected = request.hasExpectedCurrentVersion()
          ? Optional.of(versionNumber("expected_current_version", request.getExpectedCurrentVersion()))
          : Optional.empty();
      var draft = new Draft(modelId, request.getAlias(),
          request.getRemoveAlias() ? Kind.REMOVE : Kind.MOVE, version, request.getJustification(), expected,
          request.getArchivePrevious());
      return PromotionMessages.toProto(promotions.request(draft, request.getDryRun(),
          RequestKey.of("RequestPromotion", request.getRequestId(),
              Rpc.fingerprint(request.toBuilder().clearRequestId().build())),
          Caller.principal()));
    });
  }

  @Override
  public void requestRollback(RequestRollbackRequest request, StreamObserver<Promotion> observer) {
    Rpc.unary(observer, () -> PromotionMessages.toProto(promotions.rollback(
        Names.parseAliasName("alias", request.getAlias()), request.getJustification(),
        request.getArchivePrevious(), request.getDryRun(),
        RequestKey.of("RequestRollback", request.getRequestId(),
            Rpc.fingerprint(request.toBuilder().clearRequestId().build())),
        Caller.principal())));
  }

  @Override
  public void approvePromotion(ApprovePromotionRequest request, StreamObserver<Promotion> observer) {
    Caller.Identity caller = Caller.identity();
    Rpc.unary(observer, () -> PromotionMessages.toProto(promotions.approve(
        Names.parsePromotionName("name", request.getName()), request.getComment(), caller.principal(),
        (model, alias) -> access.memberships(caller, model, alias))));
  }

  @Override
  public void rejectPromotion(RejectPromotionRequest request, StreamObserver<Promotion> observer) {
    Rpc.unary(observer, () -> PromotionMessages.toProto(promotions.reject(
        Names.parsePromotionName("name", request.getName()), request.getComment(), Caller.principal())));
  }

  @Override
  public void cancelPromotion(CancelPromotionRequest request, StreamObserver<Promotion> observer) {
    Rpc.unary(observer, () -> PromotionMessages.toProto(promotions.cancel(
        Names.parsePromotionName("name", request.getName()), Caller.principal())));
  }

  @Override
  public void getPromotion(GetPromotionRequest request, StreamObserver<Promotion> observer) {
    Rpc.unary(observer, () -> PromotionMessages.toProto(promotions.get(
        Names.parsePromotionName("name", request.getName()))));
  }

  @Override
  public void listPromotions(ListPromotionsRequest request, StreamObserver<ListPromotionsResponse> observer) {
    Rpc.unary(observer, () -> {
      var page = promotions.list(new ListQuery.Request("promotions", Caller.principal(), request.getPageSize(),
          request.getPageToken(), request.getFilter(), request.getOrderBy()), ReadableModels.current());
      return ListPromotionsResponse.newBuilder()
          .addAllPromotions(page.items().stream().map(PromotionMessages::toProto).toList())
          .setNextPageToken(page.nextPageToken())
          .build();
    });
  }

  @Override
  public void setPromotionPolicy(SetPromotionPolicyRequest request, StreamObserver<PolicyBinding> observer) {
    Rpc.unary(observer, () -> bindings.set(PromotionMessages.fromProto(request.getBinding()), Caller.principal())
        .map(PromotionMessages::toProto)
        // a removed binding answers with what was asked, holding no policies
        .orElseGet(() -> request.getBinding().toBuilder().clearPolicies().build()));
  }

  @Override
  public void getPromotionPolicy(GetPromotionPolicyRequest request, StreamObserver<EffectivePolicy> observer) {
    Rpc.unary(observer, () -> {
      Names.AliasRef ref = Names.parseAliasName("alias", request.getAlias());
      return PromotionMessages.toProto(bindings.effective(ref.model(), ref.alias(),
          Purpose.parse("purpose", request.getPurpose())));
    });
  }

  @Override
  public void listPromotionPolicies(ListPromotionPoliciesRequest request,
      StreamObserver<ListPromotionPoliciesResponse> observer) {
    Rpc.unary(observer, () -> ListPromotionPoliciesResponse.newBuilder()
        .addAllBindings(bindings.list().stream().map(PromotionMessages::toProto).toList())
        .build());
  }

  private static int versionNumber(String field, long version) {
    if (version < 0 || version > Integer.MAX_VALUE) {
      throw GantryException.invalid(field, "must be a version number, got " + version);
    }
    return (int) version;
  }
}
