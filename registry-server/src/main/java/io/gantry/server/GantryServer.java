package io.gantry.server;

import io.gantry.server.change.ChangeFeed;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.Database;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.wiring.Access;
import io.gantry.server.wiring.BackgroundJobs;
import io.gantry.server.wiring.Endpoints;
import io.gantry.server.wiring.HttpPort;
import io.gantry.server.wiring.Identity;
import io.gantry.server.wiring.Persistence;
import io.gantry.server.wiring.PolicyFileText;
import io.gantry.server.wiring.Promotions;
import io.gantry.server.wiring.Registry;
import io.gantry.server.wiring.ServingHealth;
import io.gantry.server.wiring.Telemetry;
import io.gantry.server.wiring.Transport;
import io.gantry.server.wiring.Webhooks;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server: the composition root. Start-up calls one factory per capability ({@code io.gantry.server.wiring})
 * in order; this class owns only the lifecycle: start, the order things close in, and what tests read. {@link Main}
 * runs it; tests start it the same way, so they exercise the production wiring.
 */
public final class GantryServer implements AutoCloseable {

  static {
    // jOOQ prints a banner and tips on first use; a server's log has no room for them
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  private static final Logger log = LoggerFactory.getLogger(GantryServer.class);
  private static final long DRAIN_SECONDS = 20;

  private final Telemetry telemetry;
  private final Persistence persistence;
  private final ExecutorService workers;
  private final Registry registry;
  private final Promotions promotions;
  private final Access access;
  private final ServingHealth health = new ServingHealth();
  private final Transport transport;
  private final HttpPort http;
  private final BackgroundJobs jobs;
  private boolean closed;

  /** Wires and starts every capability in order; {@code opened} collects what a failed start must close. */
  private GantryServer(ServerConfig config, Telemetry telemetry, Deque<AutoCloseable> opened) {
    this.telemetry = telemetry;
    persistence = Persistence.open(config, telemetry.metrics(), opened);
    workers = Transport.workers(config.workerThreads());
    opened.push(workers::shutdownNow);
    registry = Registry.start(config, persistence, workers, telemetry.metrics());
    // read once; promotions, access and webhooks each apply their own section, in that order
    Optional<PolicyFileText> policyFile = PolicyFileText.read(config.promotion().policyFile());
    promotions = Promotions.build(config, persistence, registry, policyFile, opened);
    access = Access.build(config, persistence, telemetry.metrics(), policyFile, opened);
    var webhooks = Webhooks.subscriptions(persistence, policyFile);
    Identity identity = Identity.build(config, persistence, access, promotions);
    List<ServerServiceDefinition> services = Endpoints.bind(config, persistence, registry, promotions, access,
        webhooks, workers);
    transport = Transport.start(config, services, identity.checks(), health, workers, telemetry.metrics(), opened);
    http = HttpPort.start(config, transport.served(), workers, identity.webSessions(), promotions.pinning(),
        registry.cache(), health, telemetry.metrics(), opened);
    jobs = BackgroundJobs.start(config, persistence, promotions, access.service(), identity.webSessions(), health);
    Identity.announce(config, transport.address());
    log.info("Gantry serving gRPC on port {}, health and metrics over HTTP on port {}", grpcPort(), httpPort());
  }

  /**
   * Opens the database (applying migrations) and starts serving.
   *
   * @throws ConfigException when a setting is wrong or the database or port cannot be had
   */
  public static GantryServer start(ServerConfig config) {
    Telemetry telemetry = Telemetry.start();
    // what start-up has opened so far, closed in reverse order if a later step fails
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      return new GantryServer(config, telemetry, opened);
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        log.warn("Could not close {} after a failed start: {}", e.getClass().getSimpleName(), e.toString());
      }
    }
  }

  /** For tests in this package that check what was, or was not, stored. */
  Database database() {
    return persistence.database();
  }

  /** For tests in this package that watch the change listener (the metrics page reads the database). */
  ChangeFeed changes() {
    return persistence.changes();
  }

  /** For tests in this package that call every method served, whatever its service. */
  List<ServerServiceDefinition> services() {
    return transport.server().getServices();
  }

  public int grpcPort() {
    return transport.server().getPort();
  }

  public int httpPort() {
    return http.server().port();
  }

  public void awaitTermination() throws InterruptedException {
    transport.server().awaitTermination();
  }

  /** Stops taking calls, lets the calls in flight finish, then closes the database. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    jobs.timer().shutdownNow();
    health.end();
    transport.server().shutdown();
    // HTTP requests in flight finish through the in-process channel, still open, while new ones are refused
    http.server().close();
    // watches and audit streams never end by themselves: tell their clients to resume elsewhere
    for (AutoCloseable stream : List.of(registry.watches(), registry.auditFollowers(), promotions.pinning())) {
      try {
        stream.close();
      } catch (Exception e) {
        log.warn("Could not end the open streams: {}", e.toString());
      }
    }
    try {
      if (!transport.server().awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
        log.warn("Calls still running after {} s; cancelling them", DRAIN_SECONDS);
        transport.server().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      transport.server().shutdownNow();
      Thread.currentThread().interrupt();
    }
    http.local().close();
    // no call is left to be refused: the summaries still open are written now
    access.refusals().close();
    // a send cut short stays pending, and is sent again by whichever replica runs next
    persistence.webhookDispatcher().close();
    transport.wire().close();
    workers.shutdown();
    transport.network().close();
    persistence.changes().close();
    telemetry.gc().close();
    persistence.checkpointer().close();
    try {
      persistence.store().close();
    } catch (IOException e) {
      log.warn("Could not close the artifact store: {}", e.toString());
    }
    persistence.database().close();
    log.info("Gantry stopped");
  }
}
