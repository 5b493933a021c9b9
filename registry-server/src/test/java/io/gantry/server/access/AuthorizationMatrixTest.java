package io.gantry.server.access;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CancelPromotionRequest;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.ExportAuditEventsRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetConsistencyProofRequest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.GetInclusionProofRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.GetAttestationKeyRequest;
import io.gantry.v1.GetPromotionAttestationRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.AttestationsGrpc;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportedModel;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.DeleteWebhookRequest;
import io.gantry.v1.GetWebhookRequest;
import io.gantry.v1.ListWebhookDeliveriesRequest;
import io.gantry.v1.ListWebhooksRequest;
import io.gantry.v1.RedeliverWebhookDeliveryRequest;
import io.gantry.v1.WebhooksGrpc;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListApiTokensRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListPromotionPoliciesRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ListRoleBindingsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.RejectPromotionRequest;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.RequestRollbackRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.RevokeApiTokenRequest;
import io.gantry.v1.Role;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.StreamAuditEventsRequest;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.gantry.v1.UploadArtifactsRequest;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every RPC of every gantry.v1 service, called by every role (and by a verified caller with no role, and by a caller
 * with no credential), against the expectation {@link Permissions} gives: the role has the method's right, or the
 * method needs only a verified caller. A method with no rule in Permissions, or with no sample request here, fails
 * the test: no RPC can be added without deciding who may call it.
 */
class AuthorizationMatrixTest {

  private static final String MODEL = "matrix";
  private static final String VERSION = "models/matrix/versions/1";
  private static final String MISSING_VERSION = "models/matrix/versions/999";
  private static final AtomicInteger CREATED = new AtomicInteger();
  /** The services a client can call, as the server binds them. */
  private static final List<ServiceDescriptor> SERVICES = List.of(ModelRegistryGrpc.getServiceDescriptor(),
      PromotionsGrpc.getServiceDescriptor(), ArtifactsGrpc.getServiceDescriptor(), AuditGrpc.getServiceDescriptor(),
      AccessControlGrpc.getServiceDescriptor(), ImportsGrpc.getServiceDescriptor(),
      AttestationsGrpc.getServiceDescriptor(), WebhooksGrpc.getServiceDescriptor());

  /** Refused credentials are audited as a first event and a summary per window; a short one keeps tests short. */
  private static final int REFUSAL_WINDOW_SECONDS = 3;

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer(java.util.Map.of("GANTRY_REFUSAL_WINDOW_SECONDS",
      Integer.toString(REFUSAL_WINDOW_SECONDS)));

  @BeforeAll
  static void grantEveryRoleAndMakeTheModel() {
    for (Role role : List.of(Role.ROLE_VIEWER, Role.ROLE_PUBLISHER, Role.ROLE_APPROVER, Role.ROLE_AUDITOR,
        Role.ROLE_ADMIN)) {
      gantry.grant("user:" + role.name(), role, "*");
    }
    var registry = gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    registry.createModel(CreateModelRequest.newBuilder().setModelId(MODEL).build());
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + MODEL).build());
  }

  /** One request per method that names the matrix model, harmless to repeat: missing or dry-run where it would change much. */
  private static Map<String, Supplier<Message>> samples() {
    Map<String, Supplier<Message>> samples = new LinkedHashMap<>();
    String promotion = "promotions/" + UUID.randomUUID();
    sample(samples, ModelRegistryGrpc.getCreateModelMethod(),
        () -> CreateModelRequest.newBuilder().setModelId("matrix-" + CREATED.incrementAndGet()).build());
    sample(samples, ModelRegistryGrpc.getGetModelMethod(), () -> GetModelRequest.newBuilder().setName("models/matrix").build());
    sample(samples, ModelRegistryGrpc.getListModelsMethod(), () -> ListModelsRequest.getDefaultInstance());
    sample(samples, ModelRegistryGrpc.getUpdateModelMethod(), () -> UpdateModelRequest.newBuilder()
        .setModel(RegisteredModel.newBuilder().setName("models/matrix").setDescription("matrix"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
    sample(samples, ModelRegistryGrpc.getDeleteModelMethod(),
        () -> DeleteModelRequest.newBuilder().setName("models/matrix-missing").build());
    sample(samples, ModelRegistryGrpc.getSetModelTagMethod(),
        () -> SetModelTagRequest.newBuilder().setName("models/matrix").setKey("k").setValue("v").build());
    sample(samples, ModelRegistryGrpc.getDeleteModelTagMethod(),
        () -> DeleteModelTagRequest.newBuilder().setName("models/matrix").setKey("absent").build());
    sample(samples, ModelRegistryGrpc.getCreateModelVersionMethod(),
        () -> CreateModelVersionRequest.newBuilder().setParent("models/matrix").build());
    sample(samples, ModelRegistryGrpc.getGetModelVersionMethod(),
        () -> GetModelVersionRequest.newBuilder().setName(VERSION).build());
    sample(samples, ModelRegistryGrpc.getListModelVersionsMethod(),
        () -> ListModelVersionsRequest.newBuilder().setParent("models/matrix").build());
    sample(samples, ModelRegistryGrpc.getUpdateModelVersionMethod(), () -> UpdateModelVersionRequest.newBuilder()
        .setModelVersion(ModelVersion.newBuilder().setName(VERSION).setDescription("matrix"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
    sample(samples, ModelRegistryGrpc.getArchiveModelVersionMethod(),
        () -> ArchiveModelVersionRequest.newBuilder().setName(MISSING_VERSION).build());
    sample(samples, ModelRegistryGrpc.getSetVersionTagMethod(),
        () -> SetVersionTagRequest.newBuilder().setName(VERSION).setKey("k").setValue("v").build());
    sample(samples, ModelRegistryGrpc.getDeleteVersionTagMethod(),
        () -> DeleteVersionTagRequest.newBuilder().setName(VERSION).setKey("absent").build());
    sample(samples, ModelRegistryGrpc.getReportEvaluationMethod(), () -> ReportEvaluationRequest.newBuilder()
        .setName(VERSION).setDataset("test").putMetrics("auc", 0.9).build());
    sample(samples, ModelRegistryGrpc.getListEvaluationsMethod(),
        () -> ListEvaluationsRequest.newBuilder().setParent(VERSION).build());
    sample(samples, ModelRegistryGrpc.getResolveAliasMethod(),
        () -> ResolveAliasRequest.newBuilder().setName("models:/matrix@latest").build());
    sample(samples, ModelRegistryGrpc.getListAliasesMethod(),
        () -> ListAliasesRequest.newBuilder().setParent("models/matrix").build());
    sample(samples, ModelRegistryGrpc.getListAliasHistoryMethod(),
        () -> ListAliasHistoryRequest.newBuilder().setParent("models/matrix").build());
    sample(samples, ModelRegistryGrpc.getWatchAliasMethod(),
        () -> WatchAliasRequest.newBuilder().setName("models/matrix/aliases/*").build());

    sample(samples, PromotionsGrpc.getRequestPromotionMethod(), () -> RequestPromotionRequest.newBuilder()
        .setModel("models/matrix").setAlias("staging").setVersion(1).setDryRun(true).build());
    sample(samples, PromotionsGrpc.getRequestRollbackMethod(), () -> RequestRollbackRequest.newBuilder()
        .setAlias("models/matrix/aliases/staging").setDryRun(true).build());
    sample(samples, PromotionsGrpc.getApprovePromotionMethod(),
        () -> ApprovePromotionRequest.newBuilder().setName(promotion).build());
    sample(samples, PromotionsGrpc.getRejectPromotionMethod(),
        () -> RejectPromotionRequest.newBuilder().setName(promotion).build());
    sample(samples, PromotionsGrpc.getCancelPromotionMethod(),
        () -> CancelPromotionRequest.newBuilder().setName(promotion).build());
    sample(samples, PromotionsGrpc.getGetPromotionMethod(), () -> GetPromotionRequest.newBuilder().setName(promotion).build());
    sample(samples, PromotionsGrpc.getListPromotionsMethod(), () -> ListPromotionsRequest.getDefaultInstance());
    sample(samples, PromotionsGrpc.getSetPromotionPolicyMethod(), () -> SetPromotionPolicyRequest.newBuilder()
        .setBinding(PolicyBinding.newBuilder().setModelPattern("matrix-unbound").setAlias("nowhere")).build());
    sample(samples, PromotionsGrpc.getGetPromotionPolicyMethod(),
        () -> GetPromotionPolicyRequest.newBuilder().setAlias("models/matrix/aliases/staging").build());
    sample(samples, PromotionsGrpc.getListPromotionPoliciesMethod(), () -> ListPromotionPoliciesRequest.getDefaultInstance());

    sample(samples, ArtifactsGrpc.getUploadArtifactsMethod(),
        () -> UploadArtifactsRequest.newBuilder().setVersion(MISSING_VERSION).build());
    sample(samples, ArtifactsGrpc.getFinalizeVersionMethod(),
        () -> FinalizeVersionRequest.newBuilder().setName(MISSING_VERSION).build());
    sample(samples, ArtifactsGrpc.getDownloadArtifactMethod(),
        () -> DownloadArtifactRequest.newBuilder().setVersion(VERSION).setPath("MLmodel").build());
    sample(samples, ArtifactsGrpc.getListArtifactsMethod(), () -> ListArtifactsRequest.newBuilder().setVersion(VERSION).build());
    sample(samples, ArtifactsGrpc.getGetDownloadUrlMethod(),
        () -> GetDownloadUrlRequest.newBuilder().setVersion(VERSION).setPath("MLmodel").build());

    sample(samples, AuditGrpc.getListAuditEventsMethod(), () -> ListAuditEventsRequest.newBuilder().setPageSize(1).build());
    sample(samples, AuditGrpc.getStreamAuditEventsMethod(), () -> StreamAuditEventsRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getExportAuditEventsMethod(), () -> ExportAuditEventsRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getGetCheckpointMethod(), () -> GetCheckpointRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getGetInclusionProofMethod(), () -> GetInclusionProofRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getGetConsistencyProofMethod(), () -> GetConsistencyProofRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getVerifyAuditLogMethod(), () -> VerifyAuditLogRequest.getDefaultInstance());
    sample(samples, AuditGrpc.getGetVerifierKeyMethod(), () -> GetVerifierKeyRequest.getDefaultInstance());

    sample(samples, AttestationsGrpc.getGetPromotionAttestationMethod(),
        () -> GetPromotionAttestationRequest.newBuilder().setName(promotion).build());
    sample(samples, AttestationsGrpc.getGetAttestationKeyMethod(), () -> GetAttestationKeyRequest.getDefaultInstance());
    sample(samples, ImportsGrpc.getImportModelMethod(), () -> ImportModelRequest.newBuilder().setSource("matrix")
        .setModel(ImportedModel.newBuilder().setModelId(MODEL)).build());

    sample(samples, WebhooksGrpc.getCreateWebhookMethod(), () -> CreateWebhookRequest.getDefaultInstance());
    sample(samples, WebhooksGrpc.getGetWebhookMethod(), () -> GetWebhookRequest.newBuilder().setName("webhooks/none")
        .build());
    sample(samples, WebhooksGrpc.getListWebhooksMethod(), () -> ListWebhooksRequest.getDefaultInstance());
    sample(samples, WebhooksGrpc.getDeleteWebhookMethod(), () -> DeleteWebhookRequest.newBuilder()
        .setName("webhooks/none").build());
    sample(samples, WebhooksGrpc.getListWebhookDeliveriesMethod(), () -> ListWebhookDeliveriesRequest.newBuilder()
        .setParent("webhooks/none").build());
    sample(samples, WebhooksGrpc.getRedeliverWebhookDeliveryMethod(), () -> RedeliverWebhookDeliveryRequest
        .newBuilder().setName("webhooks/none/deliveries/" + UUID.randomUUID()).build());

    sample(samples, AccessControlGrpc.getGetCallerMethod(), () -> GetCallerRequest.getDefaultInstance());
    sample(samples, AccessControlGrpc.getCreateRoleBindingMethod(), () -> CreateRoleBindingRequest.getDefaultInstance());
    sample(samples, AccessControlGrpc.getDeleteRoleBindingMethod(),
        () -> DeleteRoleBindingRequest.newBuilder().setName("roleBindings/999999").build());
    sample(samples, AccessControlGrpc.getListRoleBindingsMethod(), () -> ListRoleBindingsRequest.getDefaultInstance());
    sample(samples, AccessControlGrpc.getCreateApiTokenMethod(), () -> CreateApiTokenRequest.getDefaultInstance());
    sample(samples, AccessControlGrpc.getListApiTokensMethod(), () -> ListApiTokensRequest.getDefaultInstance());
    sample(samples, AccessControlGrpc.getRevokeApiTokenMethod(),
        () -> RevokeApiTokenRequest.newBuilder().setName("apiTokens/" + UUID.randomUUID()).build());
    return samples;
  }

  private static void sample(Map<String, Supplier<Message>> samples, MethodDescriptor<?, ?> method,
      Supplier<Message> request) {
    samples.put(method.getFullMethodName(), request);
  }

  private static List<MethodDescriptor<?, ?>> everyMethod() {
    List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
    SERVICES.forEach(service -> methods.addAll(service.getMethods()));
    return methods;
  }

  @Test
  void everyMethod_hasARule_andASample() {
    Set<String> names = new TreeSet<>();
    everyMethod().forEach(method -> names.add(method.getFullMethodName()));
    assertThat(names).allSatisfy(name -> assertThat(Permissions.of(name)).as("rule for " + name).isPresent());
    assertThat(samples().keySet()).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void theDocumentedTable_saysWhatThePermissionsSay() throws Exception {
    Map<String, Supplier<Message>> samples = samples();
    Map<String, String> documented = new LinkedHashMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| (\\w+) \\|").matcher(
        Files.readString(Path.of("..", "docs", "access.md")));
    while (row.find()) {
      documented.put(row.group(1), row.group(2));
    }
    Map<String, String> actual = new LinkedHashMap<>();
    for (MethodDescriptor<?, ?> method : everyMethod()) {
      Permissions.Rule rule = Permissions.of(method.getFullMethodName()).orElseThrow();
      boolean anyCaller = rule.scope().read(samples.get(method.getFullMethodName()).get(),
          id -> java.util.Optional.empty()).kind() == Scope.Kind.CALLER;
      actual.put(method.getFullMethodName(), anyCaller ? "any" : io.gantry.server.access.Role.leastGiving(rule.right())
          .wireName());
    }
    assertThat(documented).containsExactlyInAnyOrderEntriesOf(actual);
  }

  @Test
  void everyRole_isAllowedExactlyWhatItsRightsGive_andEveryDenialIsAudited() throws Exception {
    Map<String, Supplier<Message>> samples = samples();
    int deniedBefore = audited(AuditAction.AUDIT_ACTION_PERMISSION_DENIED);
    int denials = 0;
    List<String> wrong = new ArrayList<>();
    for (String principal : List.of("ROLE_VIEWER", "ROLE_PUBLISHER", "ROLE_APPROVER", "ROLE_AUDITOR", "ROLE_ADMIN",
        "nobody")) {
      io.gantry.server.access.Role role = principal.startsWith("ROLE_")
          ? io.gantry.server.access.Role.valueOf(principal.substring(5)) : null;
      for (MethodDescriptor<?, ?> method : everyMethod()) {
        Permissions.Rule rule = Permissions.of(method.getFullMethodName()).orElseThrow();
        boolean expected = rule.scope().read(samples.get(method.getFullMethodName()).get(), id -> java.util.Optional.empty())
            .kind() == Scope.Kind.CALLER || (role != null && role.gives(rule.right()));
        Status.Code outcome = call(method, samples.get(method.getFullMethodName()).get(), gantry.jwt(principal));
        boolean allowed = outcome != Status.Code.PERMISSION_DENIED && outcome != Status.Code.UNAUTHENTICATED;
        if (!allowed) {
          denials++;
        }
        if (allowed != expected) {
          wrong.add(principal + " " + method.getFullMethodName() + ": expected " + (expected ? "allowed" : "denied")
              + ", got " + outcome);
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(denials).as("some calls are denied").isGreaterThan(50);
    int expectedDenials = denials;
    awaitTrue(() -> audited(AuditAction.AUDIT_ACTION_PERMISSION_DENIED) - deniedBefore == expectedDenials);
  }

  @Test
  void withoutACredential_everyMethodIsUnauthenticated_andEachRefusalIsCountedInTheAudit() throws Exception {
    Map<String, Supplier<Message>> samples = samples();
    // every earlier refusal (all from this peer) is written, its window closed, before counting
    await().atMost(Duration.ofSeconds(3L * REFUSAL_WINDOW_SECONDS)).until(() -> refusalsAudited()
        == RefusalTesting.metric(gantry.server, "gantry_refusals_total{kind=\"credential_rejected\""));
    int eventsBefore = audited(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED);
    long refusalsBefore = refusalsAudited();
    long started = System.nanoTime();
    for (MethodDescriptor<?, ?> method : everyMethod()) {
      assertThat(call(method, samples.get(method.getFullMethodName()).get(), null))
          .as(method.getFullMethodName()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    long windows = 1 + (System.nanoTime() - started) / TimeUnit.SECONDS.toNanos(REFUSAL_WINDOW_SECONDS);
    awaitTrue(() -> refusalsAudited() - refusalsBefore == everyMethod().size());
    assertThat((long) audited(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED) - eventsBefore)
        .as("one peer, no credential: per window, the first refusal and a summary of the rest")
        .isLessThanOrEqualTo(2 * windows).isLessThan(everyMethod().size());
  }

  /** The refused credentials the audit log accounts for: the sum of its CREDENTIAL_REJECTED events' counts. */
  private static long refusalsAudited() {
    return RefusalTesting.total(RefusalTesting.rejections(gantry.as(AuditGrpc.newBlockingStub(gantry.channel),
        VerifiedServer.ROOT), "peers/127.0.0.1"));
  }

  private static int audited(AuditAction action) {
    var audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    int count = 0;
    String token = "";
    do {
      var page = audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setAction(action).setPageSize(1000)
          .setPageToken(token).build());
      count += page.getEventsCount();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return count;
  }

  private static void awaitTrue(Supplier<Boolean> condition) {
    await("the audit log").atMost(Duration.ofSeconds(10)).until(condition::get);
  }

  /** Calls {@code method} with {@code request} (and a bearer credential, if any); the status it ended with. */
  @SuppressWarnings("unchecked")
  private static Status.Code call(MethodDescriptor<?, ?> method, Message request, String credential) {
    Channel channel = gantry.channel;
    if (credential != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + credential);
      channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    var typed = (MethodDescriptor<Message, Message>) method;
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS);
    try {
      switch (method.getType()) {
        case UNARY -> ClientCalls.blockingUnaryCall(channel, typed, options, request);
        case SERVER_STREAMING -> ClientCalls.blockingServerStreamingCall(channel, typed,
            options.withDeadlineAfter(1, TimeUnit.SECONDS), request).hasNext();
        case CLIENT_STREAMING -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          StreamObserver<Message> requests = ClientCalls.asyncClientStreamingCall(channel.newCall(typed, options),
              new StreamObserver<>() {
                @Override
                public void onNext(Message value) {}

                @Override
                public void onError(Throwable t) {
                  done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  done.complete(null);
                }
              });
          requests.onNext(request);
          requests.onCompleted();
          try {
            done.get(5, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            throw (StatusRuntimeException) e.getCause();
          }
        }
        default -> throw new AssertionError("no bidirectional streams in the API: " + method.getFullMethodName());
      }
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED
          && !"MISSING_ROLE".equals(TestRegistry.errorInfo(e).getReason())) {
        // the service's own refusal (cancelling another's promotion): the call got through
        return Status.Code.FAILED_PRECONDITION;
      }
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new AssertionError(method.getFullMethodName(), e);
    }
  }
}
