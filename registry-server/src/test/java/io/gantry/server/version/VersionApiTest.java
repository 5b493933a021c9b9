package io.gantry.server.version;

import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionApiTest {

  static String newModel() {
    String id = uniqueModel("taxi");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(id).build());
    return id;
  }

  static ModelVersion register(String model, ModelVersion.Builder version) {
    return registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setModelVersion(version).build());
  }

  static void report(String versionName, String dataset, String digest, Map<String, Double> metrics) {
    registry().reportEvaluation(ReportEvaluationRequest.newBuilder().setName(versionName)
        .setDataset(dataset).setDatasetDigest(digest).putAllMetrics(metrics).build());
  }

  @Test
  void versions_areNumberedFromOne_andReadyWithMetadataOnly() {
    String model = newModel();

    ModelVersion first = register(model, ModelVersion.newBuilder().setSource("s3://bucket/taxi/1")
        .setRunId("abc123").setRunLink("https://mlflow.example/runs/abc123").setDescription("baseline")
        .putTags("git_commit", "0a1b2c"));
    ModelVersion second = register(model, ModelVersion.newBuilder());

    assertThat(first.getName()).isEqualTo("models/" + model + "/versions/1");
    assertThat(first.getVersion()).isEqualTo(1);
    assertThat(first.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(first.getSource()).isEqualTo("s3://bucket/taxi/1");
    assertThat(first.getRunId()).isEqualTo("abc123");
    assertThat(first.getTagsMap()).containsEntry("git_commit", "0a1b2c");
    assertThat(first.getCreatedBy()).isEqualTo("alice");
    assertThat(second.getVersion()).isEqualTo(2);
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build())
        .getLatestVersion()).isEqualTo(2);
  }

  @Test
  void getModelVersion_acceptsTheMlflowUriForm() {
    String model = newModel();
    register(model, ModelVersion.newBuilder().setDescription("one"));

    ModelVersion got = registry().getModelVersion(
        GetModelVersionRequest.newBuilder().setName("models:/" + model + "/1").build());

    assertThat(got.getDescription()).isEqualTo("one");
  }

  @Test
  void getModelVersion_missing_saysWhetherModelOrVersionIsMissing() {
    String model = newModel();

    var noVersion = catchThrowableOfType(() -> registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/7").build()), StatusRuntimeException.class);
    var noModel = catchThrowableOfType(() -> registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName("models/" + model + "-nope/versions/1").build()), StatusRuntimeException.class);

    assertThat(noVersion.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(noVersion).getReason()).isEqualTo("VERSION_NOT_FOUND");
    assertThat(errorInfo(noModel).getReason()).isEqualTo("MODEL_NOT_FOUND");
  }

  @Test
  void createModelVersion_onMissingModel_isNotFound() {
    var e = catchThrowableOfType(() -> register(uniqueModel("absent"), ModelVersion.newBuilder()),
        StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void description_tags_andArchive_changeTheVersion() {
    String model = newModel();
    ModelVersion v1 = register(model, ModelVersion.newBuilder());

    ModelVersion described = registry("bob").updateModelVersion(UpdateModelVersionRequest.newBuilder()
        .setModelVersion(ModelVersion.newBuilder().setName(v1.getName()).setDescription("tuned").setEtag(v1.getEtag()))
        .build());
    registry().setVersionTag(SetVersionTagRequest.newBuilder().setName(v1.getName()).setKey("a").setValue("1").build());
    ModelVersion tagged = registry().setVersionTag(
        SetVersionTagRequest.newBuilder().setName(v1.getName()).setKey("b").setValue("2").build());
    ModelVersion untagged = registry().deleteVersionTag(
        DeleteVersionTagRequest.newBuilder().setName(v1.getName()).setKey("a").build());
    ModelVersion archived = registry().archiveModelVersion(
        ArchiveModelVersionRequest.newBuilder().setName(v1.getName()).build());
    ModelVersion archivedAgain = registry().archiveModelVersion(
        ArchiveModelVersionRequest.newBuilder().setName(v1.getName()).build());

    assertThat(described.getDescription()).isEqualTo("tuned");
    assertThat(described.getUpdatedBy()).isEqualTo("bob");
    assertThat(tagged.getTagsMap()).containsOnlyKeys("a", "b");
    assertThat(untagged.getTagsMap()).containsOnlyKeys("b");
    assertThat(archived.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
    assertThat(archivedAgain.getEtag()).isEqualTo(archived.getEtag());
  }

  @Test
  void evaluations_areAppended_andTheVersionShowsTheLatestValuePerDataset() {
    String model = newModel();
    ModelVersion v1 = register(model, ModelVersion.newBuilder());

    report(v1.getName(), "holdout", "sha256:aaa", Map.of("rmse", 6.1, "mae", 4.0));
    report(v1.getName(), "holdout", "sha256:bbb", Map.of("rmse", 5.2));
    report(v1.getName(), "shadow", "sha256:ccc", Map.of("rmse", 7.0));

    ModelVersion got = registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(v1.getName()).build());
    assertThat(got.getMetricsMap()).containsOnlyKeys("holdout", "shadow");
    assertThat(got.getMetricsMap().get("holdout").getMetricsMap()).containsEntry("rmse", 5.2).containsEntry("mae", 4.0);
    assertThat(got.getMetricsMap().get("holdout").getDatasetDigest()).isEqualTo("sha256:bbb");

    var history = registry().listEvaluations(ListEvaluationsRequest.newBuilder().setParent(v1.getName()).build());
    assertThat(history.getEvaluationsList()).hasSize(3);
    assertThat(history.getEvaluationsList()).extracting(e -> e.getMetricsMap().get("rmse"))
        .containsExactly(7.0, 5.2, 6.1);
  }

  @Test
  void evaluation_ofAnArchivedVersion_isFailedPrecondition() {
    String model = newModel();
    ModelVersion v1 = register(model, ModelVersion.newBuilder());
    registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder().setName(v1.getName()).build());

    var e = catchThrowableOfType(() -> report(v1.getName(), "holdout", "", Map.of("rmse", 1.0)),
        StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(e).getReason()).isEqualTo("VERSION_NOT_MUTABLE");
  }

  @Test
  void listModelVersions_filtersByStatusTagsAndMetrics() {
    String model = newModel();
    ModelVersion v1 = register(model, ModelVersion.newBuilder().putTags("git_commit", "aaa"));
    ModelVersion v2 = register(model, ModelVersion.newBuilder().putTags("git_commit", "bbb"));
    ModelVersion v3 = register(model, ModelVersion.newBuilder());
    report(v1.getName(), "holdout", "", Map.of("rmse", 6.0));
    report(v2.getName(), "holdout", "", Map.of("rmse", 5.0));
    report(v3.getName(), "holdout", "", Map.of("rmse", 4.0));
    registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder().setName(v3.getName()).build());

    assertThat(versions(model, "metrics.holdout.rmse <= 5.6")).containsExactly(3L, 2L);
    assertThat(versions(model, "status = READY AND metrics.holdout.rmse <= 5.6")).containsExactly(2L);
    assertThat(versions(model, "tags.git_commit = 'aaa' OR status = archived")).containsExactly(3L, 1L);
    assertThat(versions(model, "NOT (version > 1)")).containsExactly(1L);
    assertThat(versions(model, "metrics.shadow.rmse < 100")).isEmpty();
  }

  @Test
  void listModelVersions_acrossEveryModel_withWildcardParent() {
    String a = newModel();
    String b = newModel();
    register(a, ModelVersion.newBuilder());
    register(b, ModelVersion.newBuilder());

    var all = registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/-")
        .setFilter("name = '" + a + "' OR name = \"" + b + "\"").setOrderBy("create_time").build());

    assertThat(all.getModelVersionsList()).extracting(ModelVersion::getName)
        .containsExactly("models/" + a + "/versions/1", "models/" + b + "/versions/1");
  }

  private static List<Long> versions(String model, String filter) {
    return registry().listModelVersions(ListModelVersionsRequest.newBuilder()
            .setParent("models/" + model).setFilter(filter).build())
        .getModelVersionsList().stream().map(ModelVersion::getVersion).toList();
  }
}
