package io.gantry.server.cache;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.cache.CacheTesting.aliasHits;
import static io.gantry.server.cache.CacheTesting.aliasMisses;
import static io.gantry.server.cache.CacheTesting.modelWithVersions;
import static io.gantry.server.cache.CacheTesting.promote;
import static io.gantry.server.cache.CacheTesting.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AliasMove;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Resolves answered from memory on one server, and every change that must reach them at once. */
class ResolveCacheTest {

  private static final int HTTP = TestRegistry.httpPort();

  @Test
  void aRepeatedResolve_isAHit_andAMoveIsSeenByTheNextResolve() throws Exception {
    String model = modelWithVersions("hit", 2);
    promote(TestRegistry.channel(), model, "champion", 1);
    String name = "models:/" + model + "@champion";

    assertThat(resolve(registry(), name).getVersion()).isEqualTo(1);
    double hits = aliasHits(HTTP);
    double misses = aliasMisses(HTTP);
    for (int i = 0; i < 5; i++) {
      assertThat(resolve(registry(), name).getVersion()).isEqualTo(1);
    }
    assertThat(aliasHits(HTTP) - hits).isEqualTo(5);
    assertThat(aliasMisses(HTTP) - misses).isZero();

    promote(TestRegistry.channel(), model, "champion", 2);
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(2);
    // the other spelling of the name is an entry of its own, and was invalidated just the same
    assertThat(resolve(registry(), "models/" + model + "/aliases/champion").getVersion()).isEqualTo(2);
  }

  @Test
  void everyChangeToACachedVersion_isSeenByTheNextRead() {
    String model = modelWithVersions("changes", 1);
    promote(TestRegistry.channel(), model, "champion", 1);
    String alias = "models:/" + model + "@champion";
    String version = "models/" + model + "/versions/1";
    resolve(registry(), alias);
    get(version);

    registry().setVersionTag(SetVersionTagRequest.newBuilder().setName(version).setKey("stage").setValue("canary")
        .build());
    assertThat(resolve(registry(), alias).getTagsMap()).containsEntry("stage", "canary");
    assertThat(get(version).getTagsMap()).containsEntry("stage", "canary");

    registry().deleteVersionTag(DeleteVersionTagRequest.newBuilder().setName(version).setKey("stage").build());
    assertThat(resolve(registry(), alias).getTagsMap()).doesNotContainKey("stage");
    assertThat(get(version).getTagsMap()).doesNotContainKey("stage");

    registry().updateModelVersion(UpdateModelVersionRequest.newBuilder()
        .setModelVersion(ModelVersion.newBuilder().setName(version).setDescription("retrained weekly"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
    assertThat(resolve(registry(), alias).getDescription()).isEqualTo("retrained weekly");
    assertThat(get(version).getDescription()).isEqualTo("retrained weekly");

    registry().reportEvaluation(ReportEvaluationRequest.newBuilder().setName(version).setDataset("holdout")
        .putMetrics("auc", 0.91).build());
    assertThat(resolve(registry(), alias).getMetricsMap().get("holdout").getMetricsMap()).containsEntry("auc", 0.91);
    assertThat(get(version).getMetricsMap().get("holdout").getMetricsMap()).containsEntry("auc", 0.91);
  }

  @Test
  void latest_followsNewAndArchivedVersions() {
    String model = modelWithVersions("latest", 1);
    String latest = "models:/" + model + "@latest";
    assertThat(resolve(registry(), latest).getVersion()).isEqualTo(1);
    assertThat(resolve(registry(), latest).getVersion()).isEqualTo(1);

    registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    assertThat(resolve(registry(), latest).getVersion()).isEqualTo(2);

    ModelVersion archived = registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder()
        .setName("models/" + model + "/versions/2").build());
    assertThat(archived.getStatus()).isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
    assertThat(resolve(registry(), latest).getVersion()).isEqualTo(1);
    assertThat(get("models/" + model + "/versions/2").getStatus())
        .isEqualTo(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED);
  }

  @Test
  void aDeletedModel_isNotFound_atOnce() {
    String model = modelWithVersions("deleted", 1);
    String version = "models/" + model + "/versions/1";
    String latest = "models:/" + model + "@latest";
    get(version);
    resolve(registry(), latest);
    registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder().setName(version).build());
    registry().deleteModel(DeleteModelRequest.newBuilder().setName("models/" + model).build());

    assertThat(catchThrowableOfType(() -> get(version), StatusRuntimeException.class).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(catchThrowableOfType(() -> resolve(registry(), latest), StatusRuntimeException.class)
        .getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void asOf_readsTheHistoryExactly_whateverIsCached() throws Exception {
    String model = modelWithVersions("as-of", 2);
    promote(TestRegistry.channel(), model, "champion", 1);
    // just after the first move as the database recorded it; the second is made once its clock (this host's) is past
    Instant between = moveTime(model, 0).plusNanos(1000);
    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> Instant.now().isAfter(between));
    promote(TestRegistry.channel(), model, "champion", 2);
    assertThat(moveTime(model, 1)).isAfter(between);
    String name = "models:/" + model + "@champion";
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(2);

    ModelVersion then = registry().resolveAlias(ResolveAliasRequest.newBuilder().setName(name)
        .setAsOf(Timestamp.newBuilder().setSeconds(between.getEpochSecond()).setNanos(between.getNano())).build());
    assertThat(then.getVersion()).isEqualTo(1);
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(2);
  }

  @Test
  void badNamesAndMissingAliases_areRefusedAsBefore_andNothingIsCachedForThem() {
    String model = modelWithVersions("missing", 1);
    for (int i = 0; i < 2; i++) {
      var missing = catchThrowableOfType(() -> resolve(registry(), "models:/" + model + "@nowhere"),
          StatusRuntimeException.class);
      assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(TestRegistry.errorInfo(missing).getReason()).isEqualTo("ALIAS_NOT_FOUND");
      var malformed = catchThrowableOfType(() -> get("models/" + model + "/versions/one"),
          StatusRuntimeException.class);
      assertThat(malformed.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(TestRegistry.violations(malformed).get(0).getField()).isEqualTo("name");
    }
    promote(TestRegistry.channel(), model, "nowhere", 1);
    assertThat(resolve(registry(), "models:/" + model + "@nowhere").getVersion()).isEqualTo(1);
  }

  @Test
  void resolvesOfManyNonexistentModels_leaveTheTrackedModelsBounded_andAMoveIsStillSeen() throws Exception {
    String model = modelWithVersions("bounded", 2);
    promote(TestRegistry.channel(), model, "champion", 1);
    String name = "models:/" + model + "@champion";
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(1);

    var stub = ModelRegistryGrpc.newFutureStub(TestRegistry.channel());
    Semaphore inFlight = new Semaphore(32);
    AtomicInteger notFound = new AtomicInteger();
    int names = 30_000; // more distinct models than the map may track (2 x GANTRY_CACHE_MAX_ENTRIES: 20,000)
    for (int i = 0; i < names; i++) {
      inFlight.acquire();
      var call = stub.resolveAlias(ResolveAliasRequest.newBuilder()
          .setName("models:/" + model + "-absent-" + i + "@champion").build());
      call.addListener(() -> {
        try {
          call.get();
        } catch (ExecutionException e) {
          if (Status.fromThrowable(e.getCause()).getCode() == Status.Code.NOT_FOUND) {
            notFound.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          inFlight.release();
        }
      }, Runnable::run);
    }
    inFlight.acquire(32);
    inFlight.release(32);
    assertThat(notFound.get()).isEqualTo(names);

    // at most two kinds of GANTRY_CACHE_MAX_ENTRIES (10,000 by default) entries, each of one model
    assertThat(CacheTesting.meter(HTTP, "gantry_resolve_cache_models")).isBetween(1.0, 20_000.0);
    promote(TestRegistry.channel(), model, "champion", 2);
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(2);
    assertThat(resolve(registry(), name).getVersion()).isEqualTo(2);
  }

  /** When the model's champion made its {@code index}-th move (from 0), as the database recorded it. */
  private static Instant moveTime(String model, int index) {
    Timestamp time = registry().listAliasHistory(ListAliasHistoryRequest.newBuilder()
        .setParent("models/" + model + "/aliases/champion").build()).getMovesList().stream()
        .sorted(Comparator.comparingLong(AliasMove::getRevision)).toList().get(index).getMoveTime();
    return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
  }

  private static ModelVersion get(String name) {
    return registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(name).build());
  }
}
