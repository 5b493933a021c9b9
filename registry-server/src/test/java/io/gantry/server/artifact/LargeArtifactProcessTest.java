package io.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.ServerProcess;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.ModelVersion;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A file larger than the server's whole heap goes up and comes back: it streams, it is never buffered. */
class LargeArtifactProcessTest {

  @Test
  void a300MiBFile_uploadsAndDownloads_throughAServerWithA256MiBHeap() throws Exception {
    Path dataDir = TestRegistry.tempDir("gantry-large");
    Process server = ServerProcess.launch(Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0",
        "GANTRY_HTTP_PORT", "0"));
    try {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ServerProcess.awaitPort(server))
          .usePlaintext().build();
      try {
        TestRegistry.registry(channel, "erin").createModel(CreateModelRequest.newBuilder().setModelId("llm").build());
        ModelVersion version = TestRegistry.registry(channel, "erin").createModelVersion(CreateModelVersionRequest
            .newBuilder().setParent("models/llm").setManagedArtifacts(true).build());
        Upload weights = Upload.generated("model/weights.safetensors", 300L << 20, 300);

        Transfers.upload(channel, "erin", version.getName(), List.of(weights), Long.MAX_VALUE);
        TestRegistry.as(ArtifactsGrpc.newBlockingStub(channel), "erin").finalizeVersion(FinalizeVersionRequest
            .newBuilder().setName(version.getName()).addFiles(weights.header()).build());
        var received = Transfers.download(channel, "deploy-bot", version.getName(), "model/weights.safetensors");

        assertThat(received.size()).isEqualTo(300L << 20);
        assertThat(received.sha256()).isEqualTo(weights.header().getSha256());
        assertThat(server.isAlive()).as("no OutOfMemoryError took it down").isTrue();
      } finally {
        channel.shutdownNow();
      }
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
      TestRegistry.deleteRecursively(dataDir);
    }
  }
}
