package io.gantry.server.mlflow;

import static io.gantry.v1.PinState.PIN_STATE_NOT_APPLICABLE;
import static io.gantry.v1.PinState.PIN_STATE_PINNED;
import static io.gantry.v1.PinState.PIN_STATE_UNPINNED;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_REQUIREMENTS_FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.v1.MlflowFiles;
import io.gantry.v1.PythonEnvironment;
import io.gantry.v1.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PythonEnvFileTest {

  private static PythonEnvironment parse(String pythonEnvYaml) {
    return Fixtures.parse(MlflowFiles.newBuilder().setPythonEnvYaml(pythonEnvYaml))
        .dependencies().getPythonEnv();
  }

  @Test
  void sklearnFixture_hasPinnedBuildDependenciesAndRequirementsFileReference() {
    PythonEnvironment env = parse(Fixtures.text("env/sklearn_mlflow-1.30.1.python_env.yaml"));

    assertThat(env.getPython()).isEqualTo("3.10.19");
    assertThat(env.getBuildDependenciesList())
        .extracting(Requirement::getName, Requirement::getSpecifier, Requirement::getPinState,
            Requirement::getLine)
        .containsExactly(
            tuple("pip", "==23.0.1", PIN_STATE_PINNED, 3),
            tuple("setuptools", "==58.1.0", PIN_STATE_PINNED, 4),
            tuple("wheel", "==0.42.0", PIN_STATE_PINNED, 5));
    assertThat(env.getDependenciesList())
        .extracting(Requirement::getKind, Requirement::getReference, Requirement::getPinState,
            Requirement::getLine, Requirement::getText)
        .containsExactly(tuple(REQUIREMENT_KIND_REQUIREMENTS_FILE, "requirements.txt",
            PIN_STATE_NOT_APPLICABLE, 7, "-r requirements.txt"));
  }

  @Test
  void pyfuncFixture_hasUnpinnedSetuptools() {
    PythonEnvironment env = parse(Fixtures.text("env/pyfunc_mlflow-2.8.1.python_env.yaml"));

    assertThat(env.getPython()).isEqualTo("3.9.13");
    assertThat(env.getBuildDependenciesList())
        .extracting(Requirement::getName, Requirement::getPinState)
        .containsExactly(
            tuple("pip", PIN_STATE_PINNED),
            tuple("setuptools", PIN_STATE_UNPINNED),
            tuple("wheel", PIN_STATE_PINNED));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.10", "3.8", "3.10.0", "3"})
  void pythonVersion_keepsTheTextYamlWouldReadAsANumber(String version) {
    assertThat(parse("python: " + version + "\n").getPython()).isEqualTo(version);
  }

  @Test
  void emptyRegisteredFiles_leaveDependenciesUnset() {
    var parsed = Fixtures.parse(MlflowFiles.newBuilder());

    assertThat(parsed.mlmodel()).isEmpty();
    assertThat(parsed.dependencies().getRequirementsList()).isEmpty();
    assertThat(parsed.dependencies().hasConda()).isFalse();
    assertThat(parsed.dependencies().hasPythonEnv()).isFalse();
  }
}
