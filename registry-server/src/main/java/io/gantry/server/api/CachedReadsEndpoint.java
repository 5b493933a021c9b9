package io.gantry.server.api;

import io.gantry.server.alias.AliasMessages;
import io.gantry.server.alias.AliasService;
import io.gantry.server.cache.ResolveCache;
import io.gantry.server.common.Names;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionMessages;
import io.gantry.server.version.VersionService;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListAliasesResponse;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Context;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * ResolveAlias and GetModelVersion, the calls deployment fleets make all day, and ListAliases, which MLflow's REST
 * API makes with each of them (a version's {@code aliases}). A cache hit is answered
 * on the transport thread that read the request, with bytes serialized when the entry was loaded;
 * a miss, an {@code as_of} resolve and a failure go to the worker pool, which may block on the
 * database. When the database cannot be reached, the last answer known is served instead of an error,
 * unless its model is known to have changed since: then the call is UNAVAILABLE, never an answer the
 * name may have left.
 */
public final class CachedReadsEndpoint {

  /** Calls cheap enough to run on the transport thread; every other call runs on the worker pool. */
  public static final Set<String> ON_TRANSPORT_THREAD = Set.of(
      ModelRegistryGrpc.getResolveAliasMethod().getFullMethodName(),
      ModelRegistryGrpc.getGetModelVersionMethod().getFullMethodName(),
      ModelRegistryGrpc.getListAliasesMethod().getFullMethodName(),
      HealthGrpc.getCheckMethod().getFullMethodName());

  private static final MethodDescriptor.Marshaller<byte[]> SERIALIZED = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] message) {
      return new SerializedStream(message);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private final ResolveCache cache;
  private final AliasService aliases;
  private final VersionService versions;
  private final Executor workers;

  public CachedReadsEndpoint(ResolveCache cache, AliasService aliases, VersionService versions, Executor workers) {
    this.cache = cache;
    this.aliases = aliases;
    this.versions = versions;
    this.workers = workers;
  }

  /**
   * Where a server built with {@code directExecutor()} runs each call: the calls of {@link #ON_TRANSPORT_THREAD} on
   * the thread that received them (the network's, or the in-process caller's), every other on {@code workers}.
   */
  public static ServerCallExecutorSupplier callExecutors(Executor workers) {
    return new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return ON_TRANSPORT_THREAD.contains(call.getMethodDescriptor().getFullMethodName()) ? null : workers;
      }
    };
  }

  /**
   * The registry service with its three read methods answered here. Their responses travel as bytes;
   * the service's schema (for reflection) and every other method stay as they are.
   */
  public ServerServiceDefinition overlay(ServerServiceDefinition registry) {
    Map<String, ServerMethodDefinition<?, ?>> answeredHere = Map.of(
        ModelRegistryGrpc.getResolveAliasMethod().getFullMethodName(),
        ServerMethodDefinition.create(serialized(ModelRegistryGrpc.getResolveAliasMethod()),
            ServerCalls.asyncUnaryCall(this::resolveAlias)),
        ModelRegistryGrpc.getGetModelVersionMethod().getFullMethodName(),
        ServerMethodDefinition.create(serialized(ModelRegistryGrpc.getGetModelVersionMethod()),
            ServerCalls.asyncUnaryCall(this::getModelVersion)),
        ModelRegistryGrpc.getListAliasesMethod().getFullMethodName(),
        ServerMethodDefinition.create(serialized(ModelRegistryGrpc.getListAliasesMethod()),
            ServerCalls.asyncUnaryCall(this::listAliases)));
    ServiceDescriptor original = registry.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    for (MethodDescriptor<?, ?> method : original.getMethods()) {
      ServerMethodDefinition<?, ?> replacement = answeredHere.get(method.getFullMethodName());
      descriptor.addMethod(replacement == null ? method : replacement.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : registry.getMethods()) {
      definition.addMethod(answeredHere.getOrDefault(method.getMethodDescriptor().getFullMethodName(), method));
    }
    return definition.build();
  }

  private static <Q> MethodDescriptor<Q, byte[]> serialized(MethodDescriptor<Q, ?> method) {
    return method.toBuilder(method.getRequestMarshaller(), SERIALIZED).build();
  }

  private void resolveAlias(ResolveAliasRequest request, StreamObserver<byte[]> observer) {
    if (request.hasAsOf()) {
      // the past is read exactly, from the alias history
      onWorker(observer, () -> VersionMessages.toProto(aliases.resolve(Names.parseAliasName("name",
          request.getName()), Rpc.instant("as_of", true, request.getAsOf()))).toByteArray());
      return;
    }
    answer(ResolveCache.Kind.ALIAS, request.getName(), name -> Names.parseAliasName("name", name),
        Names.AliasRef::model, ref -> serialized(aliases.resolve(ref, Optional.empty())), observer);
  }

  private void getModelVersion(GetModelVersionRequest request, StreamObserver<byte[]> observer) {
    answer(ResolveCache.Kind.VERSION, request.getName(), name -> Names.parseVersionName("name", name),
        Names.VersionRef::model, ref -> serialized(versions.get(ref)), observer);
  }

  private void listAliases(ListAliasesRequest request, StreamObserver<byte[]> observer) {
    answer(ResolveCache.Kind.ALIAS_LIST, request.getParent(), parent -> Names.parseModelName("parent", parent),
        model -> model, model -> ListAliasesResponse.newBuilder().addAllAliases(aliases.list(model).stream()
            .map(AliasMessages::toProto).toList()).build().toByteArray(), observer);
  }

  private static byte[] serialized(Version version) {
    return VersionMessages.toProto(version).toByteArray();
  }

  private <R> void answer(ResolveCache.Kind kind, String name, Function<String, R> parse,
      Function<R, String> modelOf, Function<R, byte[]> load, StreamObserver<byte[]> observer) {
    byte[] hit = cache.fresh(kind, name);
    if (hit != null) {
      send(observer, hit);
      return;
    }
    onWorker(observer, () -> {
      R ref = parse.apply(name);
      ResolveCache.Ticket ticket = cache.ticket(modelOf.apply(ref));
      try {
        byte[] response = load.apply(ref);
        cache.put(kind, name, ticket, response);
        return response;
      } catch (RuntimeException e) {
        byte[] lastKnown = GrpcErrors.isConnectionFailure(e) ? cache.lastKnown(kind, name) : null;
        if (lastKnown == null) {
          throw e;
        }
        return lastKnown;
      }
    });
  }

  private void onWorker(StreamObserver<byte[]> observer, Supplier<byte[]> call) {
    try {
      workers.execute(Context.current().wrap(() -> Rpc.unary(observer, call)));
    } catch (RejectedExecutionException e) {
      observer.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
    }
  }

  private static void send(StreamObserver<byte[]> observer, byte[] response) {
    observer.onNext(response);
    observer.onCompleted();
  }

  /** Hands gRPC the bytes without a copy, and tells it their length up front. */
  private static final class SerializedStream extends ByteArrayInputStream implements KnownLength, Drainable {

    SerializedStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}
