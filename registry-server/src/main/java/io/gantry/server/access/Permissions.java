package io.gantry.server.access;

import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.AttestationsGrpc;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CancelPromotionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.GetPromotionAttestationRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RejectPromotionRequest;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.RequestRollbackRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.gantry.v1.UploadArtifactsRequest;
import io.gantry.v1.WatchAliasRequest;
import io.gantry.v1.WebhooksGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of what every RPC needs: a right, and the scope it is needed on, read from the request (its first
 * message, for a client stream). A method missing here is refused by the server at start, so no RPC can be added
 * without saying who may call it; the authorization matrix test is derived from this table too.
 */
public final class Permissions {

  /** Finds the model and alias of a promotion, for the calls that name only the promotion. */
  @FunctionalInterface
  public interface PromotionTargets {
    Optional<Scope> of(UUID promotion);
  }

  /**
   * What a method needs: the right, how its scope is read from the request, and, for a list across models, how its
   * response keeps only what the caller may see. Such a list is given the caller's {@link ReadableModels} too, and
   * narrows its query with them, so the filter is a second check that drops nothing.
   */
  public record Rule(Right right, ScopeReader scope, Optional<ListFilter> filter) {}

  /** Keeps the entries of a list response whose model {@code visible} accepts. */
  @FunctionalInterface
  public interface ListFilter {
    Object keep(Object response, Predicate<String> visible);
  }

  @FunctionalInterface
  public interface ScopeReader {
    Scope read(Object request, PromotionTargets promotions);
  }

  private static final Pattern PROMOTION = Pattern.compile("promotions/([0-9a-fA-F-]{36})");

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  static {
    // ModelRegistry
    rule(ModelRegistryGrpc.getCreateModelMethod(), Right.PUBLISH, r -> Scope.model(((CreateModelRequest) r).getModelId()));
    rule(ModelRegistryGrpc.getGetModelMethod(), Right.READ, r -> Scope.of(((GetModelRequest) r).getName()));
    listRule(ModelRegistryGrpc.getListModelsMethod(), r -> Scope.ANY_MODEL, (response, visible) -> {
      var page = (ListModelsResponse) response;
      return page.toBuilder().clearModels().addAllModels(page.getModelsList().stream()
          .filter(model -> visible.test(Scope.of(model.getName()).model())).toList()).build();
    });
    rule(ModelRegistryGrpc.getUpdateModelMethod(), Right.PUBLISH,
        r -> Scope.of(((UpdateModelRequest) r).getModel().getName()));
    rule(ModelRegistryGrpc.getDeleteModelMethod(), Right.ADMIN, r -> Scope.of(((DeleteModelRequest) r).getName()));
    rule(ModelRegistryGrpc.getSetModelTagMethod(), Right.PUBLISH, r -> Scope.of(((SetModelTagRequest) r).getName()));
    rule(ModelRegistryGrpc.getDeleteModelTagMethod(), Right.PUBLISH,
        r -> Scope.of(((DeleteModelTagRequest) r).getName()));
    rule(ModelRegistryGrpc.getCreateModelVersionMethod(), Right.PUBLISH,
        r -> Scope.of(((CreateModelVersionRequest) r).getParent()));
    rule(ModelRegistryGrpc.getGetModelVersionMethod(), Right.READ,
        r -> Scope.of(((GetModelVersionRequest) r).getName()));
    listRule(ModelRegistryGrpc.getListModelVersionsMethod(), r -> Scope.of(((ListModelVersionsRequest) r).getParent()),
        (response, visible) -> {
          var page = (ListModelVersionsResponse) response;
          return page.toBuilder().clearModelVersions().addAllModelVersions(page.getModelVersionsList().stream()
              .filter(version -> visible.test(Scope.of(version.getName()).model())).toList()).build();
        });
    rule(ModelRegistryGrpc.getUpdateModelVersionMethod(), Right.PUBLISH,
        r -> Scope.of(((UpdateModelVersionRequest) r).getModelVersion().getName()));
    rule(ModelRegistryGrpc.getArchiveModelVersionMethod(), Right.PUBLISH,
        r -> Scope.of(((ArchiveModelVersionRequest) r).getName()));
    rule(ModelRegistryGrpc.getSetVersionTagMethod(), Right.PUBLISH, r -> Scope.of(((SetVersionTagRequest) r).getName()));
    rule(ModelRegistryGrpc.getDeleteVersionTagMethod(), Right.PUBLISH,
        r -> Scope.of(((DeleteVersionTagRequest) r).getName()));
    rule(ModelRegistryGrpc.getReportEvaluationMethod(), Right.PUBLISH,
        r -> Scope.of(((ReportEvaluationRequest) r).getName()));
    rule(ModelRegistryGrpc.getListEvaluationsMethod(), Right.READ,
        r -> Scope.of(((ListEvaluationsRequest) r).getParent()));
    // a resolve is a read of the model, whichever alias it names
    rule(ModelRegistryGrpc.getResolveAliasMethod(), Right.READ,
        r -> modelOnly(Scope.of(((ResolveAliasRequest) r).getName())));
    rule(ModelRegistryGrpc.getListAliasesMethod(), Right.READ, r -> Scope.of(((ListAliasesRequest) r).getParent()));
    rule(ModelRegistryGrpc.getListAliasHistoryMethod(), Right.READ,
        r -> modelOnly(Scope.of(((ListAliasHistoryRequest) r).getParent())));
    rule(ModelRegistryGrpc.getWatchAliasMethod(), Right.READ,
        r -> modelOnly(Scope.of(((WatchAliasRequest) r).getName())));

    // Promotions: requests and decisions name the alias they move, so alias-restricted bindings apply
    rule(PromotionsGrpc.getRequestPromotionMethod(), Right.PUBLISH, r -> {
      var request = (RequestPromotionRequest) r;
      Scope model = Scope.of(request.getModel());
      return model.kind() == Scope.Kind.MODEL ? Scope.alias(model.model(), request.getAlias()) : model;
    });
    rule(PromotionsGrpc.getRequestRollbackMethod(), Right.PUBLISH, r -> Scope.of(((RequestRollbackRequest) r).getAlias()));
    promotionRule(PromotionsGrpc.getApprovePromotionMethod(), Right.APPROVE, r -> ((ApprovePromotionRequest) r).getName());
    promotionRule(PromotionsGrpc.getRejectPromotionMethod(), Right.APPROVE, r -> ((RejectPromotionRequest) r).getName());
    // the service lets only the requester cancel
    promotionRule(PromotionsGrpc.getCancelPromotionMethod(), Right.PUBLISH, r -> ((CancelPromotionRequest) r).getName());
    promotionRule(PromotionsGrpc.getGetPromotionMethod(), Right.READ, r -> ((GetPromotionRequest) r).getName());
    listRule(PromotionsGrpc.getListPromotionsMethod(), r -> Scope.ANY_MODEL, (response, visible) -> {
      var page = (ListPromotionsResponse) response;
      return page.toBuilder().clearPromotions().addAllPromotions(page.getPromotionsList().stream()
          .filter(promotion -> visible.test(Scope.of(promotion.getModel()).model())).toList()).build();
    });
    rule(PromotionsGrpc.getSetPromotionPolicyMethod(), Right.ADMIN,
        r -> Scope.pattern(((SetPromotionPolicyRequest) r).getBinding().getModelPattern()));
    rule(PromotionsGrpc.getGetPromotionPolicyMethod(), Right.READ,
        r -> modelOnly(Scope.of(((GetPromotionPolicyRequest) r).getAlias())));
    rule(PromotionsGrpc.getListPromotionPoliciesMethod(), Right.READ, r -> Scope.ANY_MODEL);

    // Artifacts
    rule(ArtifactsGrpc.getUploadArtifactsMethod(), Right.PUBLISH,
        r -> Scope.of(((UploadArtifactsRequest) r).getVersion()));
    rule(ArtifactsGrpc.getFinalizeVersionMethod(), Right.PUBLISH, r -> Scope.of(((FinalizeVersionRequest) r).getName()));
    rule(ArtifactsGrpc.getDownloadArtifactMethod(), Right.READ,
        r -> Scope.of(((DownloadArtifactRequest) r).getVersion()));
    rule(ArtifactsGrpc.getListArtifactsMethod(), Right.READ, r -> Scope.of(((ListArtifactsRequest) r).getVersion()));
    rule(ArtifactsGrpc.getGetDownloadUrlMethod(), Right.READ, r -> Scope.of(((GetDownloadUrlRequest) r).getVersion()));

    // Audit: one log for every model, whose proofs cover all of it, so it is read whole or not at all
    for (MethodDescriptor<?, ?> method : List.of(AuditGrpc.getListAuditEventsMethod(),
        AuditGrpc.getStreamAuditEventsMethod(), AuditGrpc.getExportAuditEventsMethod(), AuditGrpc.getGetCheckpointMethod(),
        AuditGrpc.getGetInclusionProofMethod(), AuditGrpc.getGetConsistencyProofMethod(),
        AuditGrpc.getVerifyAuditLogMethod())) {
      rule(method, Right.AUDIT, r -> Scope.EVERY_MODEL);
    }
    // the public key that checks checkpoints is no secret
    rule(AuditGrpc.getGetVerifierKeyMethod(), Right.READ, r -> Scope.CALLER);

    // Attestations: the proof of a promotion is read like the promotion; the key that checks it is public
    promotionRule(AttestationsGrpc.getGetPromotionAttestationMethod(), Right.READ,
        r -> ((GetPromotionAttestationRequest) r).getName());
    rule(AttestationsGrpc.getGetAttestationKeyMethod(), Right.READ, r -> Scope.CALLER);

    // Imports: history written as recorded, aliases set without promotions
    rule(ImportsGrpc.getImportModelMethod(), Right.ADMIN, r -> Scope.model(((ImportModelRequest) r).getModel()
        .getModelId()));

    // Webhooks: they see every change of the models they match, and send it to any URL
    for (MethodDescriptor<?, ?> method : List.of(WebhooksGrpc.getCreateWebhookMethod(),
        WebhooksGrpc.getGetWebhookMethod(), WebhooksGrpc.getListWebhooksMethod(), WebhooksGrpc.getDeleteWebhookMethod(),
        WebhooksGrpc.getListWebhookDeliveriesMethod(), WebhooksGrpc.getRedeliverWebhookDeliveryMethod())) {
      rule(method, Right.ADMIN, r -> Scope.EVERY_MODEL);
    }

    // AccessControl
    rule(AccessControlGrpc.getGetCallerMethod(), Right.READ, r -> Scope.CALLER);
    for (MethodDescriptor<?, ?> method : List.of(AccessControlGrpc.getCreateRoleBindingMethod(),
        AccessControlGrpc.getDeleteRoleBindingMethod(), AccessControlGrpc.getListRoleBindingsMethod(),
        AccessControlGrpc.getCreateApiTokenMethod(), AccessControlGrpc.getListApiTokensMethod(),
        AccessControlGrpc.getRevokeApiTokenMethod())) {
      rule(method, Right.ADMIN, r -> Scope.EVERY_MODEL);
    }
  }

  private Permissions() {}

  private static void rule(MethodDescriptor<?, ?> method, Right right, Function<Object, Scope> scope) {
    RULES.put(method.getFullMethodName(), new Rule(right, (request, promotions) -> scope.apply(request),
        Optional.empty()));
  }

  private static void listRule(MethodDescriptor<?, ?> method, Function<Object, Scope> scope, ListFilter filter) {
    RULES.put(method.getFullMethodName(), new Rule(Right.READ, (request, promotions) -> scope.apply(request),
        Optional.of(filter)));
  }

  private static void promotionRule(MethodDescriptor<?, ?> method, Right right, Function<Object, String> name) {
    RULES.put(method.getFullMethodName(), new Rule(right, (request, promotions) -> {
      Matcher m = PROMOTION.matcher(name.apply(request));
      if (!m.matches()) {
        return Scope.ANY_MODEL;
      }
      try {
        // a promotion that does not exist is the service's NOT_FOUND, for anyone with the right somewhere
        return promotions.of(UUID.fromString(m.group(1))).orElse(Scope.ANY_MODEL);
      } catch (IllegalArgumentException e) {
        return Scope.ANY_MODEL;
      }
    }, Optional.empty()));
  }

  private static Scope modelOnly(Scope scope) {
    return scope.kind() == Scope.Kind.MODEL ? Scope.model(scope.model()) : scope;
  }

  /** The rule of {@code fullMethodName}, if it has one. */
  public static Optional<Rule> of(String fullMethodName) {
    return Optional.ofNullable(RULES.get(fullMethodName));
  }

  /** Every method of {@code services} that has no rule; the server does not start while there is one. */
  public static List<String> missing(List<ServerServiceDefinition> services) {
    List<String> missing = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      for (var method : service.getMethods()) {
        String name = method.getMethodDescriptor().getFullMethodName();
        if (!RULES.containsKey(name)) {
          missing.add(name);
        }
      }
    }
    return missing;
  }
}
