package io.gantry.server.wire;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.grpc.Context;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one place every RPC passes through before its service sees it, whatever its method: requests whose bytes are
 * not the message they claim to be end in {@code INVALID_ARGUMENT} naming the field (never the transport's
 * {@code UNKNOWN}); metadata over its limit ends in {@code RESOURCE_EXHAUSTED}; a call that waits for its client
 * longer than the idle timeout, and a unary call that arrived without a deadline and outlives the default one, end
 * in {@code DEADLINE_EXCEEDED}. Wrapping the service
 * definitions rather than intercepting calls is what lets it see bytes: an interceptor only ever gets parsed
 * messages, and a parse failure never reaches it.
 */
public final class WireGuard implements AutoCloseable {

  private static final byte[] BINARY_SUFFIX = Metadata.BINARY_HEADER_SUFFIX.getBytes(StandardCharsets.US_ASCII);
  private static final long MIN_SWEEP_MILLIS = 50;
  private static final long MAX_SWEEP_MILLIS = 1000;

  private final long defaultDeadlineNanos;
  private final long idleNanos;
  private final int maxMetadataBytes;
  private final Set<GuardedCall<?, ?>> open = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sweeper;

  /**
   * @param defaultDeadline how long a unary call that came without a deadline may take
   * @param idleTimeout how long a call may wait for its client's next message (or its end of input)
   * @param maxMetadataBytes the largest metadata a call may carry, counted as HTTP/2 counts a header list; the
   *     transport must let through more than this (see {@link #transportMetadataLimit}) for the refusal to be ours
   */
  public WireGuard(Duration defaultDeadline, Duration idleTimeout, int maxMetadataBytes) {
    this.defaultDeadlineNanos = defaultDeadline.toNanos();
    this.idleNanos = idleTimeout.toNanos();
    this.maxMetadataBytes = maxMetadataBytes;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "gantry-wire-sweeper");
      thread.setDaemon(true);
      return thread;
    });
    // a quarter of the shorter limit, so a call is cut off at most a quarter late
    long sweepMillis = Math.max(MIN_SWEEP_MILLIS, Math.min(MAX_SWEEP_MILLIS,
        Math.min(defaultDeadline.toMillis(), idleTimeout.toMillis()) / 4));
    sweeper.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * The header list size the transport itself accepts: twice the limit. Between the two, a call is refused with a
   * status a client can read (RESOURCE_EXHAUSTED, METADATA_TOO_LARGE); beyond it the transport answers HTTP 431, and
   * a quarter further it drops the connection, without reading a header more.
   */
  public static int transportMetadataLimit(int maxMetadataBytes) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * maxMetadataBytes);
  }

  /** The same service, every method guarded; its schema (for reflection) and method names are unchanged. */
  public ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = service.getMethods().stream()
        .<ServerMethodDefinition<?, ?>>map(this::guard).toList();
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    ServerServiceDefinition.Builder guarded = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(guarded::addMethod);
    return guarded.build();
  }

  private <Q, R> ServerMethodDefinition<Inbound<Q>, R> guard(ServerMethodDefinition<Q, R> definition) {
    MethodDescriptor<Q, R> method = definition.getMethodDescriptor();
    MethodDescriptor<Inbound<Q>, R> wire = method.toBuilder(RequestMarshaller.of(method),
        method.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(wire, (call, headers) -> start(method, handler, call, headers));
  }

  private <Q, R> ServerCall.Listener<Inbound<Q>> start(MethodDescriptor<Q, R> method, ServerCallHandler<Q, R> handler,
      ServerCall<Inbound<Q>, R> call, Metadata headers) {
    long size = headerListSize(headers);
    if (size > maxMetadataBytes) {
      var status = GrpcErrors.toStatusException(new GantryException(ErrorCode.METADATA_TOO_LARGE, "the call's "
          + "metadata is " + size + " bytes, over the limit of " + maxMetadataBytes + " (GANTRY_MAX_METADATA_BYTES)"));
      call.close(status.getStatus(), status.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    long now = System.nanoTime();
    // server-streaming calls (watches, downloads, the audit stream) send for as long as the client reads
    boolean deadlined = method.getType() == MethodDescriptor.MethodType.UNARY && Context.current().getDeadline() == null;
    GuardedCall<Q, R> guarded = new GuardedCall<>(call, method, now, idleNanos,
        deadlined ? OptionalLong.of(now + defaultDeadlineNanos) : OptionalLong.empty(), open::remove);
    open.add(guarded);
    return guarded.listen(handler.startCall(guarded, headers));
  }

  /**
   * As HTTP/2 counts it (RFC 7540 6.5.2): name, value and 32 bytes per field; binary values as base64. Read from the
   * serialized form the transport already holds: every call pays this, cache hits included, so no key is built.
   */
  private static long headerListSize(Metadata headers) {
    byte[][] fields = InternalMetadata.serialize(headers);
    long size = 0;
    for (int i = 0; i + 1 < fields.length; i += 2) {
      byte[] name = fields[i];
      int value = fields[i + 1].length;
      size += name.length + (binary(name) ? (value + 2) / 3 * 4 : value) + 32;
    }
    return size;
  }

  private static boolean binary(byte[] name) {
    return name.length >= BINARY_SUFFIX.length && Arrays.equals(name, name.length - BINARY_SUFFIX.length,
        name.length, BINARY_SUFFIX, 0, BINARY_SUFFIX.length);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (GuardedCall<?, ?> call : open) {
      if (call.idle(now)) {
        call.closeByGuard(new GantryException(ErrorCode.CLIENT_IDLE, "no message from the client for "
            + seconds(idleNanos) + " while the call waited for one (GANTRY_STREAM_IDLE_SECONDS)"));
      } else if (call.overdue(now)) {
        call.closeByGuard(new GantryException(ErrorCode.SERVER_DEADLINE, "the call came without a deadline and "
            + "ran past the server's default of " + seconds(defaultDeadlineNanos)
            + " (GANTRY_DEFAULT_DEADLINE_SECONDS); it may still have taken effect: read before retrying"));
      }
    }
  }

  private static String seconds(long nanos) {
    return Duration.ofNanos(nanos).toMillis() / 1000.0 + " s";
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
