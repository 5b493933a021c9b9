package io.gantry.server.wire;

import static io.gantry.server.TestRegistry.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UploadArtifactsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits of the gRPC port, configured small (GANTRY_MAX_*, GANTRY_STREAM_IDLE_SECONDS, …) on a server of its own,
 * and what the transport itself answers to requests that are not gRPC enough to become a call. After each, the
 * server goes on serving.
 */
class CallLimitsTest {

  private static final int IDLE_SECONDS = 2;
  private static final int DEADLINE_SECONDS = 3;
  private static final int METADATA_BYTES = 4096;
  private static Path dataDir;
  private static GantryServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void aServerWithSmallLimits() {
    dataDir = TestRegistry.tempDir("gantry-limits");
    server = TestRegistry.start(dataDir, Map.of(
        "GANTRY_MAX_MESSAGE_BYTES", String.valueOf(2 << 20),
        "GANTRY_MAX_METADATA_BYTES", String.valueOf(METADATA_BYTES),
        "GANTRY_MAX_CONCURRENT_STREAMS", "7",
        "GANTRY_STREAM_IDLE_SECONDS", String.valueOf(IDLE_SECONDS),
        "GANTRY_DEFAULT_DEADLINE_SECONDS", String.valueOf(DEADLINE_SECONDS),
        "GANTRY_KEEPALIVE_TIME_SECONDS", "1",
        "GANTRY_KEEPALIVE_TIMEOUT_SECONDS", "1",
        "GANTRY_CONNECTION_IDLE_SECONDS", "2"));
    channel = TestRegistry.connect(server);
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    server.close();
    TestRegistry.deleteRecursively(dataDir);
  }

  @Test
  void anUploadThatStopsSending_isCutOffAfterTheIdleTimeout_andStoresNothing() {
    String version = pendingVersion();
    var file = UploadArtifactsRequest.newBuilder().setFile(ArtifactFile.newBuilder().setPath("model.bin")
        .setSize(10).setSha256("0".repeat(64))).build();
    var chunk = UploadArtifactsRequest.newBuilder().setChunk(ByteString.copyFromUtf8("12345")).build();
    long started = System.nanoTime();

    var ending = RawCalls.open(channel, ArtifactsGrpc.getUploadArtifactsMethod().getFullMethodName(),
        MethodDescriptor.MethodType.CLIENT_STREAMING, "alice",
        List.of(UploadArtifactsRequest.newBuilder().setVersion(version).build().toByteArray(), file.toByteArray(),
            chunk.toByteArray()));

    assertThat(ending.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(errorInfo(ending.asException()).getReason()).isEqualTo("CLIENT_IDLE");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(IDLE_SECONDS),
        Duration.ofSeconds(IDLE_SECONDS + 10));
    assertThat(registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(version).build())
        .getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD);
    assertThat(TestRegistry.dsl(server).fetchCount(io.gantry.db.Tables.ARTIFACT_FILE)).isZero();
  }

  @Test
  void aUnaryCallWhoseMessageNeverComes_isCutOffAfterTheIdleTimeout() {
    // called as a stream: a Java client holds back a unary call's headers until its message is sent
    var ending = RawCalls.open(channel, ModelRegistryGrpc.getGetModelMethod().getFullMethodName(),
        MethodDescriptor.MethodType.BIDI_STREAMING, "alice", List.of());

    assertThat(ending.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(errorInfo(ending.asException()).getReason()).isEqualTo("CLIENT_IDLE");
  }

  @Test
  void aUnaryCallWithoutADeadline_getsTheServersDefault_andOneWithItsOwnKeepsIt() throws Exception {
    String model = model();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // an administrator holds the model's row: the update waits on it
    Thread holder = new Thread(() -> TestRegistry.dsl(server).transaction(tx -> {
      tx.dsl().execute("select 1 from registered_model where name = ? for update", model);
      locked.countDown();
      release.await(60, TimeUnit.SECONDS);
    }));
    holder.start();
    assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
    var update = UpdateModelRequest.newBuilder().setModel(RegisteredModel.newBuilder().setName("models/" + model)
        .setDescription("waited")).setUpdateMask(FieldMask.newBuilder().addPaths("description")).build();
    long started = System.nanoTime();

    var e = catchThrowableOfType(() -> registry().updateModel(update), StatusRuntimeException.class);
    Duration waited = Duration.ofNanos(System.nanoTime() - started);
    var ownDeadline = new Thread(() -> registry().withDeadlineAfter(60, TimeUnit.SECONDS).updateModel(update));
    ownDeadline.start();
    // past the server's deadline, the call with its own longer one is still waiting for the row, not cut off
    await().during(Duration.ofSeconds(DEADLINE_SECONDS + 2)).atMost(Duration.ofSeconds(DEADLINE_SECONDS + 10))
        .until(ownDeadline::isAlive);
    release.countDown();
    ownDeadline.join(TimeUnit.SECONDS.toMillis(30));
    holder.join();

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(errorInfo(e).getReason()).isEqualTo("SERVER_DEADLINE");
    assertThat(waited).isBetween(Duration.ofSeconds(DEADLINE_SECONDS), Duration.ofSeconds(DEADLINE_SECONDS + 10));
    assertThat(ownDeadline.isAlive()).isFalse();
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build())
        .getDescription()).isEqualTo("waited");
  }

  @Test
  void metadataOverTheLimit_isResourceExhausted_andFarOverIsRefusedByTheTransport() throws IOException {
    Metadata big = new Metadata();
    big.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(METADATA_BYTES + 100));
    byte[] request = RawHttp2.grpcFrame(GetModelRequest.newBuilder().setName("models/x").build().toByteArray(), 10);

    var e = catchThrowableOfType(() -> registry().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big))
        .getModel(GetModelRequest.newBuilder().setName("models/x").build()), StatusRuntimeException.class);
    var overTransport = RawHttp2.call(server.grpcPort(), "/gantry.v1.ModelRegistry/GetModel", "application/grpc",
        Map.of("x-padding", "p".repeat(3 * METADATA_BYTES)), request);
    var farOver = RawHttp2.call(server.grpcPort(), "/gantry.v1.ModelRegistry/GetModel", "application/grpc",
        Map.of("x-padding", "p".repeat(10 * METADATA_BYTES)), request);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo(e).getReason()).isEqualTo("METADATA_TOO_LARGE");
    assertThat(overTransport.get(":status")).isEqualTo("431");
    assertThat(farOver.goAwayCode()).as("PROTOCOL_ERROR, for this connection only").isEqualTo(1);
    assertServing();
  }

  @Test
  void aMessageOverTheConfiguredLimit_isResourceExhausted_anUploadChunkIncluded() {
    var chunk = UploadArtifactsRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[3 << 20])).build();

    var ending = RawCalls.call(channel, ArtifactsGrpc.getUploadArtifactsMethod().getFullMethodName(),
        MethodDescriptor.MethodType.CLIENT_STREAMING, "alice", List.of(chunk.toByteArray()));

    assertThat(ending.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertServing();
  }

  @Test
  void aRequestThatIsNotGrpc_isHttp415_andAFrameCutOffByTheEndOfTheStreamIsRefused() throws IOException {
    byte[] request = RawHttp2.grpcFrame(GetModelRequest.newBuilder().setName("models/x").build().toByteArray(), 10);

    var json = RawHttp2.call(server.grpcPort(), "/gantry.v1.ModelRegistry/GetModel", "application/json", Map.of(),
        request);
    var cut = RawHttp2.call(server.grpcPort(), "/gantry.v1.ModelRegistry/CreateModel", "application/grpc", Map.of(),
        RawHttp2.grpcFrame(new byte[] {0x0a, 0x01, 0x61}, 100));

    assertThat(json.get(":status")).isEqualTo("415");
    assertThat(cut.get("grpc-message")).isEqualTo("Encountered end-of-stream mid-frame");
    assertServing();
  }

  @Test
  void theConnectionSettings_reachTheWire_andSilentOrIdleConnectionsAreClosed() throws IOException {
    var silent = RawHttp2.hold(server.grpcPort(), false, 20);
    var idle = RawHttp2.hold(server.grpcPort(), true, 20);

    assertThat(silent.settings()).containsEntry(RawHttp2.MAX_CONCURRENT_STREAMS, 7L)
        .containsEntry(RawHttp2.MAX_HEADER_LIST_SIZE, 2L * METADATA_BYTES);
    assertThat(silent.frames()).as("a keepalive ping, unanswered").contains(RawHttp2.PING);
    assertThat(silent.closed()).isTrue();
    assertThat(idle.frames()).as("GOAWAY once idle, pings answered").contains(7);
    assertThat(idle.closed()).isTrue();
  }

  private static void assertServing() {
    String model = model();
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build()).getName())
        .isEqualTo("models/" + model);
  }

  private static String model() {
    String model = TestRegistry.uniqueModel("limits");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    return model;
  }

  private static String pendingVersion() {
    return registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model())
        .setManagedArtifacts(true).build()).getName();
  }

  private static ModelRegistryGrpc.ModelRegistryBlockingStub registry() {
    return TestRegistry.registry(channel, "alice");
  }
}
