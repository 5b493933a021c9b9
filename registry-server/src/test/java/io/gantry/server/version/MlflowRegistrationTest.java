package io.gantry.server.version;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.rowCounts;
import static io.gantry.server.TestRegistry.uniqueModel;
import static io.gantry.server.TestRegistry.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DataType;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PinState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** Registering real MLflow files through the API: parsed for real, kept byte for byte, refused when malformed. */
class MlflowRegistrationTest {

  @Test
  void realMlflowFiles_areParsedIntoTheVersion_andKeptByteForByte() {
    String model = newModel();
    MlflowFiles files = MlflowFiles.newBuilder()
        .setMlmodel(TestRegistry.mlflowFixture("mlmodel/sklearn-wine_mlflow-2.13.1.MLmodel"))
        .setRequirementsTxt(TestRegistry.mlflowFixture("env/sklearn_mlflow-1.30.1.requirements.txt"))
        .setCondaYaml(TestRegistry.mlflowFixture("env/sklearn_mlflow-1.30.1.conda.yaml"))
        .setPythonEnvYaml(TestRegistry.mlflowFixture("env/sklearn_mlflow-1.30.1.python_env.yaml"))
        .build();

    ModelVersion created = registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setModelVersion(ModelVersion.newBuilder().setFiles(files)).build());
    ModelVersion got = registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(created.getName()).build());

    assertThat(got.getFiles()).isEqualTo(files);
    assertThat(got.getMlmodel().getFlavorsMap()).containsKeys("python_function", "sklearn");
    assertThat(got.getMlmodel().getSignature().getInputs().getColumnsList()).hasSize(11)
        .allSatisfy(c -> assertThat(c.getType().getPrimitive()).isEqualTo(DataType.DATA_TYPE_DOUBLE));
    assertThat(got.getMlmodel().getSignature().getOutputs().getTensors(0).getShapeList()).containsExactly(-1L);
    assertThat(got.getRunId()).as("taken from the MLmodel").isEqualTo(got.getMlmodel().getRunId()).isNotEmpty();
    assertThat(got.getDependencies().getRequirementsList())
        .filteredOn(r -> r.getName().equals("mlflow")).singleElement()
        .satisfies(r -> assertThat(r.getPinState()).isEqualTo(PinState.PIN_STATE_UNPINNED));
    assertThat(got.getDependencies().getConda().getPipList()).isNotEmpty();
    assertThat(got.getDependencies().getPythonEnv().getPython()).isNotEmpty();
  }

  @Test
  void malformedFiles_areRefusedNamingEachFileAndLine_andNothingIsStored() {
    String model = newModel();
    var before = rowCounts();
    MlflowFiles files = MlflowFiles.newBuilder()
        .setMlmodel("flavors:\n  python_function:\n    loader_module: x\n   bad_indent: 1\n")
        .setRequirementsTxt("numpy==1.26.4\nscikit-learn>=\n")
        .build();

    var e = catchThrowableOfType(() -> registry().createModelVersion(CreateModelVersionRequest.newBuilder()
            .setParent("models/" + model).setModelVersion(ModelVersion.newBuilder().setFiles(files)).build()),
        StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(e)).anySatisfy(v -> {
      assertThat(v.getField()).isEqualTo("model_version.files.mlmodel");
      assertThat(v.getDescription()).startsWith("line 4");
    });
    assertThat(violations(e)).anySatisfy(v -> {
      assertThat(v.getField()).isEqualTo("model_version.files.requirements_txt");
      assertThat(v.getDescription()).startsWith("line 2");
    });
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void signatureThatIsNotJson_isRefusedNamingTheSignaturePart() {
    String model = newModel();
    String mlmodel = "flavors:\n  python_function: {}\nsignature:\n  inputs: '[{\"type\": \"double\"'\n";

    var e = catchThrowableOfType(() -> registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setModelVersion(ModelVersion.newBuilder()
            .setFiles(MlflowFiles.newBuilder().setMlmodel(mlmodel))).build()), StatusRuntimeException.class);

    assertThat(violations(e)).singleElement().satisfies(v -> {
      assertThat(v.getField()).isEqualTo("model_version.files.mlmodel");
      assertThat(v.getDescription()).contains("signature.inputs");
    });
  }

  private static String newModel() {
    String model = uniqueModel("mlflow");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    return model;
  }
}
