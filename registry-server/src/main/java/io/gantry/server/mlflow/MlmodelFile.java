package io.gantry.server.mlflow;

import static io.gantry.server.mlflow.YamlDocument.isNull;
import static io.gantry.server.mlflow.YamlDocument.mapping;
import static io.gantry.server.mlflow.YamlDocument.text;

import com.google.protobuf.Struct;
import io.gantry.v1.MlModel;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/** Reads an MLmodel file: the model's flavors, signature and logging metadata. */
final class MlmodelFile {

  private MlmodelFile() {}

  /** Returns null when the file is not a YAML mapping; otherwise every readable key is kept. */
  static MlModel parse(String text, List<Malformed> problems) {
    YamlDocument.Root root = YamlDocument.root(text, problems);
    if (root == null) {
      return null;
    }
    YamlDocument yaml = root.yaml();
    MlModel.Builder model = MlModel.newBuilder();
    Struct.Builder unknown = Struct.newBuilder();
    for (var entry : root.entries().entrySet()) {
      String key = entry.getKey();
      Node value = entry.getValue().getValueNode();
      try {
        switch (key) {
          case "artifact_path" -> model.setArtifactPath(text(value, key));
          case "run_id" -> model.setRunId(text(value, key));
          case "model_uuid" -> model.setModelUuid(text(value, key));
          case "utc_time_created" -> model.setUtcTimeCreated(text(value, key));
          case "mlflow_version" -> model.setMlflowVersion(text(value, key));
          case "databricks_runtime" -> model.setDatabricksRuntime(text(value, key));
          case "model_size_bytes" -> {
            if (!isNull(value)) {
              model.setModelSizeBytes(yaml.nonNegativeLong(value, key));
            }
          }
          case "flavors" -> readFlavors(yaml, value, model);
          case "signature" -> {
            if (!isNull(value)) {
              model.setSignature(SignatureJson.parse(mapping(value, key), problems));
            }
          }
          case "saved_input_example_info" -> {
            if (!isNull(value)) {
              model.setSavedInputExampleInfo(yaml.struct(mapping(value, key), key));
            }
          }
          case "metadata" -> {
            if (!isNull(value)) {
              model.setMetadata(yaml.struct(mapping(value, key), key));
            }
          }
          default -> unknown.putFields(key, yaml.value(value, key));
        }
      } catch (Malformed e) {
        problems.add(e);
      }
    }
    if (unknown.getFieldsCount() > 0) {
      // protoc appends "_" because unknown_fields clashes with protobuf's own getUnknownFields().
      model.setOtherFields(unknown);
    }
    return model.build();
  }

  private static void readFlavors(YamlDocument yaml, Node flavors, MlModel.Builder model) {
    if (isNull(flavors)) {
      return;
    }
    for (var flavor : YamlDocument.entries(mapping(flavors, "flavors"), "flavors").entrySet()) {
      String path = "flavors." + flavor.getKey();
      Node config = flavor.getValue().getValueNode();
      model.putFlavors(flavor.getKey(), yaml.struct(mapping(config, path), path));
    }
  }
}
