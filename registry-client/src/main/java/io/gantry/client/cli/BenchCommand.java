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
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc.HealthBlockingStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench",
    description = {
        "Drive the server with concurrent calls for a fixed time; print requests/s, latency percentiles (ms) "
            + "and errors.",
        "Calls are sent once (no retries) and none outlives the run by more than a second.",
        "promote instead sends --requests promotions one after another and reports how long each took to apply."})
final class BenchCommand implements Callable<Integer> {

  enum Workload { get, create, health, resolve, promote }

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
      "create: CreateModelVersion on the bench model, each with a fresh request_id.",
      "resolve: ResolveAlias of --alias on the model, run right after health at the same concurrency; prints "
          + "both rates and their ratio.",
      "promote: RequestPromotion of the model's READY versions in turn to --alias, whose policies must apply "
          + "at once (no approvals); two versions are made if the model has fewer."})
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
      description = "The model the workloads use (default bench).")
  String model;

  @Option(names = "--alias", paramLabel = "ALIAS", description = "The alias resolve reads and promote moves.")
  String alias;

  @Option(names = "--requests", paramLabel = "N", defaultValue = "100",
      description = "Promotions measured by promote, after its warm-up (default 100).")
  int requests;

  @Override
  public Integer call() throws InterruptedException {
    if (concurrency < 1 || concurrency > 4096) {
      throw common.usageError("--concurrency must be between 1 and 4096");
    }
    if (!(durationSeconds > 0) || !(warmupSeconds >= 0)) {
      throw common.usageError("--duration must be positive and --warmup not negative");
    }
    if ((workload == Workload.resolve || workload == Workload.promote) && alias == null) {
      throw common.usageError("--alias is required for " + workload);
    }
    if (workload == Workload.promote && (concurrency != 1 || requests < 1)) {
      // Promotions of one alias queue on its lock: more callers would measure the queue, not a promotion.
      throw common.usageError("promote sends one promotion at a time (--concurrency 1) and needs --requests >= 1");
    }
    try (GantryClient client = common.connectWithoutRetries()) {
      Struct report = switch (workload) {
        case promote -> promotionReport(client);
        case resolve -> {
          // A ratio to the near-empty call measured just before travels between machines better than a rate.
          LoadRun.Result health = run(prepare(client, Workload.health));
          LoadRun.Result resolve = run(prepare(client, Workload.resolve));
          yield report(resolve)
              .putFields("health_requests_per_s", number(health.requestsPerSecond()))
              .putFields("ratio_to_health", number(resolve.requestsPerSecond() / health.requestsPerSecond()))
              .build();
        }
        default -> report(run(prepare(client, workload))).build();
      };
      common.printer().report(report);
    }
    return GantryCli.EXIT_OK;
  }

  private LoadRun.Result run(LoadRun.Request request) throws InterruptedException {
    return LoadRun.run(request, concurrency, seconds(warmupSeconds), seconds(durationSeconds));
  }

  private LoadRun.Request prepare(GantryClient client, Workload kind) {
    return switch (kind) {
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
      case resolve -> {
        ModelRegistryBlockingStub registry = client.registry();
        ResolveAliasRequest resolve = ResolveAliasRequest.newBuilder()
            .setName(ResourceNames.alias(model, alias))
            .build();
        // An alias that points nowhere fails here, once, instead of in every call of the run.
        registry.resolveAlias(resolve);
        yield deadline -> registry.withDeadline(deadline).resolveAlias(resolve);
      }
      case promote -> throw new IllegalStateException("promote is measured by promotionReport, not by a LoadRun");
    };
  }

  /**
   * Promotes the model's READY versions to the alias in turn: for the warm-up time uncounted, then {@link #requests}
   * times measured, each from the call to its answer, which is APPLIED when the alias's policies need no approval.
   */
  private Struct promotionReport(GantryClient client) {
    List<Long> versions = promotableVersions(client.registry());
    Histogram appliedMicros = new Histogram(3);
    Map<String, Long> notApplied = new TreeMap<>();
    Map<Status.Code, Long> errors = new EnumMap<>(Status.Code.class);
    // The first promotion shows whether the alias is gated by approvals; if it is, nothing could be measured.
    Promotion first = promote(client, versions.get(0));
    if (first.getState() != PromotionState.PROMOTION_STATE_APPLIED) {
      throw common.usageError("bench promote needs an alias whose policies apply at once; " + first.getName()
          + " is " + PromotionView.state(first.getState()) + ": " + first.getStateReason());
    }
    long sent = 1;
    for (long warmupEnd = System.nanoTime() + seconds(warmupSeconds).toNanos(); System.nanoTime() < warmupEnd; ) {
      promote(client, versions.get((int) (sent++ % versions.size())));
    }
    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      long begin = System.nanoTime();
      try {
        Promotion promotion = promote(client, versions.get((int) (sent++ % versions.size())));
        if (promotion.getState() == PromotionState.PROMOTION_STATE_APPLIED) {
          appliedMicros.recordValue(Math.max(1, (System.nanoTime() - begin) / 1_000));
        } else {
          notApplied.merge(PromotionView.state(promotion.getState()), 1L, Long::sum);
        }
      } catch (StatusRuntimeException e) {
        errors.merge(e.getStatus().getCode(), 1L, Long::sum);
      }
    }
    double elapsedSeconds = (System.nanoTime() - start) / 1e9;
    Struct.Builder report = Struct.newBuilder()
        .putFields("workload", text(workload.name()))
        .putFields("alias", text(ResourceNames.alias(model, alias)))
        .putFields("versions", number(versions.size()))
        .putFields("duration_s", number(elapsedSeconds))
        .putFields("requests", number(requests))
        .putFields("requests_per_s", number(requests / elapsedSeconds))
        .putFields("applied", number(appliedMicros.getTotalCount()))
        .putFields("errors", number(errors.values().stream().mapToLong(Long::longValue).sum()))
        .putFields("p50_ms", number(appliedMicros.getValueAtPercentile(50) / 1_000.0))
        .putFields("p99_ms", number(appliedMicros.getValueAtPercentile(99) / 1_000.0))
        .putFields("max_ms", number(appliedMicros.getMaxValue() / 1_000.0));
    if (!notApplied.isEmpty()) {
      report.putFields("not_applied_by_state", text(counts(notApplied)));
    }
    if (!errors.isEmpty()) {
      report.putFields("errors_by_code", text(counts(errors)));
    }
    return report.build();
  }

  private Promotion promote(GantryClient client, long version) {
    return client.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel(ResourceNames.model(model))
        .setAlias(alias)
        .setVersion(version)
        .setJustification("gantry bench promote")
        .setRequestId(UUID.randomUUID().toString())
        .build());
  }

  /** The model's READY versions, oldest first; versions are made until there are two, so that the alias moves. */
  private List<Long> promotableVersions(ModelRegistryBlockingStub registry) {
    createOrGetModel(registry);
    List<Long> versions = new ArrayList<>(registry.listModelVersions(ListModelVersionsRequest.newBuilder()
            .setParent(ResourceNames.model(model))
            .setFilter("status = READY")
            .setOrderBy("version")
            .setPageSize(1000)
            .build())
        .getModelVersionsList().stream().map(ModelVersion::getVersion).toList());
    while (versions.size() < 2) {
      versions.add(registry.createModelVersion(newVersion()).getVersion());
    }
    return versions;
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

  private Struct.Builder report(LoadRun.Result result) {
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
        .putFields("p999_ms", millis(result, 99.9))
        .putFields("max_ms", number(result.latencyMicros().getMaxValue() / 1_000.0));
    if (!result.errors().isEmpty()) {
      report.putFields("errors_by_code", text(counts(result.errors())));
    }
    return report;
  }

  /** {@code DEADLINE_EXCEEDED=2 UNAVAILABLE=1}. */
  private static String counts(Map<?, Long> countsByKey) {
    return countsByKey.entrySet().stream()
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(" "));
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
