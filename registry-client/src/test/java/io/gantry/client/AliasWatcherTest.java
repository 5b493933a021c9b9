package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.Alias;
import io.gantry.v1.AliasMove;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's watcher against real servers: a deployer that loses its server misses no move and sees none twice. */
class AliasWatcherTest {

  @TempDir
  Path dataDir;

  /** What a listener heard, in order: "current v@r", "moved a→b@r", "reconnecting CODE", "ended CODE". */
  private static final class Heard implements AliasWatcher.Listener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void current(Alias alias) {
      events.add("current " + alias.getName().substring(alias.getName().lastIndexOf('/') + 1) + " "
          + alias.getVersion() + "@" + alias.getRevision());
    }

    @Override
    public void moved(AliasMove move) {
      events.add("moved " + move.getAlias().substring(move.getAlias().lastIndexOf('/') + 1) + " "
          + move.getFromVersion() + "→" + move.getToVersion() + "@" + move.getRevision());
    }

    @Override
    public void reconnecting(Status cause, Duration delay) {
      events.add("reconnecting " + cause.getCode());
    }

    @Override
    public void ended(StatusRuntimeException refusal) {
      events.add("ended " + refusal.getStatus().getCode());
    }

    /** The next event other than a reconnection notice. */
    String next() throws InterruptedException {
      while (true) {
        String event = events.poll(20, TimeUnit.SECONDS);
        assertThat(event).as("an event within 20 s").isNotNull();
        if (!event.startsWith("reconnecting")) {
          return event;
        }
      }
    }

    String awaitReconnecting() throws InterruptedException {
      while (true) {
        String event = events.poll(20, TimeUnit.SECONDS);
        assertThat(event).as("a reconnection notice within 20 s").isNotNull();
        if (event.startsWith("reconnecting")) {
          return event;
        }
      }
    }
  }

  private GantryServer start(int grpcPort) {
    return GantryServer.start(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR", dataDir.toString(),
        "GANTRY_GRPC_PORT", Integer.toString(grpcPort), "GANTRY_HTTP_PORT", "0")));
  }

  private static void modelWithVersions(GantryClient client, String model, int versions) {
    client.registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < versions; i++) {
      client.registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    }
  }

  private static void promote(GantryClient client, String model, String alias, long version) {
    assertThat(client.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias(alias).setVersion(version).build()).getState())
        .isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
  }

  private static WatchAliasRequest watch(String name) {
    return WatchAliasRequest.newBuilder().setName(name).build();
  }

  @Test
  void aWatcherResumesAcrossAServerRestart_withNoMoveMissedOrRepeated() throws Exception {
    int port = freePort();
    GantryServer server = start(port);
    try (GantryClient client = connect(port)) {
      modelWithVersions(client, "fraud", 4);
      promote(client, "fraud", "champion", 1);
      Heard heard = new Heard();
      try (AliasWatcher watcher = client.watchAlias(watch("models:/fraud@champion"), heard)) {
        assertThat(heard.next()).isEqualTo("current champion 1@1");
        promote(client, "fraud", "champion", 2);
        assertThat(heard.next()).isEqualTo("moved champion 1→2@2");

        server.close();
        assertThat(heard.awaitReconnecting()).isEqualTo("reconnecting UNAVAILABLE");
        server = start(port);
        // Both moves may commit before the watcher is back: it asks for what followed revision 2.
        try (GantryClient writer = connect(port)) {
          promote(writer, "fraud", "champion", 3);
          promote(writer, "fraud", "champion", 4);
        }

        assertThat(List.of(heard.next(), heard.next())).containsExactly("moved champion 2→3@3", "moved champion 3→4@4");
        try (GantryClient writer = connect(port)) {
          promote(writer, "fraud", "champion", 1);
        }
        assertThat(heard.next()).isEqualTo("moved champion 4→1@5");
      }
      assertThat(heard.events).as("nothing after the last move but reconnection notices, nothing after close")
          .allMatch(event -> event.startsWith("reconnecting"));
    } finally {
      server.close();
    }
  }

  @Test
  void everyAliasOfAModel_resumesEachFromItsOwnRevision() throws Exception {
    int port = freePort();
    GantryServer server = start(port);
    try (GantryClient client = connect(port)) {
      modelWithVersions(client, "churn", 3);
      promote(client, "churn", "champion", 1);
      promote(client, "churn", "staging", 2);
      Heard heard = new Heard();
      try (AliasWatcher watcher = client.watchAlias(watch("models/churn/aliases/*"), heard)) {
        assertThat(List.of(heard.next(), heard.next()))
            .containsExactlyInAnyOrder("current champion 1@1", "current staging 2@1");

        server.close();
        heard.awaitReconnecting();
        server = start(port);
        try (GantryClient writer = connect(port)) {
          promote(writer, "churn", "staging", 3);
          promote(writer, "churn", "champion", 2);
        }

        assertThat(List.of(heard.next(), heard.next()))
            .containsExactlyInAnyOrder("moved staging 2→3@2", "moved champion 1→2@2");
      }
    } finally {
      server.close();
    }
  }

  @Test
  void aWatchFromAnEarlierRevision_replaysTheMovesAfterItThenTheState() throws Exception {
    GantryServer server = start(0);
    try (server; GantryClient client = GantryClient.connect("127.0.0.1:" + server.grpcPort(), "carol")) {
      modelWithVersions(client, "taxi", 3);
      promote(client, "taxi", "champion", 1);
      promote(client, "taxi", "champion", 2);
      promote(client, "taxi", "champion", 3);
      Heard heard = new Heard();
      try (AliasWatcher watcher = client.watchAlias(
          watch("models:/taxi@champion").toBuilder().setSinceRevision(1).build(), heard)) {
        assertThat(List.of(heard.next(), heard.next(), heard.next()))
            .containsExactly("moved champion 1→2@2", "moved champion 2→3@3", "current champion 3@3");
      }
    }
  }

  @Test
  void aRefusedWatch_endsWithTheServersError_andIsNotRetried() throws Exception {
    GantryServer server = start(0);
    try (server; GantryClient client = GantryClient.connect("127.0.0.1:" + server.grpcPort(), "carol")) {
      Heard heard = new Heard();
      AliasWatcher missing = client.watchAlias(watch("models:/nosuch@champion"), heard);
      StatusRuntimeException refusal = catchThrowableOfType(missing::awaitEnd, StatusRuntimeException.class);
      assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(heard.next()).isEqualTo("ended NOT_FOUND");

      AliasWatcher latest = client.watchAlias(watch("models:/nosuch@latest"), new Heard());
      assertThat(catchThrowableOfType(latest::awaitEnd, StatusRuntimeException.class).getStatus().getCode())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(heard.events).as("no retry of a refused watch").isEmpty();
    }
  }

  private static GantryClient connect(int port) {
    return GantryClient.connect("127.0.0.1:" + port, "carol");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
