package io.gantry.server.wire;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Times every gRPC call, by method and status code ({@code gantry_grpc_server_calls_seconds}). */
public final class CallMetrics implements ServerInterceptor {

  private final MeterRegistry registry;
  // looked up once per method and code: on a cache hit the lookup would cost as much as the answer
  private final Map<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

  public CallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long started = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    AtomicReferenceArray<Timer> byCode = timers.computeIfAbsent(method,
        m -> new AtomicReferenceArray<>(Status.Code.values().length));
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        timer(byCode, method, status.getCode()).record(System.nanoTime() - started,
            TimeUnit.NANOSECONDS);
        super.close(status, trailers);
      }
    }, headers);
  }

  private Timer timer(AtomicReferenceArray<Timer> byCode, String method, Status.Code code) {
    Timer timer = byCode.get(code.value());
    if (timer == null) {
      timer = Timer.builder("gantry.grpc.server.calls")
          .description("gRPC calls served, by method and status")
          .tag("method", method)
          .tag("code", code.name())
          .register(registry);
      byCode.set(code.value(), timer);
    }
    return timer;
  }
}
