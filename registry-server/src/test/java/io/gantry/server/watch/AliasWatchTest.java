package io.gantry.server.watch;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.cache.CacheTesting.modelWithVersions;
import static io.gantry.server.cache.CacheTesting.promote;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.TestRegistry;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** WatchAlias: the state, then every move as it commits; resumable; cheap to hold open. */
class AliasWatchTest {

  /** One open watch and what it received; the error, if any, arrives as a status in {@link #errors}. */
  private static final class Watch implements AutoCloseable {
    final BlockingQueue<AliasEvent> events = new LinkedBlockingQueue<>();
    final BlockingQueue<Status> errors = new LinkedBlockingQueue<>();
    final Context.CancellableContext context = Context.current().withCancellation();

    Watch(WatchAliasRequest request) {
      context.run(() -> ModelRegistryGrpc.newStub(TestRegistry.channel()).watchAlias(request, new StreamObserver<>() {
        @Override
        public void onNext(AliasEvent event) {
          events.add(event);
        }

        @Override
        public void onError(Throwable t) {
          errors.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          errors.add(Status.OK);
        }
      }));
    }

    AliasEvent next() throws InterruptedException {
      AliasEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("an event within 10 s").isNotNull();
      return event;
    }

    Status error() throws InterruptedException {
      Status status = errors.poll(10, TimeUnit.SECONDS);
      assertThat(status).as("the stream ended within 10 s").isNotNull();
      return status;
    }

    @Override
    public void close() {
      context.cancel(null);
    }
  }

  private static WatchAliasRequest watch(String name) {
    return WatchAliasRequest.newBuilder().setName(name).build();
  }

  @Test
  void aWatch_opensWithTheCurrentState_thenSendsEveryMoveAsItCommits() throws Exception {
    String model = modelWithVersions("watch", 3);
    promote(TestRegistry.channel(), model, "champion", 1);
    try (Watch watch = new Watch(watch("models:/" + model + "@champion"))) {
      AliasEvent current = watch.next();
      assertThat(current.hasCurrent()).isTrue();
      assertThat(current.getCurrent().getName()).isEqualTo("models/" + model + "/aliases/champion");
      assertThat(current.getCurrent().getVersion()).isEqualTo(1);
      assertThat(current.getCurrent().getRevision()).isEqualTo(1);

      promote(TestRegistry.channel(), model, "champion", 2);
      promote(TestRegistry.channel(), model, "champion", 3);
      AliasEvent first = watch.next();
      AliasEvent second = watch.next();

      assertThat(first.getMoved().getFromVersion()).isEqualTo(1);
      assertThat(first.getMoved().getToVersion()).isEqualTo(2);
      assertThat(first.getMoved().getRevision()).isEqualTo(2);
      assertThat(first.getMoved().getMovedBy()).isEqualTo("carol");
      assertThat(first.getMoved().getPromotion()).startsWith("promotions/");
      assertThat(first.getMoved().hasMoveTime()).isTrue();
      assertThat(second.getMoved().getToVersion()).isEqualTo(3);
      assertThat(second.getMoved().getRevision()).isEqualTo(3);
      assertThat(watch.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
    }
  }

  @Test
  void anAliasNeverSet_isCurrentAtRevisionZero_untilItsFirstMove() throws Exception {
    String model = modelWithVersions("unset", 1);
    try (Watch watch = new Watch(watch("models/" + model + "/aliases/staging"))) {
      AliasEvent current = watch.next();
      assertThat(current.getCurrent().getRevision()).isZero();
      assertThat(current.getCurrent().getVersion()).isZero();
      promote(TestRegistry.channel(), model, "staging", 1);
      assertThat(watch.next().getMoved().getToVersion()).isEqualTo(1);
    }
  }

  @Test
  void resumingFromARevision_replaysTheMovesMissed_thenMarksCaughtUp_thenGoesOnLive() throws Exception {
    String model = modelWithVersions("resume", 3);
    promote(TestRegistry.channel(), model, "champion", 1);
    promote(TestRegistry.channel(), model, "champion", 2);
    promote(TestRegistry.channel(), model, "champion", 3);
    WatchAliasRequest resume = WatchAliasRequest.newBuilder().setName("models:/" + model + "@champion")
        .setSinceRevision(1).build();
    try (Watch watch = new Watch(resume)) {
      List<AliasEvent> replayed = List.of(watch.next(), watch.next());
      AliasEvent caughtUp = watch.next();
      assertThat(replayed).extracting(e -> e.getMoved().getRevision()).containsExactly(2L, 3L);
      assertThat(replayed).extracting(e -> e.getMoved().getToVersion()).containsExactly(2L, 3L);
      assertThat(caughtUp.getCurrent().getRevision()).isEqualTo(3);
      assertThat(caughtUp.getCurrent().getVersion()).isEqualTo(3);

      promote(TestRegistry.channel(), model, "champion", 1);
      AliasEvent live = watch.next();
      assertThat(live.getMoved().getRevision()).isEqualTo(4);
      assertThat(live.getMoved().getToVersion()).isEqualTo(1);
    }
  }

  @Test
  void watchingEveryAlias_givesEachAliasState_andTheMovesOfAnyAlias() throws Exception {
    String model = modelWithVersions("every", 2);
    promote(TestRegistry.channel(), model, "staging", 1);
    promote(TestRegistry.channel(), model, "champion", 1);
    promote(TestRegistry.channel(), model, "staging", 2);
    WatchAliasRequest every = WatchAliasRequest.newBuilder().setName("models/" + model + "/aliases/*")
        .putSinceRevisions("staging", 1).build();
    try (Watch watch = new Watch(every)) {
      // by alias: champion's state; staging's missed move, then its state
      AliasEvent champion = watch.next();
      AliasEvent stagingMissed = watch.next();
      AliasEvent staging = watch.next();
      assertThat(champion.getCurrent().getName()).endsWith("/aliases/champion");
      assertThat(stagingMissed.getMoved().getRevision()).isEqualTo(2);
      assertThat(staging.getCurrent().getName()).endsWith("/aliases/staging");
      assertThat(staging.getCurrent().getVersion()).isEqualTo(2);

      promote(TestRegistry.channel(), model, "canary", 2);
      promote(TestRegistry.channel(), model, "champion", 2);
      List<AliasEvent> live = List.of(watch.next(), watch.next());
      assertThat(live).extracting(e -> e.getMoved().getAlias()).containsExactlyInAnyOrder(
          "models/" + model + "/aliases/canary", "models/" + model + "/aliases/champion");
    }
  }

  @Test
  void badWatches_areRefused_namingTheProblem() throws Exception {
    String model = modelWithVersions("refused", 1);
    promote(TestRegistry.channel(), model, "champion", 1);
    record Case(WatchAliasRequest request, Status.Code code, String contains) {}
    List<Case> cases = List.of(
        new Case(watch("models:/no-such-model-anywhere@champion"), Status.Code.NOT_FOUND, "no-such-model-anywhere"),
        new Case(watch("models:/" + model + "@latest"), Status.Code.INVALID_ARGUMENT, "latest"),
        new Case(watch("models/" + model), Status.Code.INVALID_ARGUMENT, "name"),
        new Case(WatchAliasRequest.newBuilder().setName("models:/" + model + "@champion").setSinceRevision(7).build(),
            Status.Code.INVALID_ARGUMENT, "beyond revision 1"),
        new Case(WatchAliasRequest.newBuilder().setName("models:/" + model + "@*").setSinceRevision(1).build(),
            Status.Code.INVALID_ARGUMENT, "since_revision"),
        new Case(WatchAliasRequest.newBuilder().setName("models:/" + model + "@champion")
            .putSinceRevisions("champion", 1).build(), Status.Code.INVALID_ARGUMENT, "since_revisions"));
    for (Case c : cases) {
      try (Watch watch = new Watch(c.request())) {
        Status status = watch.error();
        assertThat(status.getCode()).as(c.request().toString()).isEqualTo(c.code());
        assertThat(status.getDescription()).as(c.request().toString()).contains(c.contains());
        assertThat(watch.events).isEmpty();
      }
    }
  }

  @Test
  void aDeletedModel_endsItsWatches_withNotFound() throws Exception {
    String model = modelWithVersions("deleted", 1);
    try (Watch watch = new Watch(watch("models:/" + model + "@champion"))) {
      watch.next();
      registry().archiveModelVersion(io.gantry.v1.ArchiveModelVersionRequest.newBuilder()
          .setName("models/" + model + "/versions/1").build());
      registry().deleteModel(io.gantry.v1.DeleteModelRequest.newBuilder().setName("models/" + model).build());
      assertThat(watch.error().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
  }

  @Test
  void manyWatchers_costNoThreadEach_andAllSeeTheMove() throws Exception {
    String model = modelWithVersions("many", 2);
    promote(TestRegistry.channel(), model, "champion", 1);
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    List<Watch> watches = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        watches.add(new Watch(watch("models:/" + model + "@champion")));
      }
      for (Watch watch : watches) {
        assertThat(watch.next().getCurrent().getVersion()).isEqualTo(1);
      }
      int threadsWatching = ManagementFactory.getThreadMXBean().getThreadCount();
      promote(TestRegistry.channel(), model, "champion", 2);
      for (Watch watch : watches) {
        assertThat(watch.next().getMoved().getToVersion()).isEqualTo(2);
      }
      // the worker pool may still be growing to its size; 300 watches holding threads would show far more
      assertThat(threadsWatching - threadsBefore).as("threads added by 300 watches").isLessThan(40);
    } finally {
      watches.forEach(Watch::close);
    }
  }

}
