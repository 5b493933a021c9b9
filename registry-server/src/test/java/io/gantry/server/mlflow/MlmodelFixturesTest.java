package io.gantry.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.v1.ColSpec;
import io.gantry.v1.ColumnType;
import io.gantry.v1.DataType;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ObjectProperty;
import io.gantry.v1.ParamSpec;
import io.gantry.v1.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every MLmodel under test resources, written by MLflow or by hand to MLflow's format. */
class MlmodelFixturesTest {

  private static MlModel parse(String fixture) {
    return Fixtures.parse(MlflowFiles.newBuilder().setMlmodel(Fixtures.text("mlmodel/" + fixture)))
        .mlmodel()
        .orElseThrow();
  }

  private static String string(Struct struct, String key) {
    return struct.getFieldsOrThrow(key).getStringValue();
  }

  private static ColSpec column(String name, DataType type, boolean required) {
    return ColSpec.newBuilder()
        .setName(name)
        .setType(ColumnType.newBuilder().setPrimitive(type))
        .setRequired(required)
        .build();
  }

  private static TensorSpec tensor(String name, String dtype, Long... shape) {
    TensorSpec.Builder tensor = TensorSpec.newBuilder().setDtype(dtype).addAllShape(List.of(shape));
    if (name != null) {
      tensor.setName(name);
    }
    return tensor.build();
  }

  private static Value number(double n) {
    return Value.newBuilder().setNumberValue(n).build();
  }

  @Test
  void mlflow1xSklearn_keepsLegacyEnvStringAndHasNoSignature() {
    MlModel model = parse("sklearn_mlflow-1.30.1.MLmodel");

    assertThat(model.getFlavorsMap()).containsOnlyKeys("python_function", "sklearn");
    Struct pyfunc = model.getFlavorsOrThrow("python_function");
    assertThat(pyfunc.getFieldsMap())
        .containsOnlyKeys("env", "loader_module", "model_path", "predict_fn", "python_version");
    assertThat(string(pyfunc, "env")).isEqualTo("conda.yaml");
    assertThat(string(pyfunc, "loader_module")).isEqualTo("mlflow.sklearn");
    assertThat(string(pyfunc, "python_version")).isEqualTo("3.10.19");
    Struct sklearn = model.getFlavorsOrThrow("sklearn");
    assertThat(sklearn.getFieldsOrThrow("code").getKindCase()).isEqualTo(Value.KindCase.NULL_VALUE);
    assertThat(string(sklearn, "serialization_format")).isEqualTo("cloudpickle");
    assertThat(string(sklearn, "sklearn_version")).isEqualTo("1.5.2");
    assertThat(model.getMlflowVersion()).isEqualTo("1.30.1");
    assertThat(model.getModelUuid()).isEqualTo("4d622e7b02614d1eb71f44eeb927be4f");
    assertThat(model.getUtcTimeCreated()).isEqualTo("2024-10-29 07:39:02.032550");
    assertThat(model.getArtifactPath()).isEmpty();
    assertThat(model.getRunId()).isEmpty();
    assertThat(model.hasSignature()).isFalse();
    assertThat(model.hasModelSizeBytes()).isFalse();
    assertThat(model.hasSavedInputExampleInfo()).isFalse();
    assertThat(model.hasOtherFields()).isFalse();
  }

  @Test
  void pyfunc271_hasEnvMappingAndNoModelSize() {
    MlModel model = parse("pyfunc_mlflow-2.7.1.MLmodel");

    Struct pyfunc = model.getFlavorsOrThrow("python_function");
    Struct env = pyfunc.getFieldsOrThrow("env").getStructValue();
    assertThat(string(env, "conda")).isEqualTo("conda.yaml");
    assertThat(string(env, "virtualenv")).isEqualTo("python_env.yaml");
    assertThat(string(pyfunc, "cloudpickle_version")).isEqualTo("2.2.1");
    assertThat(string(pyfunc, "python_model")).isEqualTo("python_model.pkl");
    assertThat(model.getModelUuid()).isEqualTo("1f82a364e20f4061984040cf41c3052e");
    assertThat(model.getMlflowVersion()).isEqualTo("2.7.1");
    assertThat(model.hasModelSizeBytes()).isFalse();
  }

  @Test
  void pyfunc281_hasModelSizeBytes() {
    MlModel model = parse("pyfunc_mlflow-2.8.1.MLmodel");

    assertThat(model.getModelSizeBytes()).isEqualTo(737);
    assertThat(model.getModelUuid()).isEqualTo("a369e776349942f4b3040003169aa534");
    assertThat(model.getUtcTimeCreated()).isEqualTo("2023-12-07 02:46:07.555576");
  }

  @Test
  void langchain_keepsNestedFlavorConfigResourcesAndArrayOfObjectSignature() {
    MlModel model = parse("langchain_mlflow-2.12.2.MLmodel");

    assertThat(model.getArtifactPath()).isEqualTo("chain");
    assertThat(model.getRunId()).isEqualTo("84552a129bfb45faa87f5fb3f05eb9cf");
    assertThat(model.getModelUuid()).isEqualTo("bbdda59aafe84e11b2fc25a95e46aee1");
    assertThat(model.getDatabricksRuntime()).isEqualTo("14.3");
    assertThat(model.getModelSizeBytes()).isEqualTo(6875);
    assertThat(model.getUtcTimeCreated()).isEqualTo("2024-05-17 23:15:28.764394");

    Struct langchain = model.getFlavorsOrThrow("langchain");
    assertThat(langchain.getFieldsOrThrow("code").getKindCase())
        .isEqualTo(Value.KindCase.NULL_VALUE);
    assertThat(langchain.getFieldsOrThrow("streamable").getBoolValue()).isTrue();
    assertThat(string(langchain, "langchain_version")).isEqualTo("0.1.20");
    Struct databricks = langchain.getFieldsOrThrow("databricks_dependency").getStructValue();
    assertThat(databricks.getFieldsOrThrow("databricks_chat_endpoint_name").getListValue())
        .isEqualTo(ListValue.newBuilder()
            .addValues(Value.newBuilder().setStringValue("databricks-dbrx-instruct"))
            .build());
    assertThat(string(model.getFlavorsOrThrow("python_function"), "predict_stream_fn"))
        .isEqualTo("predict_stream");

    Struct resources = model.getOtherFields().getFieldsOrThrow("resources").getStructValue();
    assertThat(model.getOtherFields().getFieldsMap()).containsOnlyKeys("resources");
    assertThat(string(resources, "api_version")).isEqualTo("1");
    List<Value> endpoints = resources.getFieldsOrThrow("databricks").getStructValue()
        .getFieldsOrThrow("serving_endpoint").getListValue().getValuesList();
    assertThat(endpoints).extracting(v -> string(v.getStructValue(), "name"))
        .containsExactly("databricks-dbrx-instruct", "databricks-bge-large-en");

    assertThat(model.getSavedInputExampleInfo().getFieldsMap())
        .containsOnlyKeys("artifact_path", "type");
    assertThat(string(model.getSavedInputExampleInfo(), "type")).isEqualTo("json_object");

    ColSpec messages = model.getSignature().getInputs().getColumns(0);
    assertThat(model.getSignature().getInputs().getColumnsCount()).isEqualTo(1);
    assertThat(messages.getName()).isEqualTo("messages");
    assertThat(messages.getRequired()).isTrue();
    ColumnType item = messages.getType().getArray().getItems();
    assertThat(item.getObject().getPropertiesList()).containsExactly(
        ObjectProperty.newBuilder().setName("content")
            .setType(ColumnType.newBuilder().setPrimitive(DataType.DATA_TYPE_STRING))
            .setRequired(true).build(),
        ObjectProperty.newBuilder().setName("role")
            .setType(ColumnType.newBuilder().setPrimitive(DataType.DATA_TYPE_STRING))
            .setRequired(true).build());
    ColSpec output = model.getSignature().getOutputs().getColumns(0);
    assertThat(output.hasName()).isFalse();
    assertThat(output.getType().getPrimitive()).isEqualTo(DataType.DATA_TYPE_STRING);
    assertThat(output.getRequired()).isTrue();
    assertThat(model.getSignature().hasParams()).isFalse();
  }

  @Test
  void uiFixture_columnWithoutRequiredIsRequiredAndTensorOutputIsNamed() {
    MlModel model = parse("ui-fixture_tensor-output_mlflow-2.7.1.MLmodel");

    assertThat(model.getArtifactPath()).isEqualTo("MLmodel");
    assertThat(model.getModelUuid()).isEqualTo("test-model-uuid");
    assertThat(model.getRunId()).isEqualTo("test-run-uuid");
    assertThat(model.getSignature().getInputs().getColumnsList())
        .containsExactly(column("test_model_input", DataType.DATA_TYPE_DOUBLE, true));
    assertThat(model.getSignature().getInputs().getTensorsCount()).isZero();
    assertThat(model.getSignature().getOutputs().getTensorsList())
        .containsExactly(tensor("test_model_output", "float64", -1L));
    assertThat(model.getSignature().getOutputs().getColumnsCount()).isZero();
  }

  @Test
  void sklearnWine_hasElevenRequiredDoublesAndAnUnnamedTensorOutput() {
    MlModel model = parse("sklearn-wine_mlflow-2.13.1.MLmodel");

    assertThat(model.getSignature().getInputs().getColumnsList()).containsExactly(
        column("fixed_acidity", DataType.DATA_TYPE_DOUBLE, true),
        column("volatile_acidity", DataType.DATA_TYPE_DOUBLE, true),
        column("citric_acid", DataType.DATA_TYPE_DOUBLE, true),
        column("residual_sugar", DataType.DATA_TYPE_DOUBLE, true),
        column("chlorides", DataType.DATA_TYPE_DOUBLE, true),
        column("free_sulfur_dioxide", DataType.DATA_TYPE_DOUBLE, true),
        column("total_sulfur_dioxide", DataType.DATA_TYPE_DOUBLE, true),
        column("density", DataType.DATA_TYPE_DOUBLE, true),
        column("pH", DataType.DATA_TYPE_DOUBLE, true),
        column("sulphates", DataType.DATA_TYPE_DOUBLE, true),
        column("alcohol", DataType.DATA_TYPE_DOUBLE, true));
    assertThat(model.getSignature().getOutputs().getTensorsList())
        .containsExactly(tensor(null, "float64", -1L));
    assertThat(model.getSavedInputExampleInfo().getFieldsMap()).containsOnlyKeys(
        "artifact_path", "pandas_orient", "type");
    assertThat(string(model.getSavedInputExampleInfo(), "pandas_orient")).isEqualTo("split");
    assertThat(model.getModelSizeBytes()).isEqualTo(102527);
    assertThat(model.getDatabricksRuntime()).isEqualTo("15.1");
    assertThat(model.getRunId()).isEqualTo("6222162b4c7f47c2820a7e5b520f65a9");
    assertThat(model.getModelUuid()).isEqualTo("7c56d8b80973448b8c4e7b5a3b9fc7b6");
    assertThat(string(model.getFlavorsOrThrow("sklearn"), "sklearn_version")).isEqualTo("1.3.0");
    assertThat(model.hasOtherFields()).isFalse();
  }

  @Test
  void pytorch_hasNamedTensorInputsAndParams() {
    MlModel model = parse("pytorch_tensor-signature.MLmodel");

    assertThat(model.getFlavorsMap()).containsOnlyKeys("python_function", "pytorch");
    assertThat(string(model.getFlavorsOrThrow("pytorch"), "pytorch_version"))
        .isEqualTo("2.3.1+cu121");
    assertThat(model.getModelSizeBytes()).isEqualTo(46838273);
    assertThat(model.getSignature().getInputs().getTensorsList()).containsExactly(
        tensor("pixel_values", "float32", -1L, 3L, 224L, 224L),
        tensor("labels", "int64", -1L));
    assertThat(model.getSignature().getOutputs().getTensorsList())
        .containsExactly(tensor("logits", "float32", -1L, 1000L));
    assertThat(model.getSignature().getParams().getParamsList()).containsExactly(
        ParamSpec.newBuilder().setName("top_k").setType(DataType.DATA_TYPE_LONG)
            .setDefaultValue(number(5)).build(),
        ParamSpec.newBuilder().setName("temperature").setType(DataType.DATA_TYPE_FLOAT)
            .setDefaultValue(number(1.0)).build(),
        ParamSpec.newBuilder().setName("class_ids").setType(DataType.DATA_TYPE_LONG)
            .setDefaultValue(Value.newBuilder().setListValue(
                ListValue.newBuilder().addValues(number(0)).addValues(number(1))))
            .addShape(-1)
            .build());
    assertThat(string(model.getSavedInputExampleInfo(), "format")).isEqualTo("tf-serving");
  }

  @Test
  void transformers_hasParamDefaultsMetadataAndComponentList() {
    MlModel model = parse("transformers_params.MLmodel");

    Struct transformers = model.getFlavorsOrThrow("transformers");
    assertThat(transformers.getFieldsOrThrow("components").getListValue().getValues(0)
        .getStringValue()).isEqualTo("tokenizer");
    assertThat(string(transformers, "task")).isEqualTo("text-generation");
    assertThat(string(transformers, "torch_dtype")).isEqualTo("torch.bfloat16");
    assertThat(string(model.getMetadata(), "task")).isEqualTo("llm/v1/completions");
    assertThat(model.getSignature().getInputs().getColumnsList())
        .containsExactly(column("prompt", DataType.DATA_TYPE_STRING, true));
    assertThat(model.getSignature().getParams().getParamsList()).containsExactly(
        ParamSpec.newBuilder().setName("max_new_tokens").setType(DataType.DATA_TYPE_LONG)
            .setDefaultValue(number(256)).build(),
        ParamSpec.newBuilder().setName("repetition_penalty").setType(DataType.DATA_TYPE_DOUBLE)
            .setDefaultValue(number(1.15)).build(),
        ParamSpec.newBuilder().setName("return_full_text").setType(DataType.DATA_TYPE_BOOLEAN)
            .setDefaultValue(Value.newBuilder().setBoolValue(false)).build(),
        ParamSpec.newBuilder().setName("stop").setType(DataType.DATA_TYPE_STRING)
            .setDefaultValue(Value.newBuilder().setNullValueValue(0)).addShape(-1).build());
  }
}
