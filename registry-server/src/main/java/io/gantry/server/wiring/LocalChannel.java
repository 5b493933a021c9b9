package io.gantry.server.wiring;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The server's own services, reachable in-process exactly as served on the network (the same checks and guards):
 * how the HTTP gateways (MLflow's REST API) call Gantry without rules of their own.
 */
public final class LocalChannel implements AutoCloseable {

  private final Server server;
  private final ManagedChannel channel;

  private LocalChannel(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** @param executors where each call runs, as on the network port: cache hits on the caller's own thread */
  static LocalChannel start(List<ServerServiceDefinition> served, ServerCallExecutorSupplier executors) {
    String name = "gantry-local-" + UUID.randomUUID();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor().callExecutor(executors);
    served.forEach(builder::addService);
    try {
      return new LocalChannel(builder.build().start(), InProcessChannelBuilder.forName(name).directExecutor().build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
