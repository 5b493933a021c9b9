package io.gantry.server.promotion;

import static io.gantry.server.TestRegistry.promotions;
import static io.gantry.server.TestRegistry.registry;

import io.gantry.policy.PolicyFile;
import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A team that predicts NYC taxi trip durations, as the promotion tests play it: its model (a name no other test
 * uses), the shipped champion policy bound to just that model, and versions registered the way MLflow logs them.
 * Erin registers versions, Carol requests promotions, Alice, Bob and Dana approve. The web page tests play it too.
 */
public final class TaxiTeam {

  public static final String PUBLISHER = "erin";
  public static final String REQUESTER = "carol";
  static final Path CHAMPION_POLICY = Path.of("..", "docs", "examples", "champion-policy.yaml");
  static final List<String> COLUMNS = List.of("trip_distance:double", "passenger_count:long",
      "pickup_zone:string");
  static final String PINNED = "mlflow==2.16.2\nscikit-learn==1.5.2\npandas==2.2.3\n";

  public final String model;

  public TaxiTeam() {
    model = TestRegistry.uniqueModel("nyc-taxi-duration");
    registry(PUBLISHER).createModel(CreateModelRequest.newBuilder().setModelId(model).build());
  }

  /** Binds the shipped example policy file to this team's model only. */
  public TaxiTeam withChampionPolicy() {
    String yaml;
    try {
      yaml = Files.readString(CHAMPION_POLICY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (PolicyFile.Binding binding : PolicyFile.parse(yaml, CHAMPION_POLICY.toString())) {
      bind(new PolicyFile.Binding(model, binding.alias(), binding.purpose(), binding.policies()));
    }
    return this;
  }

  static PolicyBinding bind(PolicyFile.Binding binding) {
    PolicyBinding.Builder proto = PolicyBinding.newBuilder()
        .setModelPattern(binding.modelPattern()).setAlias(binding.alias()).setPurpose(binding.purpose());
    binding.policies().forEach(spec -> proto.addPolicies(
        PolicySpec.newBuilder().setType(spec.type()).setParams(Structs.toStruct(spec.params()))));
    return promotions("admin").setPromotionPolicy(
        SetPromotionPolicyRequest.newBuilder().setBinding(proto).build());
  }

  /** A version in good order: full signature, pinned requirements, both tags, rmse on validation and test. */
  public ModelVersion register(double testRmse) {
    return register(testRmse, COLUMNS, PINNED, Map.of("git_commit", "9f2c1e7", "data_version", "2024-06"));
  }

  ModelVersion register(double testRmse, List<String> columns, String requirements, Map<String, String> tags) {
    ModelVersion version = registry(PUBLISHER).createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model)
        .setModelVersion(ModelVersion.newBuilder()
            .setSource("s3://ml-artifacts/nyc-taxi/" + testRmse + "/model")
            .putAllTags(tags)
            .setFiles(MlflowFiles.newBuilder().setMlmodel(mlmodel(columns)).setRequirementsTxt(requirements)))
        .build());
    report(version, "validation", testRmse - 0.232);
    report(version, "test", testRmse);
    return version;
  }

  static void report(ModelVersion version, String dataset, double rmse) {
    registry(PUBLISHER).reportEvaluation(ReportEvaluationRequest.newBuilder()
        .setName(version.getName()).setDataset(dataset).setDatasetDigest("sha256:" + dataset)
        .putMetrics("rmse", rmse).putMetrics("mae", rmse * 0.7).build());
  }

  public Promotion promote(String user, ModelVersion version, String alias) {
    return promotions(user).requestPromotion(request(version, alias).build());
  }

  RequestPromotionRequest.Builder request(ModelVersion version, String alias) {
    return RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias(alias)
        .setVersion(version.getVersion()).setJustification("lower rmse on the June data");
  }

  String alias(String alias) {
    return "models/" + model + "/aliases/" + alias;
  }

  /** An MLmodel as MLflow 2.16 writes it for a scikit-learn regressor with a column signature. */
  static String mlmodel(List<String> columns) {
    String inputs = columns.stream().map(c -> {
      String[] nameAndType = c.split(":");
      return "{\"type\": \"" + nameAndType[1] + "\", \"name\": \"" + nameAndType[0] + "\", \"required\": true}";
    }).collect(Collectors.joining(", ", "[", "]"));
    return """
        artifact_path: model
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
            sklearn_version: 1.5.2
        mlflow_version: 2.16.2
        model_size_bytes: 1843
        model_uuid: 5b0bd1e8c0f24f2e9d0e4b6a1c3f7a21
        run_id: 8e5d1a0c4f2b4e6f9a7b3c1d2e0f4a5b
        signature:
          inputs: '%s'
          outputs: '[{"type": "double", "required": true}]'
          params: null
        utc_time_created: '2024-06-14 09:12:44.118532'
        """.formatted(inputs);
  }
}
