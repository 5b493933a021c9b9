package io.gantry.server.wiring;

import io.gantry.server.api.CachedReadsEndpoint;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ListenFailure;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.wire.CallMetrics;
import io.gantry.server.wire.NetworkThreads;
import io.gantry.server.wire.WireGuard;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC port: every service behind the wire guard, the checks and the call metrics, on Netty with the configured
 * limits and TLS. {@code served} is each service as guarded and checked, for the in-process channel to serve alike.
 */
public record Transport(InetSocketAddress address, List<ServerServiceDefinition> served, WireGuard wire,
    NetworkThreads network, Server server) {

  /** The threads calls that may block run on (all but cache hits and health checks). */
  public static ExecutorService workers(int threads) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread thread = new Thread(r, "gantry-worker-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts listening; pushes onto {@code opened} what a failed start must close. */
  public static Transport start(ServerConfig config, List<ServerServiceDefinition> services,
      List<ServerInterceptor> checks, ServingHealth health, ExecutorService workers, MeterRegistry metrics,
      Deque<AutoCloseable> opened) {
    InetSocketAddress address = new InetSocketAddress(config.identity().listenAddress(), config.grpcPort());
    ServerConfig.Limits limits = config.limits();
    WireGuard wire = new WireGuard(limits.defaultDeadline(), limits.streamIdle(), limits.maxMetadataBytes());
    opened.push(wire);
    // bad bytes are refused before the checks read a request; the metrics see every call, those refusals included
    CallMetrics callMetrics = new CallMetrics(metrics);
    List<ServerServiceDefinition> served = services.stream()
        .map(service -> ServerInterceptors.intercept(wire.guard(ServerInterceptors.interceptForward(service, checks)),
            callMetrics))
        .toList();
    NetworkThreads network = NetworkThreads.start(config.networkThreads());
    opened.push(network);
    NettyServerBuilder builder = network.configure(NettyServerBuilder.forAddress(address, transportSecurity(config)))
        .maxInboundMessageSize(limits.maxMessageBytes())
        .maxInboundMetadataSize(WireGuard.transportMetadataLimit(limits.maxMetadataBytes()))
        .maxConcurrentCallsPerConnection(limits.maxConcurrentStreams())
        .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionIdle(limits.connectionIdle().toMillis(), TimeUnit.MILLISECONDS)
        // Cache hits and health checks are answered on the transport thread: handing them to another
        // thread would cost more than answering. Everything else may block, and runs on the workers.
        .directExecutor()
        .callExecutor(CachedReadsEndpoint.callExecutors(workers));
    served.forEach(builder::addService);
    Server server = builder
        .addService(wire.guard(health.grpc().getHealthService().bindService()))
        // v1 for current tools, v1alpha for grpcurl and older clients
        .addService(wire.guard(ProtoReflectionServiceV1.newInstance().bindService()))
        .addService(wire.guard(ProtoReflectionService.newInstance().bindService()))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw ListenFailure.of(address, "GANTRY_GRPC_PORT", e);
    }
    opened.push(server::shutdownNow);
    return new Transport(address, served, wire, network, server);
  }

  private static ServerCredentials transportSecurity(ServerConfig config) {
    Optional<ServerConfig.Tls> tls = config.identity().tls();
    if (tls.isEmpty()) {
      if (config.identity().jwt().isPresent() && !config.identity().listenAddress().isLoopbackAddress()) {
        ServerLog.LOG.warn("Bearer tokens are accepted over plaintext: set GANTRY_TLS_CERT and GANTRY_TLS_KEY, or "
            + "terminate TLS in front of the server");
      }
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder()
          .keyManager(tls.get().certificateChain().toFile(), tls.get().privateKey().toFile());
      if (tls.get().clientCa().isPresent()) {
        // optional: a caller may present a bearer token instead of a certificate
        credentials.trustManager(tls.get().clientCa().get().toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
      }
      return credentials.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("GANTRY_TLS_CERT/GANTRY_TLS_KEY/GANTRY_TLS_CLIENT_CA cannot be used: "
          + e.getMessage(), e);
    }
  }
}
