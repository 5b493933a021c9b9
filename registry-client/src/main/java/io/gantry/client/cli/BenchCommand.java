package io.gantry.client.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.client.GantryClient;
import io.gantry.client.GantryClientException;
import io.gantry.client.ResourceNames;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ErrorReason;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc.HealthBlockingStub;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench",
    description = {
        "Drive the server with concurrent calls for a fixed time; print requests/s, latency percentiles (ms) "
            + "and errors.",
        "Calls are sent once (no retries) and none outlives the run by more than a second."})
final class BenchCommand implements Callable<Integer> {

  enum Workload { get, create, health }

  // A small but complete MLmodel (two flavors, a column signature) so that `create` pays for parsing.
  private static final MlflowFiles BENCH_FILES = MlflowFiles.newBuilder()
      .setMlmodel("""
          flavors:
            python_function:
              env:
                conda: conda.yaml
                virtualenv: python_env.yaml
              loader_module: mlflow.sklearn
              model_path: model.pkl
              predict_fn: predict
              python_version: 3.11.9
            sklearn:
              code: null
              pickled_model: model.pkl
              serialization_format: cloudpickle
              sklearn_version: 1.5.0
          mlflow_version: 2.13.1
          model_size_bytes: 4096
          model_uuid: 6b1c1f0e5a8f4f6f9d3e2a7b8c9d0e1f
          signature:
            inputs: '[{"type": "double", "name": "trip_distance", "required": true}, {"type": "long", "name": "passenger_count", "required": true}]'
            outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
            params: null
          utc_time_created: '2024-06-01 12:00:00.000000'
          """)
      .setRequirementsTxt("mlflow==2.13.1\nscikit-learn==1.5.0\ncloudpickle==3.0.0\n")
      .build();

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "WORKLOAD", description = {
      "health: grpc.health.v1.Health/Check, the near-empty call: the ceiling for the others.",
      "get: GetModelVersion on a version of the bench model (made once if missing).",
      "create: CreateModelVersion on the bench model, each with a fresh request_id."})
  Workload workload;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1", description = "Concurrent callers (default 1).")
  int concurrency;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "Measured time (default 10).")
  double durationSeconds;

  // Both JVMs need a few seconds of calls before the JIT has compiled the hot paths.
  @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
      description = "Calls before measuring, not counted (default 5).")
  double warmupSeconds;

  @Option(names = "--model", paramLabel = "NAME", defaultValue = "bench",
      description = "The model the get and create workloads use (default bench).")
  String model;

  @Override
  public Integer call() throws InterruptedException {
    if (concurrency < 1 || concurrency > 4096) {
      throw common.usageError("--concurrency must be between 1 and 4096");
    }
    if (!(durationSeconds > 0) || !(warmupSeconds >= 0)) {
      throw common.usageError("--duration must be positive and --warmup not negative");
    }
    try (GantryClient client = common.connectWithoutRetries()) {
      LoadRun.Result result = LoadRun.run(
          prepare(client), concurrency, seconds(warmupSeconds), seconds(durationSeconds));
      common.printer().report(report(result));
    }
    return GantryCli.EXIT_OK;
  }

  private LoadRun.Request prepare(GantryClient client) {
    return switch (workload) {
      case health -> {
        HealthBlockingStub health = client.health();
        HealthCheckRequest check = HealthCheckRequest.getDefaultInstance();
        yield deadline -> health.withDeadline(deadline).check(check);
      }
      case get -> {
        ModelRegistryBlockingStub registry = client.registry();
        RegisteredModel benchModel = createOrGetModel(registry);
        long version = benchModel.getLatestVersion() > 0
            ? benchModel.getLatestVersion()
            : registry.createModelVersion(newVersion()).getVersion();
        GetModelVersionRequest get = GetModelVersionRequest.newBuilder()
            .setName(ResourceNames.version(model, Long.toString(version)))
            .build();
        yield deadline -> registry.withDeadline(deadline).getModelVersion(get);
      }
      case create -> {
        ModelRegistryBlockingStub registry = client.registry();
        createOrGetModel(registry);
        yield deadline -> registry.withDeadline(deadline).createModelVersion(newVersion());
      }
    };
  }

  private RegisteredModel createOrGetModel(ModelRegistryBlockingStub registry) {
    try {
      return registry.createModel(CreateModelRequest.newBuilder()
          .setModelId(ResourceNames.modelId(model))
          .setModel(RegisteredModel.newBuilder().setDescription("Created by gantry bench."))
          .build());
    } catch (StatusRuntimeException e) {
      if (GantryClientException.from(e).reason() != ErrorReason.MODEL_ALREADY_EXISTS) {
        throw e;
      }
      return registry.getModel(GetModelRequest.newBuilder().setName(ResourceNames.model(model)).build());
    }
  }

  private CreateModelVersionRequest newVersion() {
    return CreateModelVersionRequest.newBuilder()
        .setParent(ResourceNames.model(model))
        .setModelVersion(ModelVersion.newBuilder().setSource("bench://gantry").setFiles(BENCH_FILES))
        .setRequestId(UUID.randomUUID().toString())
        .build();
  }

  private Struct report(LoadRun.Result result) {
    Struct.Builder report = Struct.newBuilder()
        .putFields("workload", text(workload.name()))
        .putFields("concurrency", number(concurrency))
        .putFields("duration_s", number(result.elapsed().toNanos() / 1e9))
        .putFields("requests", number(result.requests()))
        .putFields("requests_per_s", number(result.requestsPerSecond()))
        .putFields("errors", number(result.errorCount()))
        .putFields("p50_ms", millis(result, 50))
        .putFields("p90_ms", millis(result, 90))
        .putFields("p99_ms", millis(result, 99))
        .putFields("p99.9_ms", millis(result, 99.9))
        .putFields("max_ms", number(result.latencyMicros().getMaxValue() / 1_000.0));
    if (!result.errors().isEmpty()) {
      report.putFields("errors_by_code", text(result.errors().entrySet().stream()
          .map(entry -> entry.getKey() + "=" + entry.getValue())
          .collect(Collectors.joining(" "))));
    }
    return report.build();
  }

  private static Value millis(LoadRun.Result result, double percentile) {
    return number(result.latencyMicros().getValueAtPercentile(percentile) / 1_000.0);
  }

  private static Value number(double value) {
    return Value.newBuilder().setNumberValue(value).build();
  }

  private static Value text(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }
}
