package io.gantry.server.version;

import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.ReportEvaluationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ConcurrentCreateTest {

  @Test
  void sixteenConcurrentCreates_onOneModel_getVersionsOneToSixteen() throws Exception {
    String model = uniqueModel("race");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());

    List<Long> numbers = runConcurrently(16, i -> createVersion(model, "").getVersion());

    assertThat(numbers).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 16).boxed().toList());
    assertThat(storedVersions(model)).containsExactlyElementsOf(LongStream.rangeClosed(1, 16).boxed().toList());
  }

  @Test
  void concurrentCreates_onFourModels_eachGetGapFreeVersions() throws Exception {
    List<String> models = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      models.add(uniqueModel("race4"));
      registry().createModel(CreateModelRequest.newBuilder().setModelId(models.get(i)).build());
    }

    runConcurrently(32, i -> createVersion(models.get(i % 4), "").getVersion());

    for (String model : models) {
      assertThat(storedVersions(model)).containsExactlyElementsOf(LongStream.rangeClosed(1, 8).boxed().toList());
    }
  }

  @Test
  void retriesWithOneRequestId_evenConcurrent_createOneVersion() throws Exception {
    String model = uniqueModel("retry");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    createVersion(model, "");

    List<String> names = runConcurrently(8, i -> createVersion(model, "req-42").getName());
    ModelVersion later = createVersion(model, "req-42");

    assertThat(names).containsOnly("models/" + model + "/versions/2");
    assertThat(later.getName()).isEqualTo("models/" + model + "/versions/2");
    assertThat(storedVersions(model)).containsExactly(1L, 2L);
  }

  @Test
  void createModel_retriedWithItsRequestId_returnsTheFirstModel() throws Exception {
    String model = uniqueModel("idem");
    CreateModelRequest request = CreateModelRequest.newBuilder().setModelId(model).setRequestId("create-" + model)
        .setModel(RegisteredModel.newBuilder().setDescription("d")).build();

    List<RegisteredModel> results = runConcurrently(4, i -> registry().createModel(request));

    assertThat(results).extracting(RegisteredModel::getName).containsOnly("models/" + model);
    assertThat(results).extracting(RegisteredModel::getCreateTime).containsOnly(results.get(0).getCreateTime());
  }

  @Test
  void requestId_reusedForADifferentRequest_isAlreadyExists_andCreatesNothing() {
    String model = uniqueModel("reuse");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    createVersion(model, "same-id");

    var e = catchThrowableOfType(() -> registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setRequestId("same-id")
        .setModelVersion(ModelVersion.newBuilder().setDescription("another")).build()), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(errorInfo(e).getReason()).isEqualTo("REQUEST_ID_REUSED");
    assertThat(storedVersions(model)).containsExactly(1L);
  }

  @Test
  void reportEvaluation_retriedWithItsRequestId_isRecordedOnce() {
    String model = uniqueModel("evalretry");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    ModelVersion v1 = createVersion(model, "");
    ReportEvaluationRequest report = ReportEvaluationRequest.newBuilder().setName(v1.getName())
        .setDataset("holdout").putMetrics("rmse", 3.0).setRequestId("eval-1").build();

    var first = registry().reportEvaluation(report);
    var again = registry().reportEvaluation(report);

    assertThat(again.getName()).isEqualTo(first.getName());
    assertThat(registry().listEvaluations(io.gantry.v1.ListEvaluationsRequest.newBuilder()
        .setParent(v1.getName()).build()).getEvaluationsCount()).isEqualTo(1);
  }

  static ModelVersion createVersion(String model, String requestId) {
    return registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setRequestId(requestId).build());
  }

  static List<Long> storedVersions(String model) {
    return registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
        .setOrderBy("version").setPageSize(1000).build())
        .getModelVersionsList().stream().map(ModelVersion::getVersion).toList();
  }

  interface Task<T> {
    T run(int index) throws Exception;
  }

  /** Runs the tasks at once, all released together, and returns their results. */
  static <T> List<T> runConcurrently(int count, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(pool.submit((Callable<T>) () -> {
          start.await();
          return task.run(index);
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
