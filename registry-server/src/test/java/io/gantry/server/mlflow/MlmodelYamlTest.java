package io.gantry.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import org.junit.jupiter.api.Test;

/** How YAML's implicit typing is kept from changing what MLflow wrote. */
class MlmodelYamlTest {

  private static MlModel parse(String mlmodel) {
    return Fixtures.parse(MlflowFiles.newBuilder().setMlmodel(mlmodel)).mlmodel().orElseThrow();
  }

  @Test
  void unquotedTimestamp_keepsItsText() {
    MlModel model = parse("""
        utc_time_created: 2024-05-17 23:15:28.764394
        metadata:
          trained_on: 2024-05-17
          window: [2024-05-01, 2024-05-17T10:00:00Z]
        """);

    assertThat(model.getUtcTimeCreated()).isEqualTo("2024-05-17 23:15:28.764394");
    Struct metadata = model.getMetadata();
    assertThat(metadata.getFieldsOrThrow("trained_on").getStringValue()).isEqualTo("2024-05-17");
    assertThat(metadata.getFieldsOrThrow("window").getListValue().getValues(1).getStringValue())
        .isEqualTo("2024-05-17T10:00:00Z");
  }

  @Test
  void numberLikeStrings_keepTheirText() {
    MlModel model = parse("""
        databricks_runtime: 15.10
        mlflow_version: 2.20
        model_uuid: 0123456789
        """);

    assertThat(model.getDatabricksRuntime()).isEqualTo("15.10");
    assertThat(model.getMlflowVersion()).isEqualTo("2.20");
    assertThat(model.getModelUuid()).isEqualTo("0123456789");
  }

  @Test
  void flavorScalars_areTypedAsPyYamlTypesThem() {
    Struct flavor = parse("""
        flavors:
          custom:
            hex: 0x1F
            underscored: 1_000
            ratio: 0.25
            exponent_without_dot: 1e3
            yes_flag: yes
            off_flag: Off
            nothing: ~
            version: 1.10
        """).getFlavorsOrThrow("custom");

    assertThat(flavor.getFieldsOrThrow("hex").getNumberValue()).isEqualTo(31);
    assertThat(flavor.getFieldsOrThrow("underscored").getNumberValue()).isEqualTo(1000);
    assertThat(flavor.getFieldsOrThrow("ratio").getNumberValue()).isEqualTo(0.25);
    assertThat(flavor.getFieldsOrThrow("exponent_without_dot").getStringValue()).isEqualTo("1e3");
    assertThat(flavor.getFieldsOrThrow("yes_flag").getBoolValue()).isTrue();
    assertThat(flavor.getFieldsOrThrow("off_flag").getBoolValue()).isFalse();
    assertThat(flavor.getFieldsOrThrow("nothing").getKindCase())
        .isEqualTo(Value.KindCase.NULL_VALUE);
    assertThat(flavor.getFieldsOrThrow("version").getNumberValue()).isEqualTo(1.1);
  }

  @Test
  void anchorsAliasesAndMergeKeys_areResolved() {
    MlModel model = parse("""
        flavors:
          python_function: &pyfunc
            env: &env
              conda: conda.yaml
            loader_module: mlflow.sklearn
          sklearn:
            <<: *pyfunc
            loader_module: overridden
            env_copy: *env
        """);

    Struct sklearn = model.getFlavorsOrThrow("sklearn");
    assertThat(sklearn.getFieldsOrThrow("loader_module").getStringValue()).isEqualTo("overridden");
    assertThat(sklearn.getFieldsOrThrow("env").getStructValue().getFieldsOrThrow("conda")
        .getStringValue()).isEqualTo("conda.yaml");
    assertThat(sklearn.getFieldsOrThrow("env_copy"))
        .isEqualTo(sklearn.getFieldsOrThrow("env"));
  }

  @Test
  void unknownTopLevelKeys_areKeptWithTheirValues() {
    MlModel model = parse("""
        flavors: {}
        model_id: m-2b7a4e
        env_vars: [OPENAI_API_KEY]
        is_signature_from_type_hint: false
        """);

    assertThat(model.getOtherFields().getFieldsMap())
        .containsOnlyKeys("model_id", "env_vars", "is_signature_from_type_hint");
    assertThat(model.getOtherFields().getFieldsOrThrow("is_signature_from_type_hint")
        .getBoolValue()).isFalse();
  }

  @Test
  void nullSignatureAndExampleInfo_areAbsent() {
    MlModel model = parse("flavors: {}\nsignature: null\nsaved_input_example_info: null\n");

    assertThat(model.hasSignature()).isFalse();
    assertThat(model.hasSavedInputExampleInfo()).isFalse();
  }
}
