package io.gantry.server.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportModelResponse;
import io.gantry.v1.ImportedModel;
import io.gantry.v1.ImportedVersion;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Importing a model as another registry recorded it: numbers, times and users kept, audited, and rerunnable. */
class ImportApiTest {

  private static final long CREATED = 1672601487738L;

  private static ImportsGrpc.ImportsBlockingStub imports() {
    return TestRegistry.as(ImportsGrpc.newBlockingStub(TestRegistry.channel()), "admin");
  }

  private static ImportedModel wine(String model) {
    return ImportedModel.newBuilder().setModelId(model).setDescription("Sklearn Wine Quality model")
        .putTags("info", "wine").setCreateTime(Timestamps.fromMillis(CREATED)).setCreatedBy("andre")
        .addVersions(ImportedVersion.newBuilder().setVersion(1).setSource("s3://mlruns/1/abc/artifacts/model")
            .setRunId("939157df").putTags("registered_version_info", "v1").setCreateTime(
                Timestamps.fromMillis(CREATED + 11)).setCreatedBy("andre"))
        .addVersions(ImportedVersion.newBuilder().setVersion(4).setSource("s3://mlruns/1/def/artifacts/model")
            .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED))
        .putAliases("production", 1)
        .build();
  }

  @Test
  void aModel_isImportedAsRecorded_andARerunChangesNothing() {
    String model = TestRegistry.uniqueModel("wine");
    ImportModelResponse first = imports().importModel(ImportModelRequest.newBuilder()
        .setSource("mlflow:http://mlflow.test:5000").setModel(wine(model)).build());
    assertThat(first.getModelCreated()).isTrue();
    assertThat(first.getVersionsCreatedList()).containsExactly(1L, 4L);
    assertThat(first.getAliasesSetList()).containsExactly("production");

    var registered = TestRegistry.registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build());
    assertThat(registered.getCreatedBy()).isEqualTo("andre");
    assertThat(Timestamps.toMillis(registered.getCreateTime())).isEqualTo(CREATED);
    assertThat(registered.getLatestVersion()).as("numbers kept, gaps included").isEqualTo(4);
    ModelVersion v1 = TestRegistry.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/1").build());
    assertThat(v1.getRunId()).isEqualTo("939157df");
    assertThat(v1.getTagsMap()).containsEntry("registered_version_info", "v1");
    assertThat(Timestamps.toMillis(v1.getCreateTime())).isEqualTo(CREATED + 11);
    assertThat(TestRegistry.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/4").build()).getStatus())
        .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
    assertThat(TestRegistry.registry().resolveAlias(ResolveAliasRequest.newBuilder()
        .setName("models:/" + model + "@production").build()).getVersion()).isEqualTo(1);
    assertThat(TestRegistry.registry().listAliasHistory(ListAliasHistoryRequest.newBuilder()
        .setParent("models/" + model).build()).getMovesList()).hasSize(1);
    // a version registered afterwards follows the highest imported number
    assertThat(TestRegistry.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).build()).getVersion()).isEqualTo(5);

    List<AuditEvent> imported = AuditGrpc.newBlockingStub(TestRegistry.channel()).listAuditEvents(
        ListAuditEventsRequest.newBuilder().setResourcePrefix("models/" + model)
            .setAction(AuditAction.AUDIT_ACTION_IMPORTED).build()).getEventsList();
    assertThat(imported).extracting(AuditEvent::getResource).containsExactly("models/" + model, "models/" + model,
        "models/" + model + "/versions/1", "models/" + model + "/versions/4", "models/" + model
            + "/aliases/production");
    assertThat(imported).allSatisfy(e -> assertThat(e.getActor()).isEqualTo("admin"));
    assertThat(imported.get(0).getPayload().getFieldsOrThrow("recorded_created_by").getStringValue())
        .isEqualTo("andre");
    assertThat(imported.get(0).getPayload().getFieldsOrThrow("source").getStringValue())
        .isEqualTo("mlflow:http://mlflow.test:5000");

    Integer before = TestRegistry.rowCounts().get("audit_event");
    ImportModelResponse again = imports().importModel(ImportModelRequest.newBuilder()
        .setSource("mlflow:http://mlflow.test:5000").setModel(wine(model)).build());
    assertThat(again.getModelCreated()).isFalse();
    assertThat(again.getVersionsCreatedList()).isEmpty();
    assertThat(again.getUnchangedList()).containsExactly("models/" + model + "/versions/1",
        "models/" + model + "/versions/4", "models/" + model + "/aliases/production");
    assertThat(TestRegistry.rowCounts().get("audit_event")).as("a rerun records nothing").isEqualTo(before);
  }

  @Test
  void badImports_areRefusedNamingTheField_andStoreNothing() {
    var counts = TestRegistry.rowCounts();
    String model = TestRegistry.uniqueModel("bad-import");
    for (ImportModelRequest bad : List.of(
        ImportModelRequest.newBuilder().setModel(wine(model)).build(),
        ImportModelRequest.newBuilder().setSource("s").setModel(wine(model).toBuilder().setModelId("a/b")).build(),
        ImportModelRequest.newBuilder().setSource("s").setModel(wine(model).toBuilder()
            .addVersions(ImportedVersion.newBuilder().setVersion(1))).build(),
        ImportModelRequest.newBuilder().setSource("s").setModel(wine(model).toBuilder().putAliases("latest", 1))
            .build(),
        ImportModelRequest.newBuilder().setSource("s").setModel(wine(model).toBuilder()
            .addVersions(ImportedVersion.newBuilder().setVersion(0))).build(),
        ImportModelRequest.newBuilder().setSource("s").setModel(wine(model).toBuilder()
            .addVersions(ImportedVersion.newBuilder().setVersion(9).setManagedArtifacts(true)
                .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED))).build())) {
      var refused = catchThrowableOfType(() -> imports().importModel(bad), StatusRuntimeException.class);
      assertThat(refused.getStatus().getCode()).as(bad.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(TestRegistry.violations(refused)).as(bad.toString()).isNotEmpty();
    }
    assertThat(TestRegistry.rowCounts()).isEqualTo(counts);
  }
}
