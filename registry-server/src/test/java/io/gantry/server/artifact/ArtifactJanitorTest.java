package io.gantry.server.artifact;

import static io.gantry.db.Tables.ARTIFACT_BLOB;
import static io.gantry.db.Tables.AUDIT_EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * A client killed mid-upload, and the janitor afterwards, on a server whose timeouts are seconds: the version
 * stays PENDING_UPLOAD, then becomes FAILED; its blobs go after the grace period, but never one a READY version
 * references.
 */
class ArtifactJanitorTest {

  @Test
  void anUploadKilledMidStream_leavesThePendingVersion_thenTheJanitorFailsIt_andKeepsEveryReadyBlob()
      throws Exception {
    Path dir = TestRegistry.tempDir("gantry-janitor");
    Map<String, String> env = Map.of("GANTRY_UPLOAD_TIMEOUT_SECONDS", "3", "GANTRY_BLOB_GRACE_SECONDS", "1",
        "GANTRY_JANITOR_INTERVAL_SECONDS", "1");
    try (GantryServer server = TestRegistry.start(dir, env)) {
      ManagedChannel channel = TestRegistry.connect(server);
      DSLContext db = TestRegistry.dsl(server);
      try {
        TestRegistry.registry(channel, "erin").createModel(CreateModelRequest.newBuilder().setModelId("fraud").build());
        Upload shared = Upload.generated("model/encoder.bin", 300_000, 1);
        Upload onlyInTheKilledUpload = Upload.generated("model/tokenizer.bin", 200_000, 2);
        Upload cutOff = Upload.generated("model/weights.bin", 5L << 20, 3);

        ModelVersion ready = managedVersion(channel);
        Transfers.upload(channel, "erin", ready.getName(), List.of(shared), Long.MAX_VALUE);
        TestRegistry.as(io.gantry.v1.ArtifactsGrpc.newBlockingStub(channel), "erin").finalizeVersion(
            FinalizeVersionRequest.newBuilder().setName(ready.getName()).addFiles(shared.header()).build());

        ModelVersion killed = managedVersion(channel);
        var cancelled = catchThrowableOfType(() -> Transfers.upload(channel, "erin", killed.getName(),
            List.of(shared, onlyInTheKilledUpload, cutOff), 300_000 + 200_000 + (2L << 20)),
            StatusRuntimeException.class);
        assertThat(cancelled.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(status(channel, killed)).as("never READY with a missing file")
            .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);

        await(() -> status(channel, killed) == ModelVersionStatus.MODEL_VERSION_STATUS_FAILED);
        String gone = onlyInTheKilledUpload.header().getSha256();
        await(() -> db.fetchCount(ARTIFACT_BLOB, ARTIFACT_BLOB.SHA256.eq(gone)) == 0);

        assertThat(Files.exists(blobFile(dir, gone))).as("deleted from the store").isFalse();
        assertThat(Files.exists(blobFile(dir, shared.header().getSha256()))).as("a READY version's blob stays")
            .isTrue();
        assertThat(Transfers.download(channel, "deploy-bot", ready.getName(), "model/encoder.bin").sha256())
            .isEqualTo(shared.header().getSha256());
        assertThat(Files.exists(blobFile(dir, cutOff.header().getSha256()))).as("a cut-off file never stored")
            .isFalse();
        assertThat(db.fetchCount(AUDIT_EVENT, AUDIT_EVENT.ACTION.eq("VERSION_FAILED")
            .and(AUDIT_EVENT.RESOURCE.eq(killed.getName())))).isEqualTo(1);
        assertThat(TestRegistry.registry(channel, "auditor").getModelVersion(GetModelVersionRequest.newBuilder()
            .setName(killed.getName()).build()).getStatusMessage()).startsWith("the upload did not finish within");
        assertThat(db.fetchCount(AUDIT_EVENT, AUDIT_EVENT.ACTION.eq("BLOB_DELETED")
            .and(AUDIT_EVENT.RESOURCE.eq("blobs/sha256/" + gone)))).isEqualTo(1);
        assertThat(status(channel, ready)).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_READY);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static ModelVersion managedVersion(ManagedChannel channel) {
    return TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/fraud").setManagedArtifacts(true).build());
  }

  private static ModelVersionStatus status(ManagedChannel channel, ModelVersion version) {
    return TestRegistry.registry(channel, "auditor").getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(version.getName()).build()).getStatus();
  }

  private static Path blobFile(Path dataDir, String sha256) {
    return dataDir.resolve("artifacts/blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
  }

  private static void await(BooleanSupplier condition) {
    Awaitility.await("the janitor, for at most 20 s").atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
  }
}
