package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.gantry.client.GantryClient;
import io.gantry.client.TestFixtures;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.ResolveAliasRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry import mlflow} against a real server: from an mlflow-export-import export (a test resource), and
 * from a live MLflow-shaped HTTP server in the test ({@link RecordingHttpHost}) that answers with recorded MLflow
 * responses (the source side only).
 */
class ImportCliTest {

  @TempDir
  static Path dir;

  private static final Path WINE = TestFixtures.mlflowExport();

  @RegisterExtension
  static final LocalServer gantry = new LocalServer();

  private static Map<String, String> env = Map.of();

  @BeforeAll
  static void caller() {
    env = gantry.env("importer");
  }

  private static GantryClient client() {
    return gantry.client("reader");
  }

  @Test
  void theSharedExport_imports_asRecorded_andAgainChangesNothing() throws Exception {
    CliResult first = CliResult.run(env, "import", "mlflow", "--from-file", WINE.toString());
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(CliResult.rows(first.out())).contains(java.util.List.of("sklearn_wine", "yes", "1", "production", "0"));
    assertThat(first.err()).contains("[1/1] sklearn_wine (1 versions)",
        "imported 1 of 1 models from mlflow-file:exported-registered-model_sklearn_wine.json: 1 created, 1 versions, "
            + "1 aliases");
    try (GantryClient client = client()) {
      var model = client.registry().getModel(GetModelRequest.newBuilder().setName("models/sklearn_wine").build());
      assertThat(model.getDescription()).isEqualTo("Skearn Wine Quality model");
      assertThat(model.getTagsMap()).containsEntry("info", "Skearn Wine Quality model");
      assertThat(Timestamps.toMillis(model.getCreateTime())).isEqualTo(1672601487738L);
      assertThat(model.getCreatedBy()).as("MLflow recorded no user").isEqualTo("importer");
      var version = client.registry().resolveAlias(ResolveAliasRequest.newBuilder()
          .setName("models:/sklearn_wine@production").build());
      assertThat(version.getVersion()).isEqualTo(1);
      assertThat(version.getRunId()).isEqualTo("939157dfaaf24244adafcb72acdfc4a6");
      assertThat(version.getTagsMap()).containsEntry("registered_version_info", "v1 Production - wine");
      assertThat(Timestamps.toMillis(version.getCreateTime())).isEqualTo(1672601487749L);
    }
    CliResult again = CliResult.run(env, "import", "mlflow", "--from-file", WINE.toString());
    assertThat(again.exitCode()).isZero();
    assertThat(CliResult.rows(again.out())).contains(java.util.List.of("sklearn_wine", "no", "-", "-", "2"));
  }

  @Test
  void aLiveMlflowServer_isReadPageByPage_numbersGapsStagesAndAliasesKept() throws Exception {
    try (RecordingHttpHost mlflow = RecordingHttpHost.start()) {
      mlflow.answer("/api/2.0/mlflow/registered-models/search?max_results=100", """
          {"registered_models": [{"name": "churn", "creation_timestamp": 1700000000000, "user_id": "maria",
            "tags": [{"key": "team", "value": "growth"}]}], "next_page_token": "p2"}""");
      mlflow.answer("/api/2.0/mlflow/registered-models/search?max_results=100&page_token=p2", """
          {"registered_models": [{"name": "fraud", "aliases": [{"alias": "champion", "version": "3"}]}]}""");
      mlflow.answer("/api/2.0/mlflow/model-versions/search?max_results=100&filter=name%3D%27churn%27", """
          {"model_versions": [{"name": "churn", "version": "1", "current_stage": "Archived", "status": "READY",
            "source": "s3://ml/churn/1", "creation_timestamp": 1700000001000, "user_id": "maria"},
           {"name": "churn", "version": "2", "current_stage": "Staging", "status": "READY",
            "source": "s3://ml/churn/2"}]}""");
      mlflow.answer("/api/2.0/mlflow/model-versions/search?max_results=100&filter=name%3D%27fraud%27", """
          {"model_versions": [{"name": "fraud", "version": "1", "current_stage": "None", "source": "s3://f/1"},
           {"name": "fraud", "version": "3", "current_stage": "Production", "source": "s3://f/3",
            "status": "FAILED_REGISTRATION"}]}""");
      CliResult result = CliResult.run(env, "import", "mlflow", "--from", mlflow.origin(), "-o", "json");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out().lines()).hasSize(2);
      try (GantryClient client = client()) {
        assertThat(client.registry().getModelVersion(GetModelVersionRequest.newBuilder()
            .setName("models/churn/versions/1").build()).getStatus())
            .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
        assertThat(client.registry().resolveAlias(ResolveAliasRequest.newBuilder()
            .setName("models:/churn@staging").build()).getVersion()).isEqualTo(2);
        assertThat(client.registry().getModel(GetModelRequest.newBuilder().setName("models/churn").build())
            .getCreatedBy()).isEqualTo("maria");
        assertThat(client.registry().resolveAlias(ResolveAliasRequest.newBuilder()
            .setName("models:/fraud@champion").build()).getVersion()).as("numbers kept: 1 and 3").isEqualTo(3);
        assertThat(client.registry().resolveAlias(ResolveAliasRequest.newBuilder()
            .setName("models:/fraud@production").build()).getStatus())
            .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_FAILED);
      }
    }
  }

  @Test
  void anUnreadableSource_orABadModel_isReported_andTheOthersStillImport() throws Exception {
    CliResult missing = CliResult.run(env, "import", "mlflow", "--from-file", dir.resolve("absent.json").toString());
    assertThat(missing.exitCode()).isEqualTo(GantryCli.EXIT_OTHER);
    assertThat(missing.err()).contains("absent.json cannot be read as JSON");

    Path pages = dir.resolve("pages.json");
    Files.writeString(pages, """
        {"registered_models": [{"name": "bad/name"}, {"name": "good-one"}],
         "model_versions": [{"name": "good-one", "version": "1", "source": "s3://g/1"}]}""");
    CliResult partly = CliResult.run(env, "import", "mlflow", "--from-file", pages.toString());
    assertThat(partly.exitCode()).isEqualTo(GantryCli.EXIT_OTHER);
    assertThat(partly.err()).contains("error: bad/name: INVALID_ARGUMENT", "imported 1 of 2 models",
        "; 1 failed");
    assertThat(CliResult.rows(partly.out())).contains(java.util.List.of("good-one", "yes", "1", "-", "0"));
  }

  @Test
  void withArtifacts_theFilesThatCanBeReached_areCopiedAndVerified_theOthersKeepTheirSource() throws Exception {
    Path local = dir.resolve("local-model");
    Files.createDirectories(local);
    Files.writeString(local.resolve("MLmodel"), "flavors: {}\n");
    String weights = "weights from the proxy";
    try (RecordingHttpHost mlflow = RecordingHttpHost.start()) {
      mlflow.registry("copied", """
          [{"name": "copied", "version": "1", "source": "mlflow-artifacts:/7/run1/artifacts/model"},
           {"name": "copied", "version": "2", "source": "%s"},
           {"name": "copied", "version": "3", "source": "s3://unreachable/model"}]"""
          .formatted(local.toAbsolutePath()));
      mlflow.proxy("7/run1/artifacts/model", Map.of("MLmodel", "flavors: {}\n", "data/weights.bin", weights));
      CliResult result = CliResult.run(env, "import", "mlflow", "--from", mlflow.origin(), "--with-artifacts",
          "--artifact-root", dir.toString());
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("the files of 2 versions copied");
      try (GantryClient client = client()) {
        var proxied = client.artifacts().listArtifacts(io.gantry.v1.ListArtifactsRequest.newBuilder()
            .setVersion("models/copied/versions/1").build());
        assertThat(proxied.getFilesList()).extracting(f -> f.getPath() + ":" + f.getSize())
            .containsExactlyInAnyOrder("MLmodel:12", "data/weights.bin:" + weights.length());
        for (int v = 1; v <= 2; v++) {
          assertThat(client.registry().getModelVersion(GetModelVersionRequest.newBuilder()
              .setName("models/copied/versions/" + v).build()).getStatus())
              .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
        }
        var unreachable = client.registry().getModelVersion(GetModelVersionRequest.newBuilder()
            .setName("models/copied/versions/3").build());
        assertThat(unreachable.getManagedArtifacts()).isFalse();
        assertThat(unreachable.getSource()).isEqualTo("s3://unreachable/model");
      }
    }
  }
}
