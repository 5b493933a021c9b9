package io.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.server.artifact.store.S3TestServer;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DownloadUrl;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.ModelVersion;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry configured for an S3-compatible store (a real S3 server in this JVM), end to end. */
class ArtifactsOnS3Test {

  @Test
  void filesGoToS3_comeBackChecked_presignedUrlsWork_andCorruptionInTheBucketIsCaught(@TempDir Path s3Data)
      throws Exception {
    Path dir = TestRegistry.tempDir("gantry-on-s3");
    try (S3TestServer s3 = S3TestServer.start(s3Data);
        GantryServer server = TestRegistry.start(dir, s3.environment("models"))) {
      ManagedChannel channel = TestRegistry.connect(server);
      try {
        var artifacts = TestRegistry.as(ArtifactsGrpc.newBlockingStub(channel), "erin");
        TestRegistry.registry(channel, "erin").createModel(CreateModelRequest.newBuilder().setModelId("fraud").build());
        ModelVersion version = TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest
            .newBuilder().setParent("models/fraud").setManagedArtifacts(true).build());
        Upload weights = Upload.generated("model/model.pkl", 20L << 20, 5);
        Upload conda = Upload.of("conda.yaml", "name: fraud\ndependencies:\n  - python=3.11\n".getBytes());

        Transfers.upload(channel, "erin", version.getName(), List.of(weights, conda), Long.MAX_VALUE);
        artifacts.finalizeVersion(FinalizeVersionRequest.newBuilder().setName(version.getName())
            .addFiles(weights.header()).addFiles(conda.header()).build());

        assertThat(Transfers.download(channel, "deploy-bot", version.getName(), "model/model.pkl").sha256())
            .isEqualTo(weights.header().getSha256());
        DownloadUrl url = artifacts.getDownloadUrl(GetDownloadUrlRequest.newBuilder().setVersion(version.getName())
            .setPath("conda.yaml").build());
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(url.getUrl())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(Transfers.sha256(fetched.body())).isEqualTo(conda.header().getSha256());

        String sha256 = weights.header().getSha256();
        try (MinioClient bucket = MinioClient.builder().endpoint(s3.endpoint())
            .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY).region("us-east-1").build()) {
          byte[] tampered = "not the model".getBytes();
          bucket.putObject(PutObjectArgs.builder().bucket("models")
              .object("blobs/sha256/" + sha256.substring(0, 2) + "/" + sha256.substring(2))
              .stream(new ByteArrayInputStream(tampered), tampered.length, -1).build());
        }
        var corrupted = catchThrowableOfType(() -> Transfers.download(channel, "deploy-bot", version.getName(),
            "model/model.pkl"), StatusRuntimeException.class);
        assertThat(corrupted.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  @Test
  void whenTheObjectStoreIsDown_uploadsFailRetryably_andResolvesAreUnaffected(@TempDir Path s3Data) throws Exception {
    Path dir = TestRegistry.tempDir("gantry-s3-down");
    S3TestServer s3 = S3TestServer.start(s3Data);
    try (GantryServer server = TestRegistry.start(dir, s3.environment("models"))) {
      ManagedChannel channel = TestRegistry.connect(server);
      try {
        var registry = TestRegistry.registry(channel, "erin");
        registry.createModel(CreateModelRequest.newBuilder().setModelId("churn").build());
        registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/churn")
            .setModelVersion(ModelVersion.newBuilder().setSource("s3://ml/churn/1")).build());
        TestRegistry.promotions(channel, "carol").requestPromotion(io.gantry.v1.RequestPromotionRequest.newBuilder()
            .setModel("models/churn").setAlias("production").setVersion(1).build());
        ModelVersion pending = registry.createModelVersion(CreateModelVersionRequest.newBuilder()
            .setParent("models/churn").setManagedArtifacts(true).build());

        s3.close();
        var refused = catchThrowableOfType(() -> Transfers.upload(channel, "erin", pending.getName(),
            List.of(Upload.generated("model.pkl", 4L << 20, 9)), Long.MAX_VALUE), StatusRuntimeException.class);

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(TestRegistry.errorInfo(refused).getReason()).isEqualTo("STORE_UNAVAILABLE");
        assertThat(TestRegistry.registry(channel, "deploy-bot").resolveAlias(io.gantry.v1.ResolveAliasRequest
            .newBuilder().setName("models:/churn@production").build()).getVersion()).isEqualTo(1);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      s3.close();
      TestRegistry.deleteRecursively(dir);
    }
  }
}
