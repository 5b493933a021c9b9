package io.gantry.server.audit;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.FieldMask;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each mutating call writes exactly its events, in its own transaction; refused calls write none. */
class AuditTrailTest {

  static Stream<Arguments> mutations() {
    return Stream.of(
        call("CreateModel", m -> { }, m -> registry("ana").createModel(
                CreateModelRequest.newBuilder().setModelId(m).setRequestId("rq-" + m)
                    .setModel(RegisteredModel.newBuilder().setDescription("d").putTags("team", "risk")).build()),
            List.of(event(AuditAction.AUDIT_ACTION_MODEL_CREATED, "", "\"tags\":{\"team\":\"risk\"}"))),
        call("UpdateModel", AuditTrailTest::model, m -> registry("ana").updateModel(UpdateModelRequest.newBuilder()
                .setModel(RegisteredModel.newBuilder().setName("models/" + m).setDescription("new"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build()),
            List.of(event(AuditAction.AUDIT_ACTION_MODEL_UPDATED, "",
                "\"after\":{\"description\":\"new\"},\"before\":{\"description\":\"\"}"))),
        call("SetModelTag", AuditTrailTest::model, m -> registry("ana").setModelTag(SetModelTagRequest.newBuilder()
                .setName("models/" + m).setKey("k").setValue("v").build()),
            List.of(event(AuditAction.AUDIT_ACTION_TAG_SET, "", "\"after\":\"v\",\"before\":null,\"key\":\"k\""))),
        call("DeleteModelTag", m -> {
              model(m);
              registry().setModelTag(SetModelTagRequest.newBuilder().setName("models/" + m).setKey("k").setValue("v")
                  .build());
            }, m -> registry("ana").deleteModelTag(DeleteModelTagRequest.newBuilder().setName("models/" + m)
                .setKey("k").build()),
            List.of(event(AuditAction.AUDIT_ACTION_TAG_DELETED, "", "\"before\":\"v\""))),
        call("DeleteModel", AuditTrailTest::model, m -> registry("ana").deleteModel(
                DeleteModelRequest.newBuilder().setName("models/" + m).build()),
            List.of(event(AuditAction.AUDIT_ACTION_MODEL_DELETED, "", ""))),
        call("CreateModelVersion", AuditTrailTest::model, m -> registry("ana").createModelVersion(
                CreateModelVersionRequest.newBuilder().setParent("models/" + m).setModelVersion(
                    ModelVersion.newBuilder().setSource("s3://b/m")).build()),
            List.of(event(AuditAction.AUDIT_ACTION_VERSION_CREATED, "/versions/1", "\"source\":\"s3://b/m\""))),
        call("UpdateModelVersion", AuditTrailTest::modelWithVersion, m -> registry("ana").updateModelVersion(
                UpdateModelVersionRequest.newBuilder().setModelVersion(ModelVersion.newBuilder()
                    .setName("models/" + m + "/versions/1").setDescription("tuned")).build()),
            List.of(event(AuditAction.AUDIT_ACTION_VERSION_UPDATED, "/versions/1", "\"description\":\"tuned\""))),
        call("ArchiveModelVersion", AuditTrailTest::modelWithVersion, m -> registry("ana").archiveModelVersion(
                ArchiveModelVersionRequest.newBuilder().setName("models/" + m + "/versions/1").build()),
            List.of(event(AuditAction.AUDIT_ACTION_VERSION_ARCHIVED, "/versions/1", "\"status\":\"ARCHIVED\""))),
        call("SetVersionTag", AuditTrailTest::modelWithVersion, m -> registry("ana").setVersionTag(
                SetVersionTagRequest.newBuilder().setName("models/" + m + "/versions/1").setKey("k").setValue("v")
                    .build()),
            List.of(event(AuditAction.AUDIT_ACTION_TAG_SET, "/versions/1", "\"key\":\"k\""))),
        call("DeleteVersionTag", m -> {
              modelWithVersion(m);
              registry().setVersionTag(SetVersionTagRequest.newBuilder().setName("models/" + m + "/versions/1")
                  .setKey("k").setValue("v").build());
            }, m -> registry("ana").deleteVersionTag(DeleteVersionTagRequest.newBuilder()
                .setName("models/" + m + "/versions/1").setKey("k").build()),
            List.of(event(AuditAction.AUDIT_ACTION_TAG_DELETED, "/versions/1", "\"key\":\"k\""))),
        call("ReportEvaluation", AuditTrailTest::modelWithVersion, m -> registry("ana").reportEvaluation(
                ReportEvaluationRequest.newBuilder().setName("models/" + m + "/versions/1").setDataset("holdout")
                    .putMetrics("rmse", 5.5).build()),
            List.of(event(AuditAction.AUDIT_ACTION_EVALUATION_REPORTED, "/versions/1/evaluations/",
                "\"metrics\":{\"rmse\":5.5}"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void mutatingCall_writesExactlyItsEvents(String rpc, Consumer<String> setup, Consumer<String> mutation,
      List<Expected> expected) {
    String model = uniqueModel("audit");
    setup.accept(model);
    long before = events(model).size();

    mutation.accept(model);

    List<AuditEvent> written = events(model).subList((int) before, events(model).size());
    assertThat(written).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      AuditEvent event = written.get(i);
      Expected want = expected.get(i);
      assertThat(event.getAction()).as(rpc).isEqualTo(want.action());
      assertThat(event.getActor()).isEqualTo("ana");
      assertThat(event.getResource()).startsWith("models/" + model + want.resourceSuffix());
      assertThat(event.getCanonical()).contains(want.canonicalFragment());
    }
  }

  @Test
  void refusedCalls_writeNoEvent() {
    String model = uniqueModel("audit-refused");
    model(model);
    long before = events(model).size();

    catchThrowableOfType(() -> registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build()),
        StatusRuntimeException.class);
    catchThrowableOfType(() -> registry().updateModel(UpdateModelRequest.newBuilder().setModel(
        RegisteredModel.newBuilder().setName("models/" + model).setEtag("999")).build()), StatusRuntimeException.class);
    catchThrowableOfType(() -> registry().deleteModelTag(DeleteModelTagRequest.newBuilder()
        .setName("models/" + model).setKey("absent").build()), StatusRuntimeException.class);
    catchThrowableOfType(() -> registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setModelVersion(ModelVersion.newBuilder()
            .setFiles(io.gantry.v1.MlflowFiles.newBuilder().setMlmodel(": bad"))).build()),
        StatusRuntimeException.class);

    assertThat(events(model)).hasSize((int) before);
  }

  @Test
  void idempotentRetry_writesNoSecondEvent() {
    String model = uniqueModel("audit-retry");
    CreateModelRequest request = CreateModelRequest.newBuilder().setModelId(model).setRequestId("once-" + model)
        .build();

    registry().createModel(request);
    registry().createModel(request);

    assertThat(events(model)).singleElement().satisfies(e -> {
      assertThat(e.getAction()).isEqualTo(AuditAction.AUDIT_ACTION_MODEL_CREATED);
      assertThat(e.getRequestId()).isEqualTo("once-" + model);
    });
  }

  @Test
  void events_haveGapFreeSequenceNumbers() {
    model(uniqueModel("audit-seq"));
    var audit = AuditGrpc.newBlockingStub(TestRegistry.channel());
    long expected = 0;
    String token = "";
    do {
      var page = audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(500).setPageToken(token).build());
      for (AuditEvent event : page.getEventsList()) {
        assertThat(event.getSeq()).isEqualTo(expected++);
      }
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertThat(expected).isPositive();
  }

  record Expected(AuditAction action, String resourceSuffix, String canonicalFragment) {}

  private static Expected event(AuditAction action, String resourceSuffix, String canonicalFragment) {
    return new Expected(action, resourceSuffix, canonicalFragment);
  }

  private static Arguments call(String rpc, Consumer<String> setup, Consumer<String> mutation, List<Expected> events) {
    return Arguments.of(rpc, setup, mutation, events);
  }

  static void model(String model) {
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
  }

  static void modelWithVersion(String model) {
    model(model);
    registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
  }

  static List<AuditEvent> events(String model) {
    return AuditGrpc.newBlockingStub(TestRegistry.channel()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setResourcePrefix("models/" + model).setPageSize(1000).build()).getEventsList();
  }
}
