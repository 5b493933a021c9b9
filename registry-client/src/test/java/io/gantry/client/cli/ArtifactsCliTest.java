package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.google.protobuf.Struct;
import io.gantry.client.TestFixtures;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions registered with their files, listed, downloaded and corrupted, through the CLI against a real server
 * that keeps its artifacts on its own disk (under its data directory, which the corruption test writes into).
 */
class ArtifactsCliTest {

  private static final Path FIXTURE = TestFixtures.nycTaxiModelDirectory();
  // Several 1 MiB chunks and a partial last one.
  private static final int MODEL_PKL_BYTES = 3 * (1 << 20) + 12_345;

  @TempDir
  static Path dataDir;

  @TempDir
  Path workDir;

  private static GantryServer server;
  private static Map<String, String> env;

  @BeforeAll
  static void startServer() {
    server = GantryServer.start(ServerConfig.fromEnvironment(
        Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "erin");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void register_uploadsEveryFile_andListShowsEachWithItsSizeAndDigest() throws Exception {
    String model = newModel("upload");
    Path directory = modelDirectory("upload", 1);
    Map<String, ArtifactFile> expected = filesOf(directory);
    assertThat(expected).containsOnlyKeys(
        "MLmodel", "requirements.txt", "model/model.pkl", "model/empty.bin", ".hidden");

    Map<String, String> registered = CliResult.fields(
        CliResult.succeed(env, "versions", "register", model, directory.toString()));
    long totalBytes = expected.values().stream().mapToLong(ArtifactFile::getSize).sum();
    assertThat(registered).contains(entry("name", "models/" + model + "/versions/1"), entry("status", "READY"),
        entry("files", "5"));
    assertThat(registered.get("total_size")).startsWith(totalBytes + " (");
    String digest = registered.get("manifest_digest");
    assertThat(digest).matches("sha256:[0-9a-f]{64}");
    assertThat(registered).as("the MLflow metadata still goes into the version")
        .containsEntry("run_id", "8e5d1a0c4f2b4e6f9a7b3c1d2e0f4a5b")
        .containsEntry("signature.inputs", "3 columns");

    List<String> listed = CliResult.sections(CliResult.succeed(env, "artifacts", "list", model, "1"));
    assertThat(CliResult.fields(listed.get(0))).contains(entry("version", "models/" + model + "/versions/1"),
        entry("status", "READY"), entry("manifest_digest", digest), entry("files", "5"));
    List<List<String>> rows = CliResult.rows(listed.get(1));
    assertThat(rows.get(0)).containsExactly("PATH", "SIZE", "SHA256");
    assertThat(rows.subList(1, rows.size())).containsExactlyInAnyOrderElementsOf(expected.values().stream()
        .map(file -> List.of(file.getPath(), Long.toString(file.getSize()), file.getSha256()))
        .toList());

    ArtifactManifest manifest = CliResult.json(ArtifactManifest.getDefaultInstance(),
        CliResult.succeed(env, "artifacts", "list", "models:/" + model + "/1", "-o", "json"));
    assertThat(manifest.getManifestDigest()).isEqualTo(digest);
    assertThat(manifest.getTotalSize()).isEqualTo(totalBytes);
    assertThat(manifest.getFilesList()).containsExactlyInAnyOrderElementsOf(expected.values());
    assertThat(CliResult.fields(CliResult.succeed(env, "versions", "get", model, "1")))
        .containsEntry("manifest_digest", digest);
  }

  @Test
  void download_byAliasAndByVersion_writesIdenticalFiles_andAgainChangesNothingUnlessAFileDiffers() throws Exception {
    String model = newModel("download");
    Path directory = modelDirectory("download", 2);
    CliResult.succeed(env, "versions", "register", model, directory.toString());
    CliResult.succeed(env, "promote", model, "1", "--to", "staging");

    Path byAlias = workDir.resolve("by-alias");
    Map<String, String> downloaded = CliResult.fields(CliResult.succeed(env,
        "artifacts", "download", "models:/" + model + "@staging", byAlias.toString()));
    assertThat(downloaded).contains(entry("version", "models/" + model + "/versions/1"),
        entry("alias", "models/" + model + "/aliases/staging"), entry("files", "5"), entry("downloaded", "5"),
        entry("unchanged", "0"));
    assertThat(downloaded.get("manifest_digest")).matches("sha256:[0-9a-f]{64}");
    assertSameFiles(directory, byAlias);

    Path byVersion = workDir.resolve("by-version");
    Struct json = CliResult.json(Struct.getDefaultInstance(), CliResult.succeed(env,
        "artifacts", "download", model, "1", byVersion.toString(), "-o", "json"));
    assertThat(json.getFieldsOrThrow("downloaded").getNumberValue()).isEqualTo(5);
    assertThat(json.getFieldsOrThrow("manifestDigest").getStringValue()).isEqualTo(downloaded.get("manifest_digest"));
    assertSameFiles(directory, byVersion);

    assertThat(CliResult.fields(CliResult.succeed(env,
        "artifacts", "download", "models:/" + model + "/1", byAlias.toString())))
        .as("identical files are left as they are").contains(entry("downloaded", "0"), entry("unchanged", "5"));

    Path edited = byAlias.resolve("requirements.txt");
    Files.writeString(edited, "edited by hand\n");
    CliResult refused = CliResult.run(env, "artifacts", "download", model, "1", byAlias.toString());
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_CONFLICT);
    assertThat(refused.err()).contains("requirements.txt", "--force").doesNotContain("model.pkl");
    assertThat(Files.readString(edited)).as("nothing was written").isEqualTo("edited by hand\n");

    assertThat(CliResult.fields(CliResult.succeed(env,
        "artifacts", "download", model, "1", byAlias.toString(), "--force")))
        .contains(entry("downloaded", "1"), entry("unchanged", "4"));
    assertSameFiles(directory, byAlias);

    Path onePath = workDir.resolve("one-path");
    CliResult.succeed(env, "artifacts", "download", model, "1", onePath.toString(), "--path", "model/model.pkl");
    assertThat(regularFiles(onePath)).containsExactly("model/model.pkl");
    assertThat(Files.mismatch(directory.resolve("model/model.pkl"), onePath.resolve("model/model.pkl"))).isEqualTo(-1);
  }

  @Test
  void progress_goesToStderrWhenAskedFor_lineByLine_andLeavesTheJsonOutputClean() throws Exception {
    String model = newModel("progress");
    Path directory = modelDirectory("progress", 3);

    CliResult result = CliResult.run(env, "versions", "register", model, directory.toString(), "-o", "json",
        "--progress");
    assertThat(result.exitCode()).as(result.err()).isZero();
    ModelVersion version = CliResult.json(ModelVersion.getDefaultInstance(), result.out());
    assertThat(version.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(version.getManifestDigest()).startsWith("sha256:");
    // stderr is no terminal here (a CI log): a line for each update, never a carriage return
    assertThat(result.err()).contains("MiB/s", "hashed 5 files", "uploaded 5 files")
        .doesNotContain("error", "\r").endsWith("\n");
    assertThat(result.err().lines()).anySatisfy(line -> assertThat(line).startsWith("hashing "))
        .anySatisfy(line -> assertThat(line).startsWith("uploaded 5 files"));

    CliResult download = CliResult.run(env, "artifacts", "download", model, "1", workDir.resolve("out").toString(),
        "--progress");
    assertThat(download.exitCode()).as(download.err()).isZero();
    assertThat(download.err()).contains("downloading", "downloaded 5 files");
  }

  @Test
  void anUploadFailingMidway_namesTheFile_leavesTheVersionPending_andIsNotResumed() throws Exception {
    String model = newModel("midway");
    Path directory = modelDirectory("midway", 4);
    // A legal file name on Linux that the server refuses as a path, after the files sorted before it are stored.
    Files.writeString(directory.resolve("a\\b"), "refused");

    CliResult failed = CliResult.run(env, "versions", "register", model, directory.toString(), "--request-id", "r-1");
    assertThat(failed.exitCode()).isEqualTo(GantryCli.EXIT_INVALID_ARGUMENT);
    assertThat(failed.err()).startsWith("error: upload failed while sending '")
        .contains("'a\\b' contains a backslash", "models/" + model + "/versions/1 stays PENDING_UPLOAD");
    ModelVersion pending = CliResult.json(ModelVersion.getDefaultInstance(),
        CliResult.succeed(env, "versions", "get", model, "1", "-o", "json"));
    assertThat(pending.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);

    Files.delete(directory.resolve("a\\b"));
    CliResult retried = CliResult.run(env, "versions", "register", model, directory.toString(), "--request-id", "r-1");
    assertThat(retried.exitCode()).isEqualTo(GantryCli.EXIT_CONFLICT);
    assertThat(retried.err()).contains("models/" + model + "/versions/1", "never resumed");
    assertThat(CliResult.json(ModelVersion.getDefaultInstance(),
        CliResult.succeed(env, "versions", "get", model, "1", "-o", "json")).getStatus())
        .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);

    CliResult download = CliResult.run(env, "artifacts", "download", model, "1", workDir.resolve("out").toString());
    assertThat(download.exitCode()).isEqualTo(GantryCli.EXIT_CONFLICT);
    assertThat(download.err()).contains("is PENDING_UPLOAD", "once it is finalized");
  }

  @Test
  void aRetriedRegistrationOfAFinalizedVersion_uploadsNothing_andSucceedsWithTheSameFiles() throws Exception {
    String model = newModel("retry");
    Path directory = modelDirectory("retry", 5);
    String[] register = {"versions", "register", model, directory.toString(), "--request-id", "r-2", "-o", "json"};

    ModelVersion first = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, register));
    ModelVersion again = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env, register));
    assertThat(again.getName()).isEqualTo(first.getName()).endsWith("/versions/1");
    assertThat(again.getManifestDigest()).isEqualTo(first.getManifestDigest());

    // Not a metadata file: the server would see a different request and refuse the reused request id itself.
    Files.writeString(directory.resolve("model/model.pkl"), "retrained");
    CliResult otherFiles = CliResult.run(env, register);
    assertThat(otherFiles.exitCode()).isEqualTo(GantryCli.EXIT_CONFLICT);
    assertThat(otherFiles.err()).contains("is finalized with other files");
  }

  @Test
  void aSymbolicLinkOutOfTheDirectory_isRefusedBeforeAnythingIsRegistered() throws Exception {
    String model = newModel("symlink");
    Path directory = modelDirectory("symlink", 6);
    Path secret = Files.writeString(workDir.resolve("secret.txt"), "not part of the model");
    Files.createSymbolicLink(directory.resolve("model/weights.bin"), secret);

    CliResult refused = CliResult.run(env, "versions", "register", model, directory.toString());
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(refused.err()).contains("'model/weights.bin'", "symbolic link to " + secret.toRealPath(),
        "outside the directory");
    assertThat(CliResult.fields(CliResult.succeed(env, "models", "get", model))).containsEntry("latest_version", "0");

    Files.delete(directory.resolve("model/weights.bin"));
    Files.createSymbolicLink(directory.resolve("model/weights.bin"), directory.resolve("model/model.pkl"));
    ArtifactManifest manifest = registerAndList(model, directory);
    assertThat(manifest.getFilesList()).as("a link inside the directory is uploaded as the file it points at")
        .filteredOn(file -> file.getPath().equals("model/weights.bin"))
        .singleElement()
        .extracting(ArtifactFile::getSha256).isEqualTo(filesOf(directory).get("model/model.pkl").getSha256());
  }

  @Test
  void registerWithoutUpload_keepsTheMetadataOnlyVersion_whoseFilesCannotBeDownloaded() throws Exception {
    String model = newModel("metadata");
    Path directory = modelDirectory("metadata", 7);

    ModelVersion version = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(env,
        "versions", "register", model, directory.toString(), "--no-upload", "-o", "json"));
    assertThat(version.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(version.getManagedArtifacts()).isFalse();
    assertThat(version.getSource()).isEqualTo(directory.toUri().toString());

    assertThat(CliResult.fields(CliResult.succeed(env, "artifacts", "list", model, "1")))
        .contains(entry("manifest_digest", "none: its files are not in the registry"), entry("files", "0"));
    CliResult download = CliResult.run(env, "artifacts", "download", model, "1", workDir.resolve("out").toString());
    assertThat(download.exitCode()).isEqualTo(GantryCli.EXIT_NOT_FOUND);
    assertThat(download.err()).contains("--no-upload", directory.toUri().toString());
  }

  @Test
  void url_onTheFilesystemStore_failsSayingHowToDownloadInstead() throws Exception {
    String model = newModel("url");
    registerAndList(model, modelDirectory("url", 8));

    CliResult result = CliResult.run(env, "artifacts", "url", model, "1", "MLmodel", "--ttl", "15m");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_OTHER);
    assertThat(result.err()).startsWith("error: UNIMPLEMENTED (PRESIGN_UNSUPPORTED): ")
        .contains("gantry artifacts download models:/" + model + "/1 DIR --path MLmodel");

    CliResult badTtl = CliResult.run(env, "artifacts", "url", model, "1", "MLmodel", "--ttl", "soon");
    assertThat(badTtl.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(badTtl.err()).contains("expected a duration such as 90s, 15m");
  }

  @Test
  void aFileCorruptedInTheStore_failsWithDataLoss_andLeavesNoFileBehind() throws Exception {
    String model = newModel("corrupt");
    Path directory = modelDirectory("corrupt", 9);
    ArtifactManifest manifest = registerAndList(model, directory);
    String sha256 = filesOf(directory).get("model/model.pkl").getSha256();
    assertThat(manifest.getFilesList()).extracting(ArtifactFile::getSha256).contains(sha256);
    // The filesystem store's layout (BlobLayout): blobs/sha256/<first two hex digits>/<the other 62>, read-only.
    Path blob = dataDir.resolve("artifacts/blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
    assertThat(blob).isRegularFile();
    assertThat(blob.toFile().setWritable(true)).isTrue();
    try (RandomAccessFile file = new RandomAccessFile(blob.toFile(), "rw")) {
      file.seek(MODEL_PKL_BYTES / 2);
      file.write("corrupted".getBytes());
    }

    Path target = workDir.resolve("out");
    CliResult result = CliResult.run(env, "artifacts", "download", model, "1", target.toString(),
        "--path", "model/model.pkl");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_DATA_LOSS);
    assertThat(result.err()).startsWith("error: download of 'model/model.pkl' failed: DATA_LOSS (ARTIFACT_CORRUPTED)")
        .contains("nothing was written");
    assertThat(regularFiles(target)).as("no partial or temporary file").isEmpty();
  }

  private static String newModel(String prefix) {
    String model = TestFixtures.uniqueModel(prefix);
    CliResult.succeed(env, "models", "create", model);
    return model;
  }

  private static ArtifactManifest registerAndList(String model, Path directory) throws Exception {
    CliResult.succeed(env, "versions", "register", model, directory.toString());
    return CliResult.json(ArtifactManifest.getDefaultInstance(),
        CliResult.succeed(env, "artifacts", "list", model, "1", "-o", "json"));
  }

  /**
   * An MLflow model directory as training leaves it, with a nested file of generated bytes ({@code seed} makes it
   * differ between tests, so that no test shares a stored blob with another), an empty one and a hidden one.
   */
  private Path modelDirectory(String name, long seed) throws IOException {
    Path directory = Files.createDirectories(workDir.resolve(name).resolve("model"));
    Path root = directory.getParent();
    Files.copy(FIXTURE.resolve("MLmodel"), root.resolve("MLmodel"));
    Files.writeString(root.resolve("requirements.txt"), "mlflow==2.16.2\nscikit-learn==1.5.2\n");
    Files.writeString(root.resolve(".hidden"), "a hidden file is a file too\n");
    byte[] weights = new byte[MODEL_PKL_BYTES];
    new Random(seed).nextBytes(weights);
    Files.write(directory.resolve("model.pkl"), weights);
    Files.createFile(directory.resolve("empty.bin"));
    return root;
  }

  /** What the manifest of {@code directory} must list, computed here independently of the client. */
  private static Map<String, ArtifactFile> filesOf(Path directory) throws Exception {
    Map<String, ArtifactFile> files = new TreeMap<>();
    for (String path : regularFiles(directory)) {
      byte[] bytes = Files.readAllBytes(directory.resolve(path));
      files.put(path, ArtifactFile.newBuilder().setPath(path).setSize(bytes.length)
          .setSha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).build());
    }
    return files;
  }

  /** The regular files under {@code directory} (following links), as '/'-separated relative paths. */
  private static List<String> regularFiles(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile)
          .map(file -> directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    assertThat(regularFiles(actual)).isEqualTo(regularFiles(expected));
    for (String path : regularFiles(expected)) {
      assertThat(Files.mismatch(expected.resolve(path), actual.resolve(path))).as(path).isEqualTo(-1);
    }
  }
}
