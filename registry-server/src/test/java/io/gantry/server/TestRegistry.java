package io.gantry.server;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One real registry per test JVM, started through the production wiring on a loopback port with its
 * own embedded PostgreSQL. Tests keep out of each other's way by using fresh model names.
 */
public final class TestRegistry {

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static GantryServer server;
  private static ManagedChannel channel;
  private static Path dataDir;

  private TestRegistry() {}

  public static synchronized ManagedChannel channel() {
    if (server == null) {
      dataDir = tempDir("gantry-test");
      server = start(dataDir);
      channel = connect(server);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        channel.shutdownNow();
        server.close();
        deleteRecursively(dataDir);
      }));
    }
    return channel;
  }

  public static GantryServer start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /** A server of its own, configured like production plus {@code env}. */
  public static GantryServer start(Path dataDir, Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("GANTRY_DATA_DIR", dataDir.toString());
    all.put("GANTRY_GRPC_PORT", "0");
    all.put("GANTRY_HTTP_PORT", "0");
    return GantryServer.start(ServerConfig.fromEnvironment(all));
  }

  /** The data directory of the shared server: its embedded database and its filesystem artifact store. */
  public static Path dataDir() {
    channel();
    return dataDir;
  }

  /** The HTTP (health and metrics) port of the shared server. */
  public static int httpPort() {
    channel();
    return server.httpPort();
  }

  /** Every service the shared server serves (health and reflection too), as it serves them. */
  public static List<io.grpc.ServerServiceDefinition> servedServices() {
    channel();
    return server.services();
  }

  /** The database of the shared server. */
  public static org.jooq.DSLContext dsl() {
    channel();
    return dsl(server);
  }

  /** The database of a server, for tests that play a database administrator. */
  public static org.jooq.DSLContext dsl(GantryServer server) {
    return server.database().dsl();
  }

  public static ManagedChannel connect(GantryServer server) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  public static ModelRegistryGrpc.ModelRegistryBlockingStub registry() {
    return registry("alice");
  }

  public static ModelRegistryGrpc.ModelRegistryBlockingStub registry(String user) {
    return registry(channel(), user);
  }

  public static ModelRegistryGrpc.ModelRegistryBlockingStub registry(ManagedChannel channel, String user) {
    return as(ModelRegistryGrpc.newBlockingStub(channel), user);
  }

  public static ArtifactsGrpc.ArtifactsBlockingStub artifacts(String user) {
    return as(ArtifactsGrpc.newBlockingStub(channel()), user);
  }

  public static PromotionsGrpc.PromotionsBlockingStub promotions(String user) {
    return promotions(channel(), user);
  }

  public static PromotionsGrpc.PromotionsBlockingStub promotions(ManagedChannel channel, String user) {
    return as(PromotionsGrpc.newBlockingStub(channel), user);
  }

  /** A stub that calls as {@code user}. */
  public static <S extends io.grpc.stub.AbstractStub<S>> S as(S stub, String user) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-gantry-user", Metadata.ASCII_STRING_MARSHALLER), user);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  public static HealthGrpc.HealthBlockingStub health() {
    return HealthGrpc.newBlockingStub(channel());
  }

  /** A model id no other test uses. */
  public static String uniqueModel(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
  }

  /**
   * The number of rows in every table of the registry, to prove a refused request stored nothing; signed checkpoints
   * are left out, as the checkpointer publishes them on a timer.
   */
  public static Map<String, Integer> rowCounts() {
    channel();
    var dsl = server.database().dsl();
    Map<String, Integer> counts = new java.util.TreeMap<>();
    io.gantry.db.DefaultSchema.DEFAULT_SCHEMA.getTables().stream()
        // published by a timer (GANTRY_CHECKPOINT_INTERVAL_SECONDS) whatever the requests: no request's doing
        .filter(t -> !t.equals(io.gantry.db.Tables.AUDIT_CHECKPOINT))
        .forEach(t -> counts.put(t.getName(), dsl.fetchCount(t)));
    return counts;
  }

  public static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class);
  }

  public static List<BadRequest.FieldViolation> violations(StatusRuntimeException e) {
    BadRequest badRequest = detail(e, BadRequest.class);
    return badRequest == null ? List.of() : badRequest.getFieldViolationsList();
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return null;
    }
    return status.getDetailsList().stream().filter(any -> any.is(type)).findFirst().map(any -> {
      try {
        return any.unpack(type);
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new IllegalStateException(ex);
      }
    }).orElse(null);
  }

  /** An MLflow file from the test resources (copies of real MLflow output; see mlflow/README.md). */
  public static String mlflowFixture(String path) {
    try (var in = TestRegistry.class.getResourceAsStream("/mlflow/" + path)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
