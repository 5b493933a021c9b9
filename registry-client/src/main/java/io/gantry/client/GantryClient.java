package io.gantry.client;

import io.gantry.v1.AccessControlGrpc.AccessControlBlockingStub;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.AttestationsGrpc;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.WebhooksGrpc;
import io.gantry.v1.ArtifactsGrpc.ArtifactsBlockingStub;
import io.gantry.v1.ArtifactsGrpc.ArtifactsStub;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.AuditGrpc.AuditBlockingStub;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryStub;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionsGrpc.PromotionsBlockingStub;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.health.v1.HealthGrpc.HealthBlockingStub;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A connection to one Gantry server: a channel (plaintext, or TLS) whose every call carries the caller's name in
 * the {@code x-gantry-user} header, and a bearer token when one is given. Stubs handed out carry a deadline of {@link #CALL_TIMEOUT}
 * from the moment they are asked for; override it with {@code withDeadline}.
 */
public final class GantryClient implements AutoCloseable {

  public static final String USER_HEADER = "x-gantry-user";
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  /** The slowest average rate a file transfer may have before its deadline ends it: 256 KiB/s. */
  public static final long MIN_TRANSFER_BYTES_PER_SECOND = 256 * 1024;

  private static final Metadata.Key<String> USER_KEY =
      Metadata.Key.of(USER_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION_KEY =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  // gRPC's own retry: UNAVAILABLE means the server did not act on the call, or the call carries a
  // request_id the server deduplicates on; every call of the audit service only reads. Of the artifact calls,
  // finalizing again with the same files changes nothing and the others only read; an upload is never repeated,
  // as the files it already stored would be refused the second time. Of the access calls, those that read, and
  // revoking a token (again, it changes nothing); a grant, a binding's deletion or a new token carry no request_id.
  private static final Map<String, ?> RETRY_UNAVAILABLE = Map.of("methodConfig", List.of(Map.of(
      "name", List.of(Map.of("service", ModelRegistryGrpc.SERVICE_NAME), Map.of("service", AuditGrpc.SERVICE_NAME),
          Map.of("service", PromotionsGrpc.SERVICE_NAME),
          method(ArtifactsGrpc.getFinalizeVersionMethod()),
          method(ArtifactsGrpc.getListArtifactsMethod()),
          method(ArtifactsGrpc.getDownloadArtifactMethod()),
          method(ArtifactsGrpc.getGetDownloadUrlMethod()),
          method(AccessControlGrpc.getGetCallerMethod()),
          method(AccessControlGrpc.getListRoleBindingsMethod()),
          method(AccessControlGrpc.getListApiTokensMethod()),
          method(AccessControlGrpc.getRevokeApiTokenMethod())),
      "retryPolicy", Map.of(
          "maxAttempts", 4.0,
          "initialBackoff", "0.2s",
          "maxBackoff", "2s",
          "backoffMultiplier", 2.0,
          "retryableStatusCodes", List.of("UNAVAILABLE")))));

  private final ManagedChannel channel;
  private final EventLoopGroup network;
  private final ModelRegistryBlockingStub registry;
  private final ModelRegistryStub registryAsync;
  private final HealthBlockingStub health;
  private final AuditBlockingStub audit;
  private final PromotionsBlockingStub promotions;
  private final ArtifactsBlockingStub artifacts;
  private final ArtifactsStub artifactsAsync;
  private final AccessControlBlockingStub access;
  private final ImportsGrpc.ImportsBlockingStub imports;
  private final WebhooksGrpc.WebhooksBlockingStub webhooks;
  private final AttestationsGrpc.AttestationsBlockingStub attestations;

  private GantryClient(ManagedChannel channel, EventLoopGroup network) {
    this.channel = channel;
    this.network = network;
    this.registry = ModelRegistryGrpc.newBlockingStub(channel);
    this.registryAsync = ModelRegistryGrpc.newStub(channel);
    this.promotions = PromotionsGrpc.newBlockingStub(channel);
    this.artifacts = ArtifactsGrpc.newBlockingStub(channel);
    this.artifactsAsync = ArtifactsGrpc.newStub(channel);
    this.audit = AuditGrpc.newBlockingStub(channel);
    this.access = AccessControlGrpc.newBlockingStub(channel);
    this.imports = ImportsGrpc.newBlockingStub(channel);
    this.webhooks = WebhooksGrpc.newBlockingStub(channel);
    this.attestations = AttestationsGrpc.newBlockingStub(channel);
    this.health = HealthGrpc.newBlockingStub(channel);
  }

  /** Connects to {@code target} ({@code host:port}) as {@code user}, retrying UNAVAILABLE calls. */
  public static GantryClient connect(String target, String user) {
    return connect(target, user, null, InsecureChannelCredentials.create());
  }

  /**
   * As {@link #connect(String, String)}, over {@code transport} ({@link InsecureChannelCredentials}, or
   * {@link io.grpc.TlsChannelCredentials} for a server with a certificate), and with {@code token} (a JWT or a Gantry
   * API token; null for none) sent as {@code authorization: Bearer}, which a server that verifies callers takes
   * instead of the user name.
   */
  public static GantryClient connect(String target, String user, String token, ChannelCredentials transport) {
    return open(target, user, token, transport,
        builder -> builder.defaultServiceConfig(RETRY_UNAVAILABLE).enableRetry());
  }

  /** As {@link #connect}, but every call is sent once: for measuring, where a retry would hide errors. */
  public static GantryClient connectWithoutRetries(String target, String user, String token,
      ChannelCredentials transport) {
    return open(target, user, token, transport, ManagedChannelBuilder::disableRetry);
  }

  private static GantryClient open(String target, String user, String token, ChannelCredentials transport,
      UnaryOperator<ManagedChannelBuilder<?>> options) {
    EventLoopGroup network = new NioEventLoopGroup();
    try {
      return new GantryClient(options.apply(channelBuilder(target, user, token, transport, network)).build(), network);
    } catch (RuntimeException e) {
      network.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static Map<String, String> method(MethodDescriptor<?, ?> method) {
    return Map.of("service", method.getServiceName(), "method", method.getBareMethodName());
  }

  /**
   * @param network the channel's own network threads, which {@link #close} stops: gRPC's shared ones outlive a
   *     closed channel by a second, and a JVM exiting with a thread waiting in {@code epoll_wait} (in native code)
   *     first waits 300 ms for it, a third of a short CLI call
   */
  private static ManagedChannelBuilder<?> channelBuilder(String target, String user, String token,
      ChannelCredentials transport, EventLoopGroup network) {
    Metadata headers = new Metadata();
    headers.put(USER_KEY, user);
    if (token != null) {
      headers.put(AUTHORIZATION_KEY, "Bearer " + token);
    }
    ClientInterceptor identifyCaller = MetadataUtils.newAttachHeadersInterceptor(headers);
    return NettyChannelBuilder.forTarget(target, transport).eventLoopGroup(network)
        .channelType(NioSocketChannel.class).intercept(identifyCaller);
  }

  public ModelRegistryBlockingStub registry() {
    return registry.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Watches the alias {@code request} names, or every alias of a model ({@code models/taxi/aliases/*}), until
   * closed: the listener hears each alias's state once, then every move once and in order, across lost
   * connections and server restarts. The watch has no deadline.
   */
  public AliasWatcher watchAlias(WatchAliasRequest request, AliasWatcher.Listener listener) {
    return AliasWatcher.start(registryAsync, channel::resetConnectBackoff, request, listener);
  }

  /**
   * The {@code gantry.v1.Audit} service: the audit log, its signed checkpoints and proofs. The streaming calls
   * (a followed {@code StreamAuditEvents}, a long export) outlive the default deadline: lift it with
   * {@code withDeadline(null)} and cancel through an {@link io.grpc.Context.CancellableContext} instead.
   */
  public AuditBlockingStub audit() {
    return audit.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The {@code gantry.v1.Promotions} service: requests to move an alias, their approvals, and the policy bindings
   * that gate them. A promotion a policy refused is a response in state {@code REJECTED}, not a failed call.
   */
  public PromotionsBlockingStub promotions() {
    return promotions.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The {@code gantry.v1.Artifacts} service: a version's files, their manifest and download URLs. A download outlives
   * the default deadline: {@link ArtifactDownload} replaces it with {@link #transferTimeout}.
   */
  public ArtifactsBlockingStub artifacts() {
    return artifacts.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The {@code gantry.v1.Artifacts} service for the client-streaming upload, which {@link ArtifactUpload} makes with
   * flow control and a deadline of {@link #transferTimeout}.
   */
  public ArtifactsStub artifactsAsync() {
    return artifactsAsync.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * How long moving {@code bytes} of files may take: {@link #CALL_TIMEOUT}, plus the time they take at
   * {@link #MIN_TRANSFER_BYTES_PER_SECOND}. A stalled transfer ends instead of hanging; a slow one that keeps going
   * finishes.
   */
  public static Duration transferTimeout(long bytes) {
    return CALL_TIMEOUT.plusSeconds(bytes / MIN_TRANSFER_BYTES_PER_SECOND);
  }

  /**
   * The {@code gantry.v1.AccessControl} service: who the server takes the caller for, role bindings and API tokens.
   * All but {@code GetCaller} need the admin role on every model.
   */
  public AccessControlBlockingStub access() {
    return access.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public AttestationsGrpc.AttestationsBlockingStub attestations() {
    return attestations.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ImportsGrpc.ImportsBlockingStub imports() {
    return imports.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The {@code gantry.v1.Webhooks} service: subscriptions and their deliveries; needs the admin role on every model. */
  public WebhooksGrpc.WebhooksBlockingStub webhooks() {
    return webhooks.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The standard {@code grpc.health.v1.Health} service of the server. */
  public HealthBlockingStub health() {
    return health.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
      // no quiet period: the channel that used them has ended
      network.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      channel.shutdownNow();
      network.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      Thread.currentThread().interrupt();
    }
  }
}
