package io.gantry.server.cache;

import static io.gantry.server.cache.CacheTesting.promote;
import static io.gantry.server.cache.CacheTesting.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An alias moves, then the database stops before anyone resolves it again: the cache's last-known
 * fallback must not bring back the version the alias left, on the replica that moved it nor on the
 * one that heard of the move through the change feed.
 */
class MoveThenOutageTest {

  @Test
  void aMovedAlias_isUnavailable_notItsOldVersion_whileUnchangedEntriesStillAnswer() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-move-outage");
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    Map<String, String> env = Map.of(
        "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres",
        "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString());
    GantryServer first = TestRegistry.start(dir, env);
    GantryServer second = TestRegistry.start(dir, env);
    ManagedChannel toFirst = TestRegistry.connect(first);
    ManagedChannel toSecond = TestRegistry.connect(second);
    Context.CancellableContext watching = Context.current().withCancellation();
    try {
      var registries = List.of(TestRegistry.registry(toFirst, "deployer"), TestRegistry.registry(toSecond, "deployer"));
      String movedOnFirst = aliasOnVersionTwo(toFirst, "moved-on-first");
      String movedOnSecond = aliasOnVersionTwo(toFirst, "moved-on-second");
      String unchanged = aliasOnVersionTwo(toFirst, "unchanged");
      for (ModelRegistryBlockingStub registry : registries) {
        for (String name : List.of(movedOnFirst, movedOnSecond, unchanged)) {
          assertThat(resolve(registry, name).getVersion()).isEqualTo(2);
        }
      }

      // each replica hears of the other's move only through the change feed: wait until it has
      BlockingQueue<AliasEvent> heardBySecond = watch(watching, toSecond, movedOnFirst);
      BlockingQueue<AliasEvent> heardByFirst = watch(watching, toFirst, movedOnSecond);
      promote(toFirst, "moved-on-first", "champion", 1);
      promote(toSecond, "moved-on-second", "champion", 1);
      assertThat(heardBySecond.poll(10, TimeUnit.SECONDS).getMoved().getToVersion()).isEqualTo(1);
      assertThat(heardByFirst.poll(10, TimeUnit.SECONDS).getMoved().getToVersion()).isEqualTo(1);

      postgres.close();
      for (int round = 0; round < 2; round++) {
        for (ModelRegistryBlockingStub registry : registries) {
          for (String moved : List.of(movedOnFirst, movedOnSecond)) {
            var e = catchThrowableOfType(() -> resolve(registry, moved), StatusRuntimeException.class);
            assertThat(e).as("%s answered with the database down: the version the alias left", moved).isNotNull();
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(TestRegistry.errorInfo(e).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
            assertThat(e.getStatus().getDescription()).contains(moved).contains("changed")
                .contains("cannot be reached");
          }
          assertThat(resolve(registry, unchanged).getVersion()).isEqualTo(2);
        }
      }
    } finally {
      watching.cancel(null);
      toFirst.shutdownNow();
      toSecond.shutdownNow();
      second.close();
      first.close();
      postgres.close();
      TestRegistry.deleteRecursively(dir);
    }
  }

  /** A model with two versions and {@code champion} on the second; returns the alias's name. */
  private static String aliasOnVersionTwo(ManagedChannel channel, String model) {
    var registry = TestRegistry.registry(channel, "dana");
    registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < 2; i++) {
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    }
    promote(channel, model, "champion", 2);
    return "models:/" + model + "@champion";
  }

  /** The moves of {@code name} as the replica behind {@code channel} hears them (its current state skipped). */
  private static BlockingQueue<AliasEvent> watch(Context.CancellableContext watching, ManagedChannel channel,
      String name) throws InterruptedException {
    BlockingQueue<AliasEvent> events = new LinkedBlockingQueue<>();
    watching.run(() -> ModelRegistryGrpc.newStub(channel).watchAlias(
        WatchAliasRequest.newBuilder().setName(name).build(), ReplicaCoherenceTest.collect(events)));
    assertThat(events.poll(10, TimeUnit.SECONDS).hasCurrent()).isTrue();
    return events;
  }
}
