package io.gantry.server.access;

import static io.gantry.server.access.RefusalTesting.flood;
import static io.gantry.server.access.RefusalTesting.rejections;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals are written on a connection of their own: a flood of refused calls whose writes wait (here on the audit
 * log's head, held by the test) holds none of the pool's connections, which real calls need.
 */
class RefusalConnectionTest {

  private static final EmbeddedPostgres postgres = startPostgres();
  private static final String URL = postgres.getJdbcUrl("postgres", "postgres");

  // registered first, so it runs after the server has stopped
  @RegisterExtension
  static final AfterAllCallback stopPostgres = context -> postgres.close();

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer(Map.of("GANTRY_DB_URL", URL, "GANTRY_DB_USER", "postgres"));

  @Test
  void aRefusalWriteThatWaits_holdsNoPoolConnection_andIsWrittenOnceItCan() throws Exception {
    String peer = "127.0.0.31";
    ManagedChannel channel = RefusalTesting.from(gantry.server, peer);
    try (Connection holder = DriverManager.getConnection(URL)) {
      holder.setAutoCommit(false);
      try (Statement lock = holder.createStatement()) {
        lock.execute("SELECT * FROM audit_head FOR UPDATE");
      }
      flood(channel, "bogus-" + UUID.randomUUID(), 1, Status.Code.UNAUTHENTICATED);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(waitingOnTheAuditHead()).as("the refusal's write waits for the audit log").hasSize(1));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(RefusalTesting.metric(gantry.server, "hikaricp_connections_active{pool=\"gantry\""))
              .as("pool connections in use while the refusal waits").isZero());
      assertThat(waitingOnTheAuditHead()).containsExactly("gantry-refusals");
      assertThat(gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT)
          .listModels(ListModelsRequest.getDefaultInstance()).getModelsList()).isEmpty();

      holder.rollback();
    } finally {
      channel.shutdownNow();
    }
    AuditGrpc.AuditBlockingStub audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(rejections(audit, "peers/" + peer)).hasSize(1));
  }

  /** The application names of the sessions waiting for a lock on the audit log's head. */
  private static List<String> waitingOnTheAuditHead() throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT application_name FROM pg_stat_activity"
            + " WHERE wait_event_type = 'Lock' AND query ILIKE '%audit_head%'")) {
      List<String> names = new ArrayList<>();
      while (rows.next()) {
        names.add(rows.getString(1));
      }
      return names;
    }
  }

  private static EmbeddedPostgres startPostgres() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
