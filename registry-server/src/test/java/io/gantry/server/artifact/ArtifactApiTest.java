package io.gantry.server.artifact;

import static io.gantry.db.Tables.ARTIFACT_BLOB;
import static io.gantry.db.Tables.ARTIFACT_FILE;
import static io.gantry.server.TestRegistry.artifacts;
import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.server.promotion.AliasLocks;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.UploadArtifactsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Managed artifacts through the API, on the shared server's filesystem store. */
class ArtifactApiTest {

  private static final byte[] MLMODEL = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
      .getBytes(StandardCharsets.UTF_8);

  @Test
  void filesUploadedAndFinalized_makeTheVersionReady_andDownloadByteForByte() {
    ModelVersion version = managedVersion();
    assertThat(version.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);
    Upload weights = Upload.generated("model/model.pkl", 3 * Transfers.CHUNK + 12_345, 7);
    Upload mlmodel = Upload.of("MLmodel", MLMODEL);
    Upload empty = Upload.of("model/empty.txt", new byte[0]);

    UploadArtifactsResponse uploaded = Transfers.upload("erin", version.getName(), mlmodel, weights, empty);
    assertThat(uploaded.getFilesList()).containsExactly(mlmodel.header(), weights.header(), empty.header());
    ArtifactManifest finalized = finalizeWith(version, mlmodel.header(), weights.header(), empty.header());

    String canonical = "gantry-manifest-v1\n"
        + mlmodel.header().getSha256() + " " + MLMODEL.length + " MLmodel\n"
        + empty.header().getSha256() + " 0 model/empty.txt\n"
        + weights.header().getSha256() + " " + weights.header().getSize() + " model/model.pkl\n";
    assertThat(finalized.getManifestDigest()).isEqualTo("sha256:" + Transfers.sha256(
        canonical.getBytes(StandardCharsets.UTF_8)));
    ModelVersion ready = registry("erin").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(version.getName()).build());
    assertThat(ready.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(ready.getManifestDigest()).isEqualTo(finalized.getManifestDigest());
    assertThat(artifacts("deploy-bot").listArtifacts(ListArtifactsRequest.newBuilder()
        .setVersion(version.getName()).build())).isEqualTo(finalized);

    var received = Transfers.download("deploy-bot", version.getName(), "model/model.pkl");
    assertThat(received.header()).isEqualTo(weights.header());
    assertThat(received.size()).isEqualTo(weights.header().getSize());
    assertThat(received.sha256()).isEqualTo(weights.header().getSha256());
    assertThat(Transfers.download("deploy-bot", version.getName(), "model/empty.txt").size()).isZero();
  }

  @Test
  void aWrongDigest_isRefusedNamingThePath_andNothingIsStored() {
    ModelVersion version = managedVersion();
    Upload lying = Upload.of("model/model.pkl", "the real bytes".getBytes(StandardCharsets.UTF_8))
        .claiming("0".repeat(64));

    var refused = catchThrowableOfType(() -> Transfers.upload("erin", version.getName(), lying),
        StatusRuntimeException.class);

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(refused)).singleElement().satisfies(v -> {
      assertThat(v.getField()).isEqualTo("file.sha256");
      assertThat(v.getDescription()).contains("model/model.pkl");
    });
    assertThat(filesOf(version)).isZero();
    assertThat(status(version)).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);
  }

  @Test
  void pathsThatEscapeOrAreNotNormalized_areRefused() {
    for (String path : List.of("../etc/passwd", "/etc/passwd", "model/../../x", "model//x", "model/./x", "model\\x",
        "model/", "")) {
      ModelVersion version = managedVersion();
      var refused = catchThrowableOfType(() -> Transfers.upload("erin", version.getName(),
          Upload.of(path, MLMODEL)), StatusRuntimeException.class);
      assertThat(refused.getStatus().getCode()).as(path).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(violations(refused)).as(path).extracting(v -> v.getField()).containsExactly("file.path");
      assertThat(filesOf(version)).isZero();
    }
  }

  @Test
  void aDuplicatePath_isRefused_inOneStreamAndAcrossStreams() {
    ModelVersion version = managedVersion();
    var twice = catchThrowableOfType(() -> Transfers.upload("erin", version.getName(), Upload.of("MLmodel", MLMODEL),
        Upload.of("MLmodel", MLMODEL)), StatusRuntimeException.class);
    assertThat(violations(twice)).extracting(v -> v.getDescription()).anySatisfy(d -> assertThat(d).contains("twice"));

    var again = catchThrowableOfType(() -> Transfers.upload("erin", version.getName(), Upload.of("MLmodel", MLMODEL)),
        StatusRuntimeException.class);
    assertThat(violations(again)).extracting(v -> v.getDescription())
        .anySatisfy(d -> assertThat(d).contains("already uploaded"));
    assertThat(filesOf(version)).isEqualTo(1);
  }

  @Test
  void afterFinalizing_nothingUnderTheVersionCanChange() {
    ModelVersion version = managedVersion();
    Upload mlmodel = Upload.of("MLmodel", MLMODEL);
    Transfers.upload("erin", version.getName(), mlmodel);
    ArtifactManifest first = finalizeWith(version, mlmodel.header());

    var late = catchThrowableOfType(() -> Transfers.upload("erin", version.getName(),
        Upload.of("extra.txt", MLMODEL)), StatusRuntimeException.class);

    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(late).getReason()).isEqualTo("VERSION_NOT_MUTABLE");
    assertThat(finalizeWith(version, mlmodel.header())).as("finalizing again is a no-op").isEqualTo(first);
    var other = catchThrowableOfType(() -> finalizeWith(version, mlmodel.header(), Upload.of("x", MLMODEL).header()),
        StatusRuntimeException.class);
    assertThat(other.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void finalizingWithAMissingOrAnExtraFile_isRefusedNamingIt_andTheVersionStaysPending() {
    ModelVersion version = managedVersion();
    Upload mlmodel = Upload.of("MLmodel", MLMODEL);
    Upload weights = Upload.of("model/model.pkl", new byte[] {1, 2, 3});
    Transfers.upload("erin", version.getName(), mlmodel);

    var missing = catchThrowableOfType(() -> finalizeWith(version, mlmodel.header(), weights.header()),
        StatusRuntimeException.class);
    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(missing).getReason()).isEqualTo("MANIFEST_MISMATCH");
    assertThat(missing.getStatus().getDescription()).contains("'model/model.pkl' was never uploaded");

    Transfers.upload("erin", version.getName(), weights);
    var extra = catchThrowableOfType(() -> finalizeWith(version, mlmodel.header()), StatusRuntimeException.class);
    assertThat(extra.getStatus().getDescription()).contains("'model/model.pkl' was uploaded but is not in the manifest");
    assertThat(status(version)).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);
  }

  @Test
  void aBlobCorruptedOnDisk_isDetectedOnDownload_andNotServed() throws Exception {
    ModelVersion version = managedVersion();
    Upload weights = Upload.generated("model/model.pkl", 2 * Transfers.CHUNK + 99, 11);
    Transfers.upload("erin", version.getName(), weights);
    finalizeWith(version, weights.header());
    Path blob = blobFile(weights.header().getSha256());
    blob.toFile().setWritable(true);
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(blob, bytes);

    var corrupted = catchThrowableOfType(() -> Transfers.download("deploy-bot", version.getName(), "model/model.pkl"),
        StatusRuntimeException.class);

    assertThat(corrupted.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(corrupted.getStatus().getDescription()).contains("model/model.pkl").contains("corrupted");
  }

  @Test
  void twoVersionsSharingA50MiBFile_storeItOnce() throws Exception {
    Upload shared = Upload.generated("model/weights.bin", 50L << 20, 42);
    ModelVersion first = managedVersion();
    ModelVersion second = managedVersion();

    assertThat(Transfers.upload("erin", first.getName(), shared).getDeduplicated()).isZero();
    assertThat(Transfers.upload("erin", second.getName(), shared).getDeduplicated()).isEqualTo(1);

    String sha256 = shared.header().getSha256();
    assertThat(TestRegistry.dsl().fetchCount(ARTIFACT_BLOB, ARTIFACT_BLOB.SHA256.eq(sha256))).isEqualTo(1);
    try (Stream<Path> blobs = Files.walk(TestRegistry.dataDir().resolve("artifacts"))) {
      assertThat(blobs.filter(p -> p.getFileName().toString().endsWith(sha256.substring(2)))).hasSize(1);
    }
  }

  @Test
  void aVersionWithOnlyASource_takesNoUploads_andHasNoFiles() {
    ModelVersion external = registry("erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model()).setModelVersion(ModelVersion.newBuilder().setSource("s3://ml/fraud/7"))
        .build());
    assertThat(external.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
    assertThat(external.getManagedArtifacts()).isFalse();

    var upload = catchThrowableOfType(() -> Transfers.upload("erin", external.getName(), Upload.of("MLmodel", MLMODEL)),
        StatusRuntimeException.class);
    assertThat(upload.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    var download = catchThrowableOfType(() -> Transfers.download("deploy-bot", external.getName(), "MLmodel"),
        StatusRuntimeException.class);
    assertThat(errorInfo(download).getReason()).isEqualTo("ARTIFACT_NOT_FOUND");
    assertThat(download.getStatus().getDescription()).contains("s3://ml/fraud/7");
  }

  @Test
  void theFilesystemStore_cannotPresign_andSaysSo() {
    ModelVersion version = managedVersion();
    Upload mlmodel = Upload.of("MLmodel", MLMODEL);
    Transfers.upload("erin", version.getName(), mlmodel);
    finalizeWith(version, mlmodel.header());

    var refused = catchThrowableOfType(() -> artifacts("deploy-bot").getDownloadUrl(GetDownloadUrlRequest.newBuilder()
        .setVersion(version.getName()).setPath("MLmodel").build()), StatusRuntimeException.class);

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(refused.getStatus().getDescription()).contains("DownloadArtifact");
  }

  @Test
  void artifactIntegrity_readsTheFilesBackAtPromotion_andRefusesAVersionWhoseBytesChanged() throws Exception {
    String model = model();
    TestRegistry.promotions("admin").setPromotionPolicy(io.gantry.v1.SetPromotionPolicyRequest.newBuilder()
        .setBinding(io.gantry.v1.PolicyBinding.newBuilder().setModelPattern(model).setAlias("production")
            .addPolicies(io.gantry.v1.PolicySpec.newBuilder().setType("artifact-integrity")))
        .build());
    ModelVersion intact = managedVersion(model);
    ModelVersion tampered = managedVersion(model);
    Upload weights = Upload.generated("model/model.pkl", Transfers.CHUNK + 7, 21);
    Upload otherWeights = Upload.generated("model/model.pkl", Transfers.CHUNK + 7, 22);
    Transfers.upload("erin", intact.getName(), weights);
    finalizeWith(intact, weights.header());
    Transfers.upload("erin", tampered.getName(), otherWeights);
    finalizeWith(tampered, otherWeights.header());
    Path blob = blobFile(otherWeights.header().getSha256());
    blob.toFile().setWritable(true);
    Files.write(blob, "overwritten on the disk".getBytes(StandardCharsets.UTF_8));

    Promotion applied = promote(intact, "production");
    Promotion refused = promote(tampered, "production");

    assertThat(applied.getState()).as(applied.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(applied.getVerdicts(0).getMessage()).contains("match manifest " + finalizeWith(intact,
        weights.header()).getManifestDigest());
    assertThat(refused.getState()).isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);
    assertThat(refused.getVerdicts(0).getMessage()).contains("model/model.pkl").contains("corrupted");
  }

  @Test
  void artifactIntegrity_readsTheFilesBeforeTheAliasIsLocked_soASlowStoreNeverHoldsIt() throws Exception {
    String model = model();
    TestRegistry.promotions("admin").setPromotionPolicy(io.gantry.v1.SetPromotionPolicyRequest.newBuilder()
        .setBinding(io.gantry.v1.PolicyBinding.newBuilder().setModelPattern(model).setAlias("production")
            .addPolicies(io.gantry.v1.PolicySpec.newBuilder().setType("artifact-integrity")))
        .build());
    ModelVersion first = managedVersion(model);
    Upload firstWeights = Upload.generated("model/model.pkl", 1024, 31);
    Transfers.upload("erin", first.getName(), firstWeights);
    finalizeWith(first, firstWeights.header());
    assertThat(promote(first, "production").getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    ModelVersion slow = managedVersion(model);
    Upload weights = Upload.generated("model/model.pkl", Transfers.CHUNK + 7, 32);
    Transfers.upload("erin", slow.getName(), weights);
    finalizeWith(slow, weights.header());
    // the store turns slow: the blob becomes a pipe that yields its bytes only when this test writes them
    Path blob = blobFile(weights.header().getSha256());
    byte[] bytes = Files.readAllBytes(blob);
    Files.delete(blob);
    assertThat(new ProcessBuilder("mkfifo", blob.toString()).start().waitFor()).isZero();
    try {
      CompletableFuture<Promotion> promotion = CompletableFuture.supplyAsync(() -> promote(slow, "production"));
      boolean lockableWhileReading = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        try (OutputStream pipe = Files.newOutputStream(blob)) {  // opens once the registry reads the blob
          boolean lockable = AliasLocks.lockableAtOnce(TestRegistry.dsl(), model, "production");
          pipe.write(bytes);
          return lockable;
        }
      });

      assertThat(lockableWhileReading).as("no transaction holds the alias while its files are read").isTrue();
      Promotion applied = promotion.get(30, TimeUnit.SECONDS);
      assertThat(applied.getState()).as(applied.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
      assertThat(applied.getVerdicts(0).getMessage()).contains("match manifest");
    } finally {
      Files.delete(blob);
      Files.write(blob, bytes);
    }
  }

  private static Promotion promote(ModelVersion version, String alias) {
    return TestRegistry.promotions("carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel(version.getName().substring(0, version.getName().indexOf("/versions/")))
        .setAlias(alias).setVersion(version.getVersion()).build());
  }

  private static ArtifactManifest finalizeWith(ModelVersion version, ArtifactFile... files) {
    return artifacts("erin").finalizeVersion(FinalizeVersionRequest.newBuilder().setName(version.getName())
        .addAllFiles(List.of(files)).build());
  }

  private static ModelVersion managedVersion() {
    return managedVersion(model());
  }

  private static ModelVersion managedVersion(String model) {
    return registry("erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setManagedArtifacts(true).build());
  }

  private static String model() {
    String model = TestRegistry.uniqueModel("artifacts");
    registry("erin").createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    return model;
  }

  private static int filesOf(ModelVersion version) {
    return TestRegistry.dsl().fetchCount(ARTIFACT_FILE, ARTIFACT_FILE.VERSION_ID.eq(
        TestRegistry.dsl().select(io.gantry.db.Tables.MODEL_VERSION.ID).from(io.gantry.db.Tables.MODEL_VERSION)
            .join(io.gantry.db.Tables.REGISTERED_MODEL)
            .on(io.gantry.db.Tables.REGISTERED_MODEL.ID.eq(io.gantry.db.Tables.MODEL_VERSION.MODEL_ID))
            .where(io.gantry.db.Tables.REGISTERED_MODEL.NAME.eq(version.getName().split("/")[1]))
            .and(io.gantry.db.Tables.MODEL_VERSION.VERSION.eq((int) version.getVersion()))
            .asField()));
  }

  private static ModelVersionStatus status(ModelVersion version) {
    return registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(version.getName()).build())
        .getStatus();
  }

  private static Path blobFile(String sha256) {
    return TestRegistry.dataDir().resolve("artifacts").resolve("blobs").resolve("sha256")
        .resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
  }
}
