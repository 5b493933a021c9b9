package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.google.protobuf.Struct;
import io.gantry.client.TestFixtures;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.Evaluation;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.RegisteredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI, run in-process, against a real server on its own embedded PostgreSQL. */
class CliAgainstServerTest {

  @TempDir
  static Path dataDir;

  private static final Path MODEL_DIR = TestFixtures.mlflowModelDirectory();

  private static GantryServer server;
  private static Map<String, String> env;

  @BeforeAll
  static void startServer() {
    server = GantryServer.start(ServerConfig.fromEnvironment(
        Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "alice");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void modelLifecycle() throws Exception {
    RegisteredModel created = CliResult.json(RegisteredModel.getDefaultInstance(), CliResult.succeed(env, 
        "models", "create", "taxi-fare", "--description", "NYC fares", "--tag", "team=pricing", "-o", "json"));
    assertThat(created.getName()).isEqualTo("models/taxi-fare");
    assertThat(created.getCreatedBy()).isEqualTo("alice");
    assertThat(created.getTagsMap()).containsEntry("team", "pricing");

    assertThat(CliResult.fields(CliResult.succeed(env, "models", "get", "taxi-fare"))).contains(
        entry("name", "models/taxi-fare"),
        entry("description", "NYC fares"),
        entry("latest_version", "0"),
        entry("tags.team", "pricing"));

    RegisteredModel updated = CliResult.json(RegisteredModel.getDefaultInstance(), CliResult.succeed(env, 
        "models", "update", "models/taxi-fare", "--description", "NYC yellow cab fares", "--etag",
        created.getEtag(), "--user", "bob", "-o", "json"));
    assertThat(updated.getDescription()).isEqualTo("NYC yellow cab fares");
    assertThat(updated.getUpdatedBy()).isEqualTo("bob");
    assertThat(updated.getEtag()).isNotEqualTo(created.getEtag());

    RegisteredModel tagged = CliResult.json(RegisteredModel.getDefaultInstance(), CliResult.succeed(env, 
        "models", "tag", "taxi-fare", "owner=carol", "query=a=b", "--delete", "team", "-o", "json"));
    assertThat(tagged.getTagsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("owner", "carol", "query", "a=b"));

    assertThat(CliResult.succeed(env, "models", "delete", "taxi-fare")).isEqualTo("deleted models/taxi-fare\n");
    CliResult gone = CliResult.run(env, "models", "get", "taxi-fare");
    assertThat(gone.exitCode()).isEqualTo(3);
    assertThat(gone.err()).startsWith("error: NOT_FOUND (MODEL_NOT_FOUND): ");
  }

  @Test
  void listsOnePageOrEveryPage() throws Exception {
    for (String name : List.of("paged-a", "paged-b", "paged-c")) {
      CliResult.succeed(env, "models", "create", name);
    }
    String filter = "name LIKE \"paged-%\"";

    List<String> firstPage = CliResult.succeed(env, "models", "list", "--filter", filter, "--order-by", "name", "--page-size", "2")
        .lines().toList();
    assertThat(firstPage).hasSize(4);
    assertThat(firstPage.get(0)).startsWith("NAME").contains("LATEST_VERSION", "UPDATED", "DESCRIPTION");
    assertThat(firstPage.get(1)).startsWith("paged-a ");
    assertThat(firstPage.get(2)).startsWith("paged-b ");
    assertThat(firstPage.get(3)).startsWith("more: --page-token ");

    String token = firstPage.get(3).split(" ")[2];
    ListModelsResponse secondPage = CliResult.json(ListModelsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "models", "list", "--filter", filter, "--order-by", "name", "--page-size", "2", "--page-token", token,
        "-o", "json"));
    assertThat(secondPage.getModelsList()).extracting(RegisteredModel::getName).containsExactly("models/paged-c");

    ListModelsResponse all = CliResult.json(ListModelsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "models", "list", "--filter", filter, "--order-by", "name desc", "--page-size", "1", "--all", "-o", "json"));
    assertThat(all.getModelsList()).extracting(RegisteredModel::getName)
        .containsExactly("models/paged-c", "models/paged-b", "models/paged-a");
    assertThat(all.getNextPageToken()).isEmpty();
  }

  @Test
  void registersAnMlflowDirectoryAndWorksWithItsVersions() throws Exception {
    CliResult.succeed(env, "models", "create", "wine");

    ModelVersion registered = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, 
        "versions", "register", "wine", MODEL_DIR.toString(), "--description", "first cut", "--tag", "git_commit=abc123",
        "-o", "json"));
    assertThat(registered.getName()).isEqualTo("models/wine/versions/1");
    assertThat(registered.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(registered.getManagedArtifacts()).as("the files were uploaded").isTrue();
    assertThat(registered.getManifestDigest()).matches("sha256:[0-9a-f]{64}");
    assertThat(registered.getSource()).as("the registry holds the files").isEmpty();
    assertThat(registered.getCreatedBy()).isEqualTo("alice");
    assertThat(registered.getFiles().getMlmodel()).isEqualTo(Files.readString(MODEL_DIR.resolve("MLmodel")));
    assertThat(registered.getFiles().getRequirementsTxt())
        .isEqualTo(Files.readString(MODEL_DIR.resolve("requirements.txt")));
    assertThat(registered.getFiles().getCondaYaml()).isEqualTo(Files.readString(MODEL_DIR.resolve("conda.yaml")));
    assertThat(registered.getFiles().getPythonEnvYaml())
        .isEqualTo(Files.readString(MODEL_DIR.resolve("python_env.yaml")));

    String second = CliResult.succeed(env, "versions", "register", "wine", MODEL_DIR.toString(), "--source", "s3://models/wine/2");
    assertThat(CliResult.fields(second)).contains(
        entry("name", "models/wine/versions/2"), entry("version", "2"), entry("status", "READY"));

    assertThat(CliResult.fields(CliResult.succeed(env, "versions", "get", "models:/wine/1")))
        .contains(entry("description", "first cut"), entry("tags.git_commit", "abc123"));
    assertThat(CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, "versions", "get", "wine", "2", "-o", "json")).getSource())
        .isEqualTo("s3://models/wine/2");

    ModelVersion described = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, 
        "versions", "update", "wine", "2", "--description", "tuned", "-o", "json"));
    assertThat(described.getDescription()).isEqualTo("tuned");

    ModelVersion tagged = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, 
        "versions", "tag", "models:/wine/2", "stage=candidate", "reviewed=yes", "-o", "json"));
    assertThat(tagged.getTagsMap()).containsEntry("stage", "candidate").containsEntry("reviewed", "yes");
    tagged = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, "versions", "tag", "wine", "2", "--delete", "reviewed", "-o", "json"));
    assertThat(tagged.getTagsMap()).containsOnlyKeys("stage");

    ModelVersion archived = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, "versions", "archive", "wine", "1", "-o", "json"));
    assertThat(archived.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);

    List<String> table = CliResult.succeed(env, "versions", "list", "wine", "--order-by", "version").lines().toList();
    assertThat(table).hasSize(3);
    assertThat(table.get(0).split(" +")).containsExactly("MODEL", "VERSION", "STATUS", "CREATED", "CREATED_BY", "DESCRIPTION");
    assertThat(table.get(1).split(" +")).startsWith("wine", "1", "ARCHIVED").contains("alice");
    assertThat(table.get(2).split(" +")).startsWith("wine", "2", "READY").endsWith("tuned");

    ListModelVersionsResponse ready = CliResult.json(ListModelVersionsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "versions", "list", "wine", "--filter", "status = READY", "--all", "-o", "json"));
    assertThat(ready.getModelVersionsList()).extracting(ModelVersion::getVersion).containsExactly(2L);

    CliResult stillActive = CliResult.run(env, "models", "delete", "wine");
    assertThat(stillActive.exitCode()).isEqualTo(5);
    assertThat(stillActive.err()).startsWith("error: FAILED_PRECONDITION (MODEL_HAS_ACTIVE_VERSIONS): ");
  }

  @Test
  void aRetriedRegistrationReturnsTheFirstVersion() throws Exception {
    CliResult.succeed(env, "models", "create", "retried");
    String[] register = {"versions", "register", "retried", MODEL_DIR.toString(), "--request-id", "run-42", "-o", "json"};

    ModelVersion first = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, register));
    ModelVersion retry = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, register));

    assertThat(retry.getName()).isEqualTo(first.getName()).isEqualTo("models/retried/versions/1");
    assertThat(CliResult.json(ListModelVersionsResponse.getDefaultInstance(), CliResult.succeed(env, "versions", "list", "retried", "-o", "json"))
        .getModelVersionsCount()).isEqualTo(1);
  }

  @Test
  void reportsEvaluationsThatTheVersionThenShows() throws Exception {
    CliResult.succeed(env, "models", "create", "fraud");
    CliResult.succeed(env, "versions", "register", "fraud", MODEL_DIR.toString());

    Evaluation evaluation = CliResult.json(Evaluation.getDefaultInstance(), CliResult.succeed(env, 
        "eval", "report", "models:/fraud/1", "--dataset", "holdout", "--digest", "sha256:0f1e",
        "--metric", "auc=0.91", "--metric", "recall=0.7", "-o", "json"));
    assertThat(evaluation.getName()).startsWith("models/fraud/versions/1/evaluations/");
    assertThat(evaluation.getMetricsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("auc", 0.91, "recall", 0.7));
    assertThat(evaluation.getCreatedBy()).isEqualTo("alice");

    assertThat(CliResult.fields(CliResult.succeed(env, 
        "eval", "report", "fraud", "1", "--dataset", "holdout", "--digest", "sha256:0f1e", "--metric", "auc=0.93")))
        .contains(entry("dataset", "holdout"), entry("metrics.auc", "0.93"));

    assertThat(CliResult.fields(CliResult.succeed(env, "versions", "get", "fraud", "1"))).contains(
        entry("datasets.holdout.digest", "sha256:0f1e"),
        entry("metrics.holdout.auc", "0.93"),
        entry("metrics.holdout.recall", "0.7"));
  }

  @Test
  void aBadModelNameIsRefusedNamingTheField() {
    CliResult result = CliResult.run(env, "models", "create", "../etc");

    assertThat(result.exitCode()).isEqualTo(4);
    List<String> lines = result.err().lines().toList();
    assertThat(lines.get(0)).startsWith("error: INVALID_ARGUMENT (INVALID_FIELD): ");
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("  model_id: "));
  }

  @Test
  void aMissingModelOrVersionIsNotFound() {
    CliResult model = CliResult.run(env, "versions", "list", "no-such-model");
    assertThat(model.exitCode()).isEqualTo(3);
    assertThat(model.err()).contains("MODEL_NOT_FOUND");

    CliResult.succeed(env, "models", "create", "versionless");
    CliResult version = CliResult.run(env, "versions", "get", "models:/versionless/7");
    assertThat(version.exitCode()).isEqualTo(3);
    assertThat(version.err()).startsWith("error: NOT_FOUND (VERSION_NOT_FOUND): ");
  }

  @Test
  void benchRunsForItsDurationAndReportsTheFigures() throws Exception {
    for (String workload : List.of("health", "get", "create")) {
      long start = System.nanoTime();
      Struct report = CliResult.json(Struct.getDefaultInstance(), CliResult.succeed(env, 
          "bench", workload, "--concurrency", "2", "--duration", "1", "--warmup", "0", "--model", "bench-test",
          "-o", "json"));
      double seconds = (System.nanoTime() - start) / 1e9;

      assertThat(seconds).as(workload).isLessThan(4);
      assertThat(report.getFieldsMap()).as(workload)
          .containsKeys("requestsPerS", "p50Ms", "p90Ms", "p99Ms", "p999Ms", "errors");
      assertThat(report.getFieldsOrThrow("requests").getNumberValue()).as(workload).isPositive();
      assertThat(report.getFieldsOrThrow("errors").getNumberValue()).as(workload).isZero();
      assertThat(report.getFieldsOrThrow("p99Ms").getNumberValue()).as(workload).isPositive();
    }

    assertThat(CliResult.fields(CliResult.succeed(env, "bench", "health", "--duration", "0.2", "--warmup", "0")))
        .hasEntrySatisfying("p999_ms", value -> assertThat(value).matches("[0-9.]+"))
        .hasEntrySatisfying("requests_per_s", value -> assertThat(value).matches("[0-9.]+"));
  }
}
