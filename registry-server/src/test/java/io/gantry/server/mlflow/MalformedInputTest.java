package io.gantry.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.gantry.server.error.FieldViolation;
import io.gantry.v1.MlflowFiles;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed input is one violation naming the file's field and the line at fault. */
class MalformedInputTest {

  private static final String MLMODEL = "model_version.files.mlmodel";
  private static final String REQUIREMENTS = "model_version.files.requirements_txt";
  private static final String CONDA = "model_version.files.conda_yaml";
  private static final String PYTHON_ENV = "model_version.files.python_env_yaml";

  private static MlflowFiles.Builder mlmodel(String text) {
    return MlflowFiles.newBuilder().setMlmodel(text);
  }

  private static MlflowFiles.Builder requirements(String text) {
    return MlflowFiles.newBuilder().setRequirementsTxt(text);
  }

  private static MlflowFiles.Builder conda(String text) {
    return MlflowFiles.newBuilder().setCondaYaml(text);
  }

  private static MlflowFiles.Builder pythonEnv(String text) {
    return MlflowFiles.newBuilder().setPythonEnvYaml(text);
  }

  private static String signature(String inputs) {
    return "flavors: {}\nsignature:\n  inputs: '" + inputs + "'\n  outputs: null\n";
  }

  /** A requirements.txt whose third line is {@code line}. */
  private static MlflowFiles.Builder thirdLine(String line) {
    return requirements("pandas==2.2.2\n# the model's runtime\n" + line + "\nnumpy==1.26.4\n");
  }

  static Stream<Arguments> malformedInputs() {
    return Stream.of(
        arguments("MLmodel indented wrongly", mlmodel("""
            flavors:
              python_function:
                loader_module: mlflow.sklearn
               python_version: 3.10.19
            mlflow_version: 2.13.1
            """), MLMODEL, "line 4: invalid YAML: expected <block end>, but found"
            + " '<block mapping start>'; check the indentation (while parsing a block mapping at"
            + " line 2)"),
        arguments("MLmodel with a tab", mlmodel("flavors:\n\tsklearn: {}\n"), MLMODEL,
            "line 2: invalid YAML: found character '\\t(TAB)' that cannot start any token."
                + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)"),
        arguments("MLmodel that is a list", mlmodel("- flavors\n- signature\n"), MLMODEL,
            "line 1: expected a mapping at the top level, found a list"),
        arguments("MLmodel of two documents", mlmodel("flavors: {}\n---\nflavors: {}\n"), MLMODEL,
            "line 2: invalid YAML: expected a single document in the stream, but found another"
                + " document"),
        arguments("MLmodel with a duplicate key", mlmodel("run_id: a\nflavors: {}\nrun_id: b\n"),
            MLMODEL, "line 3: duplicate key \"run_id\" (first at line 1)"),
        arguments("MLmodel with a Python tag",
            mlmodel("flavors: {}\nmetadata: !!python/object:foo.Bar {}\n"), MLMODEL,
            "line 2: invalid YAML: Global tag is not allowed:"
                + " tag:yaml.org,2002:python/object:foo.Bar"),
        arguments("flavor that is not a mapping", mlmodel("flavors:\n  sklearn: yes\n"), MLMODEL,
            "line 2: flavors.sklearn: expected a mapping, found the boolean yes"),
        arguments("model size as a string", mlmodel("model_size_bytes: '737'\n"), MLMODEL,
            "line 1: model_size_bytes: expected a non-negative integer, found the string \"737\""),
        arguments("recursive alias", mlmodel("flavors: {}\nresources: &r [*r]\n"), MLMODEL,
            "line 2: resources[0]: an alias refers to the collection containing it"),
        arguments("signature inputs that are not JSON",
            mlmodel(signature("[{\"type\": \"double\", \"name\": alcohol}]")), MLMODEL,
            "line 3: signature.inputs: not valid JSON: Unrecognized token 'alcohol': was expecting"
                + " (JSON String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token 'null',"
                + " 'true' or 'false') (at character 36)"),
        arguments("signature inputs cut short", mlmodel(signature("[{\"type\": \"double\"")),
            MLMODEL, "line 3: signature.inputs: not valid JSON: Unexpected end-of-input: expected"
                + " close marker for Object (start marker at line 1, column 2) (at character 19)"),
        arguments("signature inputs with trailing text", mlmodel(signature("[] []")), MLMODEL,
            "line 3: signature.inputs: not valid JSON: unexpected text after the JSON value"
                + " (at character 4)"),
        arguments("signature inputs as a YAML list",
            mlmodel("flavors: {}\nsignature:\n  inputs:\n  - type: double\n"), MLMODEL,
            "line 4: signature.inputs: expected a JSON string, found a list"),
        arguments("unknown column type",
            mlmodel(signature("[{\"type\": \"doubel\", \"name\": \"alcohol\", \"required\": true}]")),
            MLMODEL, "line 3: signature.inputs[0]: unknown type \"doubel\" for column \"alcohol\";"
                + " expected one of boolean, integer, long, float, double, string, binary,"
                + " datetime, any, array, object, map, tensor"),
        arguments("unknown nested type", mlmodel(signature("[{\"type\": \"array\", \"items\":"
                + " {\"type\": \"object\", \"properties\": {\"role\": {\"type\": \"str\"}}},"
                + " \"name\": \"messages\"}]")),
            MLMODEL, "line 3: signature.inputs[0].items.properties.role: unknown type \"str\" for"
                + " property \"role\"; expected one of boolean, integer, long, float, double,"
                + " string, binary, datetime, any, array, object, map"),
        arguments("mixed tensor and column schema", mlmodel(signature(
                "[{\"type\": \"double\", \"name\": \"a\"}, {\"type\": \"tensor\", \"name\": \"b\","
                    + " \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1]}}]")),
            MLMODEL, "line 3: signature.inputs: mixes column specs (at [0]) and tensor specs"
                + " (at [1]); a schema holds only one kind"),
        arguments("named and unnamed columns", mlmodel(signature(
                "[{\"type\": \"double\", \"name\": \"a\"}, {\"type\": \"double\"}]")),
            MLMODEL, "line 3: signature.inputs: mixes named (at [0]) and unnamed (at [1])"
                + " entries; name all of them or none"),
        arguments("tensor shape with a fraction", mlmodel(signature(
                "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\","
                    + " \"shape\": [-1, 2.5]}}]")),
            MLMODEL, "line 3: signature.inputs[0].tensor-spec.shape[1]: expected a dimension size"
                + " or -1 (variable), found the number 2.5"),
        arguments("param without default", mlmodel("flavors: {}\nsignature:\n"
                + "  inputs: '[{\"type\": \"string\"}]'\n"
                + "  params: '[{\"name\": \"top_k\", \"type\": \"long\", \"shape\": null}]'\n"),
            MLMODEL, "line 4: signature.params[0]: missing \"default\""),
        arguments("requirement with === and no version", thirdLine("numpy==="), REQUIREMENTS,
            "line 3: expected a version after \"===\""),
        arguments("requirement without a name", thirdLine("==1.0"), REQUIREMENTS,
            "line 3: expected a package name, found \"==1.0\""),
        arguments("requirement with unclosed extras", thirdLine("foo[bar"), REQUIREMENTS,
            "line 3: unclosed \"[\" in the extras of \"foo[bar\""),
        arguments("requirement with an operator and no version", thirdLine("foo >= "),
            REQUIREMENTS, "line 3: expected a version after \">=\""),
        arguments("unknown option", thirdLine("-x"), REQUIREMENTS,
            "line 3: unknown option \"-x\""),
        arguments("conda-style = in a pip requirement", thirdLine("foo=1.0"), REQUIREMENTS,
            "line 3: \"=\" is not a version operator in \"=1.0\"; did you mean \"==\"?"),
        arguments("invalid version", thirdLine("foo==latest"), REQUIREMENTS,
            "line 3: invalid version \"latest\" after \"==\""),
        arguments("invalid marker", thirdLine("foo ; python_version >> '3'"), REQUIREMENTS,
            "line 3: invalid environment marker \"python_version >> '3'\": expected a marker"
                + " variable (python_version, sys_platform ...) or a quoted string, found \">\""),
        arguments("weak hash", thirdLine("foo==1.0 --hash=md5:0cc175b9c0f1b6a831c399e269772661"),
            REQUIREMENTS, "line 3: --hash algorithm \"md5\" is not allowed; use sha256, sha384 or"
                + " sha512"),
        arguments("option after a requirement", thirdLine("foo -r extra.txt"), REQUIREMENTS,
            "line 3: option -r cannot follow a requirement on the same line"),
        arguments("option without its value", thirdLine("--index-url"), REQUIREMENTS,
            "line 3: option --index-url expects a value"),
        arguments("bad continued line reports its first line",
            requirements("pandas==2.2.2\nfoo >= \\\n  \\\n  \n"), REQUIREMENTS,
            "line 2: expected a version after \">=\""),
        arguments("conda dependencies not a list", conda("""
            name: mlflow-env
            dependencies:
              python: 3.10
            """), CONDA, "line 3: dependencies: expected a list, found a mapping"),
        arguments("conda channels not a list", conda("channels: conda-forge\n"), CONDA,
            "line 1: channels: expected a list, found the string \"conda-forge\""),
        arguments("conda channel that is a number", conda("channels:\n  - 1\n"), CONDA,
            "line 2: channels[0]: expected a string, found the integer 1"),
        arguments("conda entry that is a number", conda("dependencies:\n  - python=3.10\n  - 3.10\n"),
            CONDA, "line 3: dependencies[1]: expected a conda package spec or a \"pip:\" list,"
                + " found the number 3.10"),
        arguments("conda mapping entry other than pip", conda("dependencies:\n  - npm: [x]\n"),
            CONDA, "line 2: dependencies[0]: expected a conda package spec or a \"pip:\" list,"
                + " found a mapping with key \"npm\""),
        arguments("conda spec without version", conda("dependencies:\n  - numpy>=\n"), CONDA,
            "line 2: dependencies[0]: expected a version after \">=\" in \"numpy>=\""),
        arguments("malformed pip entry in conda", conda("""
            dependencies:
              - python=3.10.19
              - pip:
                  - mlflow
                  - numpy===
            """), CONDA, "line 5: dependencies[1].pip[1]: expected a version after \"===\""),
        arguments("python_env with a mapping where a list belongs", pythonEnv("""
            python: 3.10.19
            build_dependencies:
              - pip
            dependencies:
              numpy: 1.26.4
            """), PYTHON_ENV, "line 5: dependencies: expected a list, found a mapping"),
        arguments("python_env with an unknown key", pythonEnv("python: 3.10\nconda: env.yaml\n"),
            PYTHON_ENV, "line 2: unknown key \"conda\"; expected python, build_dependencies or"
                + " dependencies"),
        arguments("python_env requirement entry that is a mapping",
            pythonEnv("dependencies:\n  - numpy: 1.0\n"), PYTHON_ENV,
            "line 2: dependencies[0]: expected a string, found a mapping"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedInputs")
  void malformedInput_isOneViolationAtItsLine(
      String label, MlflowFiles.Builder files, String field, String description) {
    assertThat(Fixtures.violations(files))
        .containsExactly(new FieldViolation(field, description));
  }

  @Test
  void severalBadFiles_reportOneViolationEach() {
    MlflowFiles.Builder files = MlflowFiles.newBuilder()
        .setMlmodel("- not a mapping\n")
        .setRequirementsTxt("mlflow\n==1.0\n")
        .setCondaYaml("name: env\ndependencies: python=3.10\n")
        .setPythonEnvYaml("python: 3.10\nbuild_dependencies: {pip: 23}\n");

    assertThat(Fixtures.violations(files)).containsExactly(
        new FieldViolation(MLMODEL, "line 1: expected a mapping at the top level, found a list"),
        new FieldViolation(REQUIREMENTS, "line 2: expected a package name, found \"==1.0\""),
        new FieldViolation(CONDA,
            "line 2: dependencies: expected a list, found the string \"python=3.10\""),
        new FieldViolation(PYTHON_ENV,
            "line 2: build_dependencies: expected a list, found a mapping"));
  }

  @Test
  void severalBadLinesInOneFile_areEachReported() {
    assertThat(Fixtures.violations(requirements("numpy===\npandas\n-x\n")))
        .extracting(FieldViolation::description)
        .containsExactly("line 1: expected a version after \"===\"", "line 3: unknown option \"-x\"");
  }

  @Test
  void badSignaturePartsAndBadKeys_areEachReported() {
    String mlmodel = """
        model_size_bytes: many
        signature:
          inputs: '[{"type": "doubel"}]'
          outputs: 'not json'
        """;

    assertThat(Fixtures.violations(mlmodel(mlmodel))).extracting(FieldViolation::description)
        .satisfiesExactly(
            d -> assertThat(d).startsWith("line 1: model_size_bytes:"),
            d -> assertThat(d).startsWith("line 3: signature.inputs[0]: unknown type \"doubel\""),
            d -> assertThat(d).startsWith("line 4: signature.outputs: not valid JSON"));
  }

  @Test
  void aliasBomb_isRejectedWithoutExpanding() {
    StringBuilder yaml = new StringBuilder("flavors: {}\nl0: &l0 [lol, lol, lol, lol, lol, lol]\n");
    for (int level = 1; level <= 60; level++) {
      String previous = "*l" + (level - 1);
      yaml.append("l").append(level).append(": &l").append(level).append(" [")
          .append(String.join(", ", previous, previous, previous, previous, previous, previous))
          .append("]\n");
    }

    assertThat(Fixtures.violations(mlmodel(yaml.toString()))).containsExactly(new FieldViolation(
        MLMODEL, "invalid YAML: Number of aliases for non-scalar nodes exceeds the specified max=50"));
  }

  @Test
  void aliasesOfALargeList_stopAtTheValueLimit() {
    String yaml = "flavors: {}\nrows: &rows [" + "1,".repeat(20_000) + "1]\n"
        + "copies: [*rows, *rows, *rows, *rows, *rows, *rows]\n";

    assertThat(Fixtures.violations(mlmodel(yaml))).containsExactly(new FieldViolation(MLMODEL,
        "line 2: copies[3][19990]: more than 100000 values, counting each use of an alias"));
  }

  @Test
  void fileOverFourMebibytes_isRejectedEvenWhenItIsAllComments() {
    String huge = "flavors: {}\n" + "# 0123456789abcdef0123456789abcdef0123456789abcdef\n".repeat(85_000);

    assertThat(Fixtures.violations(mlmodel(huge))).containsExactly(new FieldViolation(MLMODEL,
        "the file has 4335012 characters; the limit is 4194304 (4 MiB)"));
  }
}
