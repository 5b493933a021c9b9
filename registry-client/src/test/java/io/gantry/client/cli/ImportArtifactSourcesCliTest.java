package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.client.GantryClient;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry import mlflow --with-artifacts} fetches only what the importer was told it may: local files only
 * under --artifact-root, remote files only from the --from server's origin or a store named with --artifact-source,
 * and the MLflow token only to the --from server. A real Gantry server; real HTTP servers play MLflow and a host an
 * attacker named in the export, recording what they receive.
 */
class ImportArtifactSourcesCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "mlflow-secret-token";
  private static final String PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot really\n";

  @TempDir
  static Path dir;

  @RegisterExtension
  static final LocalServer gantry = new LocalServer();

  private static Map<String, String> env = Map.of();
  private static Path home;
  private static Path models;

  @BeforeAll
  static void filesOnThisMachine() throws Exception {
    env = gantry.env("importer");
    home = dir.resolve("home");
    Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(home.resolve(".ssh/id_ed25519"), PRIVATE_KEY);
    models = dir.resolve("models");
    Files.createDirectories(models.resolve("churn/data"));
    Files.writeString(models.resolve("churn/MLmodel"), "flavors: {}\n");
    Files.writeString(models.resolve("churn/data/weights.bin"), "weights");
    Files.createSymbolicLink(models.resolve("ssh-link"), home.resolve(".ssh"));
    Files.createDirectories(models.resolve("sneaky"));
    Files.writeString(models.resolve("sneaky/MLmodel"), "flavors: {}\n");
    Files.createSymbolicLink(models.resolve("sneaky/key"), home.resolve(".ssh/id_ed25519"));
  }

  private static ModelVersion version(String model, long number) {
    try (GantryClient client = gantry.client("reader")) {
      return client.registry().getModelVersion(GetModelVersionRequest.newBuilder()
          .setName("models/" + model + "/versions/" + number).build());
    }
  }

  private static List<String> files(String model, long number) {
    try (GantryClient client = gantry.client("reader")) {
      return client.artifacts().listArtifacts(ListArtifactsRequest.newBuilder()
          .setVersion("models/" + model + "/versions/" + number).build()).getFilesList().stream()
          .map(file -> file.getPath()).toList();
    }
  }

  /** The version was imported as recorded, without files: its source is kept, nothing of it is in Gantry. */
  private static void assertImportedWithoutFiles(String model, long number, String source) {
    ModelVersion version = version(model, number);
    assertThat(version.getManagedArtifacts()).as("version %d holds no files", number).isFalse();
    assertThat(version.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(version.getSource()).isEqualTo(source);
  }

  /** The refusals printed with -o json, by version number: {@code {"files": "refused", "reason": ...}}. */
  private static Map<Long, JsonNode> notCopied(String jsonLines) throws Exception {
    Map<Long, JsonNode> lines = new HashMap<>();
    for (String line : jsonLines.lines().toList()) {
      JsonNode node = JSON.readTree(line);
      if (node.has("files")) {
        lines.put(node.get("version").asLong(), node);
      }
    }
    return lines;
  }

  private static Path pages(String name, String model, String versionsJson) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, "{\"registered_models\": [{\"name\": \"" + model + "\"}], \"model_versions\": "
        + versionsJson.replace("\"version\"", "\"name\": \"" + model + "\", \"version\"") + "}");
    return file;
  }

  @Test
  void aLocalSource_isNotUploaded_withoutArtifactRoot_andIsReportedPerVersion() throws Exception {
    String ssh = home.resolve(".ssh").toUri().toString();
    String bare = home.resolve(".ssh").toString();
    Path export = pages("stolen.json", "stolen", """
        [{"version": "1", "source": "%s"}, {"version": "2", "source": "%s"}]""".formatted(ssh, bare));

    CliResult result = CliResult.run(env, "import", "mlflow", "--from-file", export.toString(), "--with-artifacts");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(GantryCli.EXIT_OTHER);
    assertImportedWithoutFiles("stolen", 1, ssh);
    assertImportedWithoutFiles("stolen", 2, bare);
    List<List<String>> rows = CliResult.rows(CliResult.sections(result.out()).get(1));
    assertThat(rows.get(0)).containsExactly("MODEL", "VERSION", "FILES", "REASON");
    assertThat(rows.subList(1, 3)).allSatisfy(row -> {
      assertThat(row.subList(0, 3)).containsAnyOf("1", "2").contains("stolen", "refused");
      assertThat(row.get(3)).contains("--artifact-root");
    });
    assertThat(result.err()).contains("the files of 2 versions not copied");
  }

  @Test
  void withArtifactRoot_aSourceUnderItImports_andNothingReachesOutOfIt() throws Exception {
    String escaping = models.toUri() + "../home/.ssh";
    Path export = pages("rooted.json", "rooted", """
        [{"version": "1", "source": "%s"}, {"version": "2", "source": "%s"}, {"version": "3", "source": "%s"},
         {"version": "4", "source": "%s"}, {"version": "5", "source": "%s"}]""".formatted(
        models.resolve("churn").toUri(), models.resolve("ssh-link"), models.resolve("sneaky").toUri(), escaping,
        home.resolve(".ssh").toUri()));

    CliResult result = CliResult.run(env, "import", "mlflow", "--from-file", export.toString(), "--with-artifacts",
        "--artifact-root", models.toString(), "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(GantryCli.EXIT_OTHER);
    assertThat(files("rooted", 1)).containsExactly("MLmodel", "data/weights.bin");
    assertImportedWithoutFiles("rooted", 2, models.resolve("ssh-link").toString());
    assertImportedWithoutFiles("rooted", 3, models.resolve("sneaky").toUri().toString());
    assertImportedWithoutFiles("rooted", 4, escaping);
    assertImportedWithoutFiles("rooted", 5, home.resolve(".ssh").toUri().toString());
    Map<Long, JsonNode> refused = notCopied(result.out());
    assertThat(refused).containsOnlyKeys(2L, 3L, 4L, 5L);
    assertThat(refused.values()).allSatisfy(line -> {
      assertThat(line.get("model").asText()).isEqualTo("models/rooted");
      assertThat(line.get("files").asText()).isEqualTo("refused");
    });
    assertThat(refused.get(2L).get("reason").asText()).contains("outside --artifact-root");
    assertThat(refused.get(3L).get("reason").asText()).contains("'key'", "symbolic link", "outside");
    assertThat(refused.get(4L).get("reason").asText()).contains("outside --artifact-root");
    assertThat(refused.get(5L).get("source").asText()).isEqualTo(home.resolve(".ssh").toUri().toString());
  }

  @Test
  void aSourceOnAnotherHost_getsNoRequest_andTheTokenGoesOnlyToTheFromServer() throws Exception {
    try (RecordingHttpHost mlflow = RecordingHttpHost.start(); RecordingHttpHost attacker = RecordingHttpHost.start()) {
      attacker.proxy("7/run/model", Map.of("MLmodel", "flavors: {}\n"));
      mlflow.proxy("1/run/model", Map.of("MLmodel", "flavors: {}\n", "data/weights.bin", "weights"));
      mlflow.redirect(RecordingHttpHost.PROXY + "/1/moved/model/MLmodel",
          attacker.origin() + RecordingHttpHost.PROXY + "/7/run/model/MLmodel");
      mlflow.answer(RecordingHttpHost.PROXY + "?path=1%2Fmoved%2Fmodel",
          "{\"files\": [{\"path\": \"MLmodel\", \"is_dir\": false}]}");
      String userInfoTrick = "http://127.0.0.1:" + mlflow.port() + "@127.0.0.1:" + attacker.port()
          + RecordingHttpHost.PROXY + "/7/run/model";
      mlflow.registry("hosts", """
          [{"name": "hosts", "version": "1", "source": "mlflow-artifacts:/1/run/model"},
           {"name": "hosts", "version": "2", "source": "mlflow-artifacts://127.0.0.1:%d/7/run/model"},
           {"name": "hosts", "version": "3", "source": "%s%s/7/run/model"},
           {"name": "hosts", "version": "4", "source": "%s"},
           {"name": "hosts", "version": "5", "source": "mlflow-artifacts:/1/moved/model"}]"""
          .formatted(attacker.port(), attacker.origin(), RecordingHttpHost.PROXY, userInfoTrick));

      CliResult result = CliResult.run(env, "import", "mlflow", "--from", mlflow.origin(), "--with-artifacts",
          "--mlflow-token", TOKEN, "-o", "json");

      assertThat(attacker.requests()).as("the attacker's host is never asked").isEmpty();
      assertThat(mlflow.requests()).isNotEmpty().allSatisfy(request ->
          assertThat(request.authorization()).isEqualTo("Bearer " + TOKEN));
      assertThat(result.exitCode()).as(result.err()).isEqualTo(GantryCli.EXIT_OTHER);
      assertThat(files("hosts", 1)).containsExactly("MLmodel", "data/weights.bin");
      Map<Long, JsonNode> notCopied = notCopied(result.out());
      assertThat(notCopied).containsOnlyKeys(2L, 3L, 4L, 5L);
      for (long refused = 2; refused <= 4; refused++) {
        assertThat(notCopied.get(refused).get("files").asText()).isEqualTo("refused");
        assertThat(version("hosts", refused).getManagedArtifacts()).isFalse();
      }
      assertThat(notCopied.get(2L).get("reason").asText()).contains("127.0.0.1:" + attacker.port(), "--from",
          "--artifact-source");
      assertThat(notCopied.get(5L).get("files").asText()).as("a redirect is not followed").isEqualTo("failed");
      assertThat(notCopied.get(5L).get("reason").asText()).contains("302");
    }
  }

  @Test
  void anArtifactSourceNamedByTheAdmin_isFetched_withoutTheToken() throws Exception {
    try (RecordingHttpHost mlflow = RecordingHttpHost.start(); RecordingHttpHost store = RecordingHttpHost.start()) {
      store.proxy("7/run/model", Map.of("MLmodel", "flavors: {}\n", "data/weights.bin", "weights"));
      mlflow.registry("named", """
          [{"name": "named", "version": "1", "source": "mlflow-artifacts://127.0.0.1:%d/7/run/model"},
           {"name": "named", "version": "2", "source": "%s%s/7/run/model"}]"""
          .formatted(store.port(), store.origin(), RecordingHttpHost.PROXY));

      CliResult result = CliResult.run(env, "import", "mlflow", "--from", mlflow.origin(), "--with-artifacts",
          "--mlflow-token", TOKEN, "--artifact-source", store.origin() + "/");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("the files of 2 versions copied");
      assertThat(files("named", 1)).containsExactly("MLmodel", "data/weights.bin");
      assertThat(files("named", 2)).containsExactly("MLmodel", "data/weights.bin");
      assertThat(store.requests()).isNotEmpty().allSatisfy(request ->
          assertThat(request.authorization()).as("the token is the --from server's only").isNull());
    }
  }

  @Test
  void aTokenOverPlainHttp_toAnotherMachine_isRefused_beforeAnyConnection() {
    CliResult result = CliResult.run(env, "import", "mlflow", "--from", "http://192.0.2.1:5000",
        "--mlflow-token", TOKEN);
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(result.err()).contains("http://192.0.2.1:5000", "in clear", "https://");

    Map<String, String> fromEnvironment = new HashMap<>(env);
    fromEnvironment.put("MLFLOW_TRACKING_TOKEN", TOKEN);
    CliResult fromEnv = CliResult.run(fromEnvironment, "import", "mlflow", "--from", "http://192.0.2.1:5000");
    assertThat(fromEnv.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(fromEnv.err()).contains("in clear");
  }
}
