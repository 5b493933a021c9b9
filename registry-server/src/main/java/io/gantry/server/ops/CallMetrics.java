package io.gantry.server.ops;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Times every gRPC call, by method and status code ({@code gantry_grpc_server_calls_seconds}). */
public final class CallMetrics implements ServerInterceptor {

  private final MeterRegistry registry;

  public CallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Timer.Sample started = Timer.start(registry);
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        started.stop(Timer.builder("gantry.grpc.server.calls")
            .description("gRPC calls served, by method and status")
            .tag("method", method)
            .tag("code", status.getCode().name())
            .register(registry));
        super.close(status, trailers);
      }
    }, headers);
  }
}
