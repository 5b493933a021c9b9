package io.gantry.server.mlflow;

import static io.gantry.v1.PinState.PIN_STATE_PINNED;
import static io.gantry.v1.PinState.PIN_STATE_RANGE;
import static io.gantry.v1.PinState.PIN_STATE_UNPINNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.v1.CondaDependency;
import io.gantry.v1.CondaEnvironment;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.PinState;
import io.gantry.v1.Requirement;
import io.gantry.v1.RequirementKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CondaFileTest {

  private static CondaEnvironment parse(String condaYaml) {
    return Fixtures.parse(MlflowFiles.newBuilder().setCondaYaml(condaYaml))
        .dependencies().getConda();
  }

  @Test
  void sklearnFixture_readsChannelsSpecsAndNestedPipList() {
    CondaEnvironment conda = parse(Fixtures.text("env/sklearn_mlflow-1.30.1.conda.yaml"));

    assertThat(conda.getName()).isEqualTo("mlflow-env");
    assertThat(conda.getChannelsList()).containsExactly("conda-forge");
    assertThat(conda.getDependenciesList())
        .extracting(CondaDependency::getName, CondaDependency::getVersion,
            CondaDependency::getPinState, CondaDependency::getSpec)
        .containsExactly(
            tuple("python", "3.10.19", PIN_STATE_RANGE, "python=3.10.19"),
            tuple("pip", "<=23.0.1", PIN_STATE_RANGE, "pip<=23.0.1"));
    assertThat(conda.getPipList())
        .extracting(Requirement::getName, Requirement::getPinState, Requirement::getLine)
        .containsExactly(
            tuple("mlflow", PIN_STATE_UNPINNED, 7),
            tuple("cloudpickle", PIN_STATE_PINNED, 8),
            tuple("scikit-learn", PIN_STATE_PINNED, 9));
  }

  @Test
  void pyfuncFixture_pinsMlflowInThePipList() {
    CondaEnvironment conda = parse(Fixtures.text("env/pyfunc_mlflow-2.8.1.conda.yaml"));

    assertThat(conda.getDependenciesList()).extracting(CondaDependency::getSpec)
        .containsExactly("python=3.9.13", "pip<=23.3");
    assertThat(conda.getPipList())
        .extracting(Requirement::getName, Requirement::getSpecifier, Requirement::getPinState)
        .containsExactly(
            tuple("mlflow", "==2.8.1", PIN_STATE_PINNED),
            tuple("cloudpickle", "==2.2.1", PIN_STATE_PINNED));
  }

  @Test
  void langchainFixture_hasTwentyPinnedPipEntries() {
    CondaEnvironment conda = parse(Fixtures.text("env/langchain_mlflow-2.12.2.conda.yaml"));

    assertThat(conda.getPipList()).hasSize(20)
        .allSatisfy(r -> assertThat(r.getPinState()).isEqualTo(PIN_STATE_PINNED));
    assertThat(conda.getPipList()).filteredOn(r -> r.getName().equals("mlflow"))
        .singleElement()
        .satisfies(r -> assertThat(r.getExtrasList()).containsExactly("gateway"));
    assertThat(conda.getDependencies(1).getVersion()).isEqualTo("<=22.3.1");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      python=3.10.19                    | ''                  | python       | 3.10.19    | ''                | PIN_STATE_RANGE
      pip<=23.0.1                       | ''                  | pip          | <=23.0.1   | ''                | PIN_STATE_RANGE
      conda-forge::numpy==1.2=py_0      | conda-forge         | numpy        | ==1.2      | py_0              | PIN_STATE_PINNED
      numpy 1.2.* py37_0                | ''                  | numpy        | 1.2.*      | py37_0            | PIN_STATE_PINNED
      scikit-learn                      | ''                  | scikit-learn | ''         | ''                | PIN_STATE_UNPINNED
      numpy==1.26.4                     | ''                  | numpy        | ==1.26.4   | ''                | PIN_STATE_PINNED
      numpy=1.26.4=py311h64a7726_0      | ''                  | numpy        | 1.26.4     | py311h64a7726_0   | PIN_STATE_PINNED
      numpy 1.26.4                      | ''                  | numpy        | 1.26.4     | ''                | PIN_STATE_PINNED
      numpy 1.26.*                      | ''                  | numpy        | 1.26.*     | ''                | PIN_STATE_RANGE
      numpy==1.26.*                     | ''                  | numpy        | ==1.26.*   | ''                | PIN_STATE_RANGE
      numpy >=1.2 , <2                  | ''                  | numpy        | >=1.2,<2   | ''                | PIN_STATE_RANGE
      numpy!=1.2                        | ''                  | numpy        | !=1.2      | ''                | PIN_STATE_RANGE
      numpy *                           | ''                  | numpy        | *          | ''                | PIN_STATE_UNPINNED
      conda-forge/linux-64::openssl>=3  | conda-forge/linux-64 | openssl     | >=3        | ''                | PIN_STATE_RANGE
      """)
  void condaSpec_isSplitAndPinnedLikeConda(
      String spec, String channel, String name, String version, String build, PinState pin) {
    CondaDependency dependency = parse("dependencies:\n  - " + spec + "\n").getDependencies(0);

    assertThat(dependency.getSpec()).isEqualTo(spec);
    assertThat(dependency.getChannel()).isEqualTo(channel);
    assertThat(dependency.getName()).isEqualTo(name);
    assertThat(dependency.getVersion()).isEqualTo(version);
    assertThat(dependency.getBuild()).isEqualTo(build);
    assertThat(dependency.getPinState()).isEqualTo(pin);
  }

  @Test
  void pipList_acceptsRequirementsFileReference() {
    CondaEnvironment conda = parse("""
        dependencies:
          - python=3.11
          - pip:
              - -r requirements.txt
        """);

    assertThat(conda.getPip(0).getKind()).isEqualTo(RequirementKind.REQUIREMENT_KIND_REQUIREMENTS_FILE);
    assertThat(conda.getPip(0).getReference()).isEqualTo("requirements.txt");
    assertThat(conda.getPip(0).getLine()).isEqualTo(4);
  }

  @Test
  void otherCondaKeys_areIgnored() {
    CondaEnvironment conda = parse("""
        name: serving
        prefix: /opt/conda/envs/serving
        variables:
          OMP_NUM_THREADS: 1
        dependencies: [python=3.11]
        """);

    assertThat(conda.getName()).isEqualTo("serving");
    assertThat(conda.getDependenciesCount()).isEqualTo(1);
  }
}
