package io.gantry.server.access;

import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.Caller;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.ExportAuditEventsRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ListApiTokensRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ListRoleBindingsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.PromotionState;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.RevokeApiTokenRequest;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** Roles on model globs and aliases, groups, API tokens and the bad input of access control, on a verifying server. */
class AccessControlTest {

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer();

  private static ModelRegistryGrpc.ModelRegistryBlockingStub registry(String credential) {
    return bearer(ModelRegistryGrpc.newBlockingStub(gantry.channel), credential);
  }

  private static String model(String prefix) {
    String model = TestRegistry.uniqueModel(prefix);
    var root = gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    root.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    root.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    return model;
  }

  private static StatusRuntimeException refused(Executable call) {
    StatusRuntimeException e = catchThrowableOfType(call::execute, StatusRuntimeException.class);
    assertThat(e).as("the call was refused").isNotNull();
    return e;
  }

  private static List<AuditEvent> events(AuditAction action, String actor) {
    return gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).listAuditEvents(
        ListAuditEventsRequest.newBuilder().setAction(action).setActor(actor).setPageSize(1000).build())
        .getEventsList();
  }

  private static List<AuditEvent> awaitEvents(AuditAction action, String actor, int count) {
    List<AuditEvent> events = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> events(action, actor), arrived -> arrived.size() >= count);
    assertThat(events).hasSize(count);
    return events;
  }

  @Test
  void aBindingOnAGlob_coversTheModelsItMatches_andARefusalNamesTheRole_andIsAudited() throws Exception {
    String fraud = model("fraud-scoring");
    String churn = model("churn");
    gantry.grant("user:vera", Role.ROLE_VIEWER, "fraud-*");
    String vera = gantry.jwt("vera");

    assertThat(registry(vera).resolveAlias(ResolveAliasRequest.newBuilder().setName("models:/" + fraud + "@latest")
        .build()).getVersion()).isEqualTo(1);
    var denied = refused(() -> registry(vera).resolveAlias(ResolveAliasRequest.newBuilder()
        .setName("models:/" + churn + "@latest").build()));
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(TestRegistry.errorInfo(denied).getReason()).isEqualTo("MISSING_ROLE");
    assertThat(denied.getStatus().getDescription())
        .isEqualTo("vera needs the viewer role (or admin) on models/" + churn
            + " to call gantry.v1.ModelRegistry/ResolveAlias");
    var write = refused(() -> registry(vera).createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + fraud).build()));
    assertThat(write.getStatus().getDescription()).startsWith("vera needs the publisher role (or admin) on models/"
        + fraud);

    // lists across models show only what the caller may read; a page may come back shorter than asked
    assertThat(registry(vera).listModels(ListModelsRequest.newBuilder().setPageSize(1000).build()).getModelsList())
        .extracting(RegisteredModel::getName).contains("models/" + fraud).doesNotContain("models/" + churn)
        .allSatisfy(name -> assertThat(name).startsWith("models/fraud-"));
    assertThat(registry(vera).listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/-")
        .setPageSize(1000).build()).getModelVersionsList()).isNotEmpty()
        .allSatisfy(v -> assertThat(v.getName()).startsWith("models/fraud-"));
    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).requestPromotion(
        RequestPromotionRequest.newBuilder().setModel("models/" + churn).setAlias("staging").setVersion(1).build());
    assertThat(gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "vera").listPromotions(
        ListPromotionsRequest.newBuilder().setPageSize(1000).build()).getPromotionsList())
        .allSatisfy(p -> assertThat(p.getModel()).startsWith("models/fraud-"));
    assertThat(gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).listPromotions(
        ListPromotionsRequest.newBuilder().setPageSize(1000).build()).getPromotionsList())
        .extracting(p -> p.getModel()).contains("models/" + churn);

    List<AuditEvent> audited = awaitEvents(AuditAction.AUDIT_ACTION_PERMISSION_DENIED, "vera", 2);
    assertThat(audited).extracting(AuditEvent::getResource).containsExactly("models/" + churn, "models/" + fraud);
    assertThat(audited.get(0).getPayload().getFieldsOrThrow("method").getStringValue())
        .isEqualTo("gantry.v1.ModelRegistry/ResolveAlias");
    assertThat(audited.get(0).getPayload().getFieldsOrThrow("authenticated_by").getStringValue()).isEqualTo("jwt");
  }

  @Test
  void aPublisherNamedForStaging_movesStaging_butMayNotRequestChampion() {
    String model = model("alias-rights");
    gantry.grant("user:pat", Role.ROLE_PUBLISHER, model, "staging");
    var promotions = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "pat");

    assertThat(promotions.requestPromotion(RequestPromotionRequest.newBuilder().setModel("models/" + model)
        .setAlias("staging").setVersion(1).build()).getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    var denied = refused(() -> promotions.requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias("champion").setVersion(1).build()));
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(denied.getStatus().getDescription()).contains("publisher role", "alias champion",
        "its bindings here name other aliases: publisher on " + model + " for aliases [staging]");
  }

  @Test
  void aGatedAlias_keepsItsGates_evenForAnAdmin() {
    String model = model("gated");
    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).setPromotionPolicy(
        SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBinding.newBuilder().setModelPattern(model)
            .setAlias("champion").addPolicies(PolicySpec.newBuilder().setType("approvals")
                .setParams(io.gantry.proto.Structs.toStruct(Map.of("count", 1))))).build());
    var promotion = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).requestPromotion(
        RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias("champion").setVersion(1).build());
    assertThat(promotion.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
  }

  @Test
  void aGroupBinding_appliesToEveryMemberTheTokenNames() {
    String model = model("groups");
    gantry.grant("group:ml-platform", Role.ROLE_PUBLISHER, "*");
    String member = gantry.jwt("gus", "ml-platform", "other");
    String outsider = gantry.jwt("olga", "other");

    registry(member).createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    assertThat(refused(() -> registry(outsider).createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).build())).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    Caller caller = bearer(AccessControlGrpc.newBlockingStub(gantry.channel), member)
        .getCaller(GetCallerRequest.getDefaultInstance());
    assertThat(caller.getPrincipal()).isEqualTo("gus");
    assertThat(caller.getGroupsList()).containsExactly("ml-platform", "other");
    assertThat(caller.getAuthenticatedBy()).isEqualTo("jwt");
    assertThat(caller.getRolesEnforced()).isTrue();
    assertThat(caller.getRoleBindingsList()).extracting(RoleBinding::getSubject).containsExactly("group:ml-platform");
  }

  @Test
  void anApiToken_isShownOnce_namesItsPrincipal_isRecordedByIdInTheAudit_andStopsWorkingWhenRevoked()
      throws Exception {
    gantry.grant("user:ci-deployer", Role.ROLE_PUBLISHER, "deploy-*");
    var created = gantry.admin().createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(
        ApiToken.newBuilder().setPrincipal("ci-deployer").setDescription("nightly deploy")).build());
    String secret = created.getSecret();
    assertThat(secret).startsWith("gantry_");
    assertThat(created.getApiToken().getName()).startsWith("apiTokens/");

    String model = TestRegistry.uniqueModel("deploy");
    var made = registry(secret).createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    assertThat(made.getCreatedBy()).isEqualTo("ci-deployer");
    Caller caller = bearer(AccessControlGrpc.newBlockingStub(gantry.channel), secret)
        .getCaller(GetCallerRequest.getDefaultInstance());
    assertThat(caller.getAuthenticatedBy()).isEqualTo("api-token");
    assertThat(caller.getApiToken()).isEqualTo(created.getApiToken().getName());

    AuditEvent createdEvent = events(AuditAction.AUDIT_ACTION_MODEL_CREATED, "ci-deployer").get(0);
    assertThat(createdEvent.getPayload().getFieldsOrThrow("api_token").getStringValue())
        .isEqualTo(created.getApiToken().getName());
    StringBuilder export = new StringBuilder();
    gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT)
        .exportAuditEvents(ExportAuditEventsRequest.getDefaultInstance())
        .forEachRemaining(chunk -> export.append(chunk.toString()));
    assertThat(export.toString()).as("the secret is never recorded").doesNotContain(secret.substring(40));
    assertThat(gantry.admin().listApiTokens(ListApiTokensRequest.getDefaultInstance()).toString())
        .doesNotContain(secret.substring(40)).contains("nightly deploy");

    ApiToken revoked = gantry.admin().revokeApiToken(RevokeApiTokenRequest.newBuilder()
        .setName(created.getApiToken().getName()).build());
    assertThat(revoked.getRevokedBy()).isEqualTo(VerifiedServer.ROOT);
    var refusal = refused(() -> registry(secret).createModel(CreateModelRequest.newBuilder()
        .setModelId(TestRegistry.uniqueModel("deploy")).build()));
    assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refusal.getStatus().getDescription()).contains("was revoked");
    assertThat(gantry.admin().revokeApiToken(RevokeApiTokenRequest.newBuilder()
        .setName(created.getApiToken().getName()).build())).as("a second revoke changes nothing").isEqualTo(revoked);
    assertThat(gantry.admin().listApiTokens(ListApiTokensRequest.getDefaultInstance()).getApiTokensList())
        .extracting(ApiToken::getName).doesNotContain(created.getApiToken().getName());
    assertThat(gantry.admin().listApiTokens(ListApiTokensRequest.newBuilder().setShowInactive(true).build())
        .getApiTokensList()).extracting(ApiToken::getName).contains(created.getApiToken().getName());

    String id = created.getApiToken().getName().substring("apiTokens/".length());
    await("the refusal is audited").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> events(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED, "unauthenticated").stream().anyMatch(e ->
            e.getPayload().getFieldsOrThrow("reasons").getListValue().getValues(0).getStringValue()
                .equals("API token " + id + " was revoked")));
  }

  @Test
  void anExpiredOrForgedApiToken_isUnauthenticated() throws Exception {
    Instant soon = Instant.now().plusMillis(1500);
    String secret = gantry.admin().createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
        .setPrincipal(VerifiedServer.ROOT).setExpireTime(Timestamp.newBuilder().setSeconds(soon.getEpochSecond())
            .setNanos(soon.getNano()))).build()).getSecret();
    var caller = bearer(AccessControlGrpc.newBlockingStub(gantry.channel), secret);
    assertThat(caller.getCaller(GetCallerRequest.getDefaultInstance()).getPrincipal()).isEqualTo(VerifiedServer.ROOT);
    await("the token's expiry").atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(soon));
    assertThat(refused(() -> caller.getCaller(GetCallerRequest.getDefaultInstance())).getStatus().getDescription())
        .contains("expired");

    String forged = secret.substring(0, secret.length() - 4) + "AAAA";
    assertThat(refused(() -> bearer(AccessControlGrpc.newBlockingStub(gantry.channel), forged)
        .getCaller(GetCallerRequest.getDefaultInstance())).getStatus().getDescription())
        .contains("unknown, or its secret is wrong");
    assertThat(refused(() -> bearer(AccessControlGrpc.newBlockingStub(gantry.channel), "gantry_short")
        .getCaller(GetCallerRequest.getDefaultInstance())).getStatus().getDescription())
        .contains("not a Gantry API token");
  }

  @Test
  void badBindingsAndTokens_areRefusedNamingTheField_andStoreNothing() {
    var admin = gantry.admin();
    int before = admin.listRoleBindings(ListRoleBindingsRequest.getDefaultInstance()).getRoleBindingsCount();

    var subject = refused(() -> admin.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("bob").setRole(Role.ROLE_VIEWER).setModelPattern("*")).build()));
    assertThat(subject.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(TestRegistry.violations(subject).get(0).getField()).isEqualTo("role_binding.subject");
    var role = refused(() -> admin.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("user:bob").setModelPattern("*")).build()));
    assertThat(TestRegistry.violations(role).get(0).getField()).isEqualTo("role_binding.role");
    var pattern = refused(() -> admin.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("user:bob").setRole(Role.ROLE_VIEWER).setModelPattern("a/b")).build()));
    assertThat(TestRegistry.violations(pattern).get(0).getField()).isEqualTo("role_binding.model_pattern");
    var aliases = refused(() -> admin.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("user:bob").setRole(Role.ROLE_VIEWER).setModelPattern("*")
            .addAliases("staging")).build()));
    assertThat(TestRegistry.violations(aliases).get(0).getField()).isEqualTo("role_binding.aliases");
    var latest = refused(() -> admin.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("user:bob").setRole(Role.ROLE_PUBLISHER).setModelPattern("*")
            .addAliases("latest")).build()));
    assertThat(TestRegistry.violations(latest).get(0).getField()).isEqualTo("role_binding.aliases[0]");
    assertThat(admin.listRoleBindings(ListRoleBindingsRequest.getDefaultInstance()).getRoleBindingsCount())
        .isEqualTo(before);

    RoleBinding made = gantry.grant("user:twice", Role.ROLE_VIEWER, "twice-*");
    var again = refused(() -> gantry.grant("user:twice", Role.ROLE_VIEWER, "twice-*"));
    assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    admin.deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(made.getName()).build());
    assertThat(refused(() -> admin.deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(made.getName())
        .build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    RoleBinding configured = admin.listRoleBindings(ListRoleBindingsRequest.newBuilder().setSubject("user:root")
        .build()).getRoleBindings(0);
    assertThat(configured.getFromConfiguration()).isTrue();
    var fixed = refused(() -> admin.deleteRoleBinding(DeleteRoleBindingRequest.newBuilder()
        .setName(configured.getName()).build()));
    assertThat(fixed.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(TestRegistry.errorInfo(fixed).getReason()).isEqualTo("ROLE_BINDING_CONFIGURED");

    var principal = refused(() -> admin.createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(
        ApiToken.newBuilder().setPrincipal("has space")).build()));
    assertThat(TestRegistry.violations(principal).get(0).getField()).isEqualTo("api_token.principal");
    var past = refused(() -> admin.createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(
        ApiToken.newBuilder().setPrincipal("ci").setExpireTime(Timestamp.newBuilder().setSeconds(1))).build()));
    assertThat(TestRegistry.violations(past).get(0).getField()).isEqualTo("api_token.expire_time");
  }

  @Test
  void grantsAndRevocations_areAudited_withWhatChanged() {
    RoleBinding made = gantry.grant("group:auditors", Role.ROLE_AUDITOR, "*");
    gantry.admin().deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(made.getName()).build());
    var granted = events(AuditAction.AUDIT_ACTION_ROLE_GRANTED, VerifiedServer.ROOT).stream()
        .filter(e -> e.getResource().equals(made.getName())).toList();
    var revoked = events(AuditAction.AUDIT_ACTION_ROLE_REVOKED, VerifiedServer.ROOT).stream()
        .filter(e -> e.getResource().equals(made.getName())).toList();
    assertThat(granted).hasSize(1);
    assertThat(revoked).hasSize(1);
    assertThat(granted.get(0).getPayload().getFieldsOrThrow("subject").getStringValue()).isEqualTo("group:auditors");
    assertThat(revoked.get(0).getPayload().getFieldsOrThrow("role").getStringValue()).isEqualTo("auditor");
  }

  @Test
  void anOpenWatch_endsAtItsNextMove_onceItsTokenIsRevoked() throws Exception {
    String model = model("watched");
    gantry.grant("user:watcher", Role.ROLE_VIEWER, model);
    var created = gantry.admin().createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(
        ApiToken.newBuilder().setPrincipal("watcher")).build());
    java.util.concurrent.BlockingQueue<Object> seen = new java.util.concurrent.LinkedBlockingQueue<>();
    bearer(io.gantry.v1.ModelRegistryGrpc.newStub(gantry.channel), created.getSecret()).watchAlias(
        io.gantry.v1.WatchAliasRequest.newBuilder().setName("models/" + model + "/aliases/staging").build(),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(io.gantry.v1.AliasEvent event) {
            seen.add(event);
          }

          @Override
          public void onError(Throwable t) {
            seen.add(t);
          }

          @Override
          public void onCompleted() {
            seen.add("completed");
          }
        });
    var promotions = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    assertThat(seen.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("the current state")
        .isInstanceOf(io.gantry.v1.AliasEvent.class);
    promotions.requestPromotion(RequestPromotionRequest.newBuilder().setModel("models/" + model)
        .setAlias("staging").setVersion(1).build());
    assertThat(seen.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("a move, while the token works")
        .isInstanceOf(io.gantry.v1.AliasEvent.class);

    gantry.admin().revokeApiToken(RevokeApiTokenRequest.newBuilder().setName(created.getApiToken().getName()).build());
    gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).createModelVersion(
        CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    promotions.requestPromotion(RequestPromotionRequest.newBuilder().setModel("models/" + model)
        .setAlias("staging").setVersion(2).build());
    Object end = seen.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(end).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) end).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(((StatusRuntimeException) end).getStatus().getDescription()).contains("revoked or expired while the "
        + "stream was open");
  }
}
