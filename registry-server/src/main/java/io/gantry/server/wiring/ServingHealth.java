package io.gantry.server.wiring;

import io.gantry.server.config.Database;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.atomic.AtomicBoolean;

/** Whether this replica serves, as gRPC's health service and the HTTP port's health page both say: as the database. */
public final class ServingHealth {

  private final HealthStatusManager grpc = new HealthStatusManager();
  // the database answered when it was last asked (start-up has just migrated it)
  private final AtomicBoolean serving = new AtomicBoolean(true);

  HealthStatusManager grpc() {
    return grpc;
  }

  boolean serving() {
    return serving.get();
  }

  /** Health follows the database: NOT_SERVING while it cannot be reached. */
  void probe(Database database) {
    ServingStatus status;
    try {
      database.dsl().selectOne().fetch();
      status = ServingStatus.SERVING;
    } catch (RuntimeException e) {
      status = ServingStatus.NOT_SERVING;
    }
    serving.set(status == ServingStatus.SERVING);
    grpc.setStatus("", status);
    grpc.setStatus(ModelRegistryGrpc.SERVICE_NAME, status);
  }

  /** For good: the server is stopping. */
  public void end() {
    serving.set(false);
    grpc.enterTerminalState();
  }
}
