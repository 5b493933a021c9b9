package io.gantry.server.mlflow;

import static io.gantry.v1.PinState.PIN_STATE_NOT_APPLICABLE;
import static io.gantry.v1.PinState.PIN_STATE_PINNED;
import static io.gantry.v1.PinState.PIN_STATE_RANGE;
import static io.gantry.v1.PinState.PIN_STATE_UNPINNED;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_CONSTRAINTS_FILE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_EDITABLE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_OPTION;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_PACKAGE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_REQUIREMENTS_FILE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.v1.MlflowFiles;
import io.gantry.v1.PinState;
import io.gantry.v1.Requirement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipRequirementsTest {

  private static List<Requirement> parse(String requirementsTxt) {
    return Fixtures.parse(MlflowFiles.newBuilder().setRequirementsTxt(requirementsTxt))
        .dependencies().getRequirementsList();
  }

  private static Requirement single(String line) {
    List<Requirement> requirements = parse(line);
    assertThat(requirements).hasSize(1);
    return requirements.get(0);
  }

  @Test
  void requirement_withExtrasAndMarker_isParsed() {
    Requirement requirement =
        single("mlflow[gateway, databricks]>=2.12,<3 ; python_version >= \"3.9\"");

    assertThat(requirement.getKind()).isEqualTo(REQUIREMENT_KIND_PACKAGE);
    assertThat(requirement.getName()).isEqualTo("mlflow");
    assertThat(requirement.getExtrasList()).containsExactly("gateway", "databricks");
    assertThat(requirement.getSpecifier()).isEqualTo(">=2.12,<3");
    assertThat(requirement.getMarker()).isEqualTo("python_version >= \"3.9\"");
    assertThat(requirement.getPinState()).isEqualTo(PIN_STATE_RANGE);
    assertThat(requirement.getLine()).isEqualTo(1);
    assertThat(requirement.getText())
        .isEqualTo("mlflow[gateway, databricks]>=2.12,<3 ; python_version >= \"3.9\"");
  }

  @Test
  void requirement_name_isNormalisedPerPep503() {
    assertThat(single("Scikit_Learn.._Extra == 0.3.0").getName()).isEqualTo("scikit-learn-extra");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      numpy==1.26.4            | PIN_STATE_PINNED   | ==1.26.4
      torch==2.3.1+cu121       | PIN_STATE_PINNED   | ==2.3.1+cu121
      numpy===1.26.4-custom    | PIN_STATE_PINNED   | ===1.26.4-custom
      numpy == 1.26.4          | PIN_STATE_PINNED   | ==1.26.4
      numpy (==1.26.4)         | PIN_STATE_PINNED   | ==1.26.4
      numpy==1.*               | PIN_STATE_RANGE    | ==1.*
      numpy>=1.20              | PIN_STATE_RANGE    | >=1.20
      numpy~=1.26              | PIN_STATE_RANGE    | ~=1.26
      numpy!=1.26.0            | PIN_STATE_RANGE    | !=1.26.0
      numpy==1.26.4,!=1.26.3   | PIN_STATE_RANGE    | ==1.26.4,!=1.26.3
      numpy >= 1.20 , < 2      | PIN_STATE_RANGE    | >=1.20,<2
      numpy                    | PIN_STATE_UNPINNED | ''
      """)
  void requirement_pinState_followsItsSpecifier(String line, PinState pin, String specifier) {
    Requirement requirement = single(line);

    assertThat(requirement.getPinState()).isEqualTo(pin);
    assertThat(requirement.getSpecifier()).isEqualTo(specifier);
    assertThat(requirement.getName()).isEqualTo(line.startsWith("torch") ? "torch" : "numpy");
  }

  @Test
  void requirement_nameAtUrl_isUrlWithName() {
    Requirement requirement =
        single("featurestore[s3] @ https://files.example.com/featurestore-0.4.2-py3-none-any.whl");

    assertThat(requirement.getKind()).isEqualTo(REQUIREMENT_KIND_URL);
    assertThat(requirement.getName()).isEqualTo("featurestore");
    assertThat(requirement.getExtrasList()).containsExactly("s3");
    assertThat(requirement.getReference())
        .isEqualTo("https://files.example.com/featurestore-0.4.2-py3-none-any.whl");
    assertThat(requirement.getPinState()).isEqualTo(PIN_STATE_NOT_APPLICABLE);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      https://files.example.com/pkg-1.0-py3-none-any.whl        | https://files.example.com/pkg-1.0-py3-none-any.whl
      git+https://github.com/example/repo.git@v1.2#egg=repo     | git+https://github.com/example/repo.git@v1.2#egg=repo
      ./libs/preprocessing                                      | ./libs/preprocessing
      pkg-1.0-py3-none-any.whl                                  | pkg-1.0-py3-none-any.whl
      """)
  void requirement_bareUrlOrPath_isUrlWithoutName(String line, String reference) {
    Requirement requirement = single(line);

    assertThat(requirement.getKind()).isEqualTo(REQUIREMENT_KIND_URL);
    assertThat(requirement.getName()).isEmpty();
    assertThat(requirement.getReference()).isEqualTo(reference);
    assertThat(requirement.getPinState()).isEqualTo(PIN_STATE_NOT_APPLICABLE);
  }

  @Test
  void bareUrl_withMarker_keepsSemicolonInsideUrl() {
    Requirement requirement =
        single("https://example.com/get;jsessionid=1/pkg.whl ; sys_platform == \"linux\"");

    assertThat(requirement.getReference()).isEqualTo("https://example.com/get;jsessionid=1/pkg.whl");
    assertThat(requirement.getMarker()).isEqualTo("sys_platform == \"linux\"");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      -r base.txt                            | REQUIREMENT_KIND_REQUIREMENTS_FILE | base.txt
      --requirement=base.txt                 | REQUIREMENT_KIND_REQUIREMENTS_FILE | base.txt
      -rbase.txt                             | REQUIREMENT_KIND_REQUIREMENTS_FILE | base.txt
      -c constraints.txt                     | REQUIREMENT_KIND_CONSTRAINTS_FILE  | constraints.txt
      --constraint constraints.txt           | REQUIREMENT_KIND_CONSTRAINTS_FILE  | constraints.txt
      -e ./libs/preprocessing                | REQUIREMENT_KIND_EDITABLE          | ./libs/preprocessing
      --editable git+https://h/r.git#egg=r   | REQUIREMENT_KIND_EDITABLE          | git+https://h/r.git#egg=r
      --index-url https://pypi.org/simple    | REQUIREMENT_KIND_OPTION            | https://pypi.org/simple
      -f "/srv/my wheels"                    | REQUIREMENT_KIND_OPTION            | /srv/my wheels
      --pre                                  | REQUIREMENT_KIND_OPTION            | ''
      """)
  void optionLine_isKindWithReference(String line, String kind, String reference) {
    Requirement requirement = single(line);

    assertThat(requirement.getKind().name()).isEqualTo(kind);
    assertThat(requirement.getReference()).isEqualTo(reference);
    assertThat(requirement.getName()).isEmpty();
    assertThat(requirement.getPinState()).isEqualTo(PIN_STATE_NOT_APPLICABLE);
    assertThat(requirement.getText()).isEqualTo(line);
  }

  @Test
  void optionLine_withTwoOptions_givesOneEntryEach() {
    List<Requirement> requirements =
        parse("--index-url https://mirror.example.com/simple --trusted-host mirror.example.com");

    assertThat(requirements)
        .extracting(Requirement::getReference, Requirement::getText, Requirement::getLine)
        .containsExactly(
            tuple("https://mirror.example.com/simple",
                "--index-url https://mirror.example.com/simple", 1),
            tuple("mirror.example.com", "--trusted-host mirror.example.com", 1));
  }

  @Test
  void commentsAndBlankLines_areSkippedAndTrailingCommentIsDropped() {
    List<Requirement> requirements = parse("""
        # the model's runtime

        numpy==1.26.4  # pinned by the training image
          \t
        pandas
        """);

    assertThat(requirements)
        .extracting(Requirement::getName, Requirement::getLine, Requirement::getText)
        .containsExactly(tuple("numpy", 3, "numpy==1.26.4"), tuple("pandas", 5, "pandas"));
  }

  @Test
  void continuedLineWithHashes_isOneRequirementAtItsFirstLine() {
    List<Requirement> requirements = parse("""
        certifi==2024.7.4 \\
            --hash=sha256:5a1e7645bc0ec61a09e26c36f6106dd4cf40c6db3a1fb6352b0244e7fb057c7b \\
            --hash=sha384:c198e21b1289c2ab85ee4e67bb4b4ef3ead0892059901a8d5b622f24a1101e90
            # via requests
        idna==3.7
        """);

    assertThat(requirements).hasSize(2);
    Requirement certifi = requirements.get(0);
    assertThat(certifi.getLine()).isEqualTo(1);
    assertThat(certifi.getPinState()).isEqualTo(PIN_STATE_PINNED);
    assertThat(certifi.getHashesList()).containsExactly(
        "sha256:5a1e7645bc0ec61a09e26c36f6106dd4cf40c6db3a1fb6352b0244e7fb057c7b",
        "sha384:c198e21b1289c2ab85ee4e67bb4b4ef3ead0892059901a8d5b622f24a1101e90");
    assertThat(certifi.getText()).startsWith("certifi==2024.7.4     --hash=sha256:5a1e");
    assertThat(requirements.get(1).getLine()).isEqualTo(5);
  }

  @Test
  void windowsLineEndings_countLinesLikePip() {
    assertThat(parse("numpy==1.26.4\r\n\r\npandas==2.2.2\r\n"))
        .extracting(Requirement::getName, Requirement::getLine)
        .containsExactly(tuple("numpy", 1), tuple("pandas", 3));
  }

  @Test
  void sklearnFixture_mlflowIsUnpinnedAndTheRestPinned() {
    assertThat(parse(Fixtures.text("env/sklearn_mlflow-1.30.1.requirements.txt")))
        .extracting(Requirement::getName, Requirement::getSpecifier, Requirement::getPinState,
            Requirement::getLine)
        .containsExactly(
            tuple("mlflow", "", PIN_STATE_UNPINNED, 1),
            tuple("cloudpickle", "==2.2.1", PIN_STATE_PINNED, 2),
            tuple("scikit-learn", "==1.5.2", PIN_STATE_PINNED, 3));
  }

  @Test
  void pyfuncFixture_hasTwoPinnedLines() {
    assertThat(parse(Fixtures.text("env/pyfunc_mlflow-2.8.1.requirements.txt")))
        .extracting(Requirement::getName, Requirement::getSpecifier, Requirement::getPinState)
        .containsExactly(
            tuple("mlflow", "==2.8.1", PIN_STATE_PINNED),
            tuple("cloudpickle", "==2.2.1", PIN_STATE_PINNED));
  }

  @Test
  void langchainFixture_hasTwentyOnePinnedLinesWithExtrasAndDevVersion() {
    List<Requirement> requirements =
        parse(Fixtures.text("env/langchain_mlflow-2.12.2.requirements.txt"));

    assertThat(requirements).hasSize(21);
    assertThat(requirements).allSatisfy(r -> {
      assertThat(r.getKind()).isEqualTo(REQUIREMENT_KIND_PACKAGE);
      assertThat(r.getPinState()).isEqualTo(PIN_STATE_PINNED);
    });
    assertThat(requirements).extracting(Requirement::getLine)
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 21).boxed().toList());
    Requirement mlflow = requirements.get(10);
    assertThat(mlflow.getName()).isEqualTo("mlflow");
    assertThat(mlflow.getExtrasList()).containsExactly("gateway");
    assertThat(mlflow.getSpecifier()).isEqualTo("==2.12.2");
    assertThat(requirements.get(5).getName()).isEqualTo("databricks-rag-studio");
    assertThat(requirements.get(5).getSpecifier()).isEqualTo("==0.2.0.dev0");
  }

  @Test
  void pipCompileStyleFixture_readsOptionsHashesMarkersAndReferences() {
    List<Requirement> requirements =
        parse(Fixtures.text("env/pip-compile-style.requirements.txt"));

    assertThat(requirements)
        .extracting(Requirement::getKind, Requirement::getName, Requirement::getPinState,
            Requirement::getLine)
        .containsExactly(
            tuple(REQUIREMENT_KIND_OPTION, "", PIN_STATE_NOT_APPLICABLE, 7),
            tuple(REQUIREMENT_KIND_OPTION, "", PIN_STATE_NOT_APPLICABLE, 8),
            tuple(REQUIREMENT_KIND_PACKAGE, "certifi", PIN_STATE_PINNED, 10),
            tuple(REQUIREMENT_KIND_PACKAGE, "mlflow", PIN_STATE_RANGE, 14),
            tuple(REQUIREMENT_KIND_PACKAGE, "numpy", PIN_STATE_PINNED, 15),
            tuple(REQUIREMENT_KIND_PACKAGE, "torch", PIN_STATE_PINNED, 16),
            tuple(REQUIREMENT_KIND_PACKAGE, "typing-extensions", PIN_STATE_RANGE, 17),
            tuple(REQUIREMENT_KIND_URL, "featurestore", PIN_STATE_NOT_APPLICABLE, 18),
            tuple(REQUIREMENT_KIND_REQUIREMENTS_FILE, "", PIN_STATE_NOT_APPLICABLE, 19),
            tuple(REQUIREMENT_KIND_CONSTRAINTS_FILE, "", PIN_STATE_NOT_APPLICABLE, 20),
            tuple(REQUIREMENT_KIND_EDITABLE, "", PIN_STATE_NOT_APPLICABLE, 21));
    assertThat(requirements.get(1).getReference())
        .isEqualTo("https://download.pytorch.org/whl/cu121");
    assertThat(requirements.get(2).getHashesCount()).isEqualTo(2);
    assertThat(requirements.get(3).getText()).isEqualTo("mlflow[gateway]>=2.14,<3");
    assertThat(requirements.get(4).getMarker()).isEqualTo("python_version >= \"3.9\"");
    assertThat(requirements.get(7).getReference())
        .isEqualTo("git+https://github.com/example/featurestore.git@v0.4.2");
    assertThat(requirements.get(8).getReference()).isEqualTo("base-requirements.txt");
  }
}
