package io.gantry.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.policy.Candidate;
import io.gantry.policy.DataType.ArrayType;
import io.gantry.policy.DataType.MapType;
import io.gantry.policy.DataType.ObjectType;
import io.gantry.policy.DataType.Property;
import io.gantry.policy.DataType.Scalar;
import io.gantry.policy.DataType;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PromotionRequest;
import io.gantry.policy.Requirement;
import io.gantry.policy.Signature.ColumnSpec;
import io.gantry.policy.Signature.ParamSpec;
import io.gantry.policy.Signature.Schema;
import io.gantry.policy.Signature.TensorSpec;
import io.gantry.policy.Signature;
import io.gantry.policy.Verdict;
import io.gantry.policy.VersionStatus;
import io.gantry.server.mlflow.MlflowMetadata;
import io.gantry.server.version.Version;
import io.gantry.v1.MlflowFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CandidateMapperTest {

  private static final String SOURCE = "s3://models/wine-quality/3";
  private static final String DESCRIPTION = "ElasticNet on the red wine set";
  private static final Map<String, String> TAGS = Map.of("data_version", "2024-06", "team", "quality");
  private static final OffsetDateTime REGISTERED = OffsetDateTime.parse("2024-06-05T02:00:00Z");
  private static final Instant NOW = Instant.parse("2024-06-06T09:00:00Z");

  private static final MlflowFiles WINE = mlmodel("sklearn-wine_mlflow-2.13.1.MLmodel");

  @Test
  void candidate_carriesTheVersionsIdentity_statusAuthorAndTags() {
    Candidate candidate = CandidateMapper.toCandidate(version(WINE));

    assertThat(candidate.model()).isEqualTo("wine-quality");
    assertThat(candidate.version()).isEqualTo(3);
    assertThat(candidate.status()).isEqualTo(VersionStatus.READY);
    assertThat(candidate.createdBy()).isEqualTo("alice");
    assertThat(candidate.tags()).isEqualTo(TAGS);
  }

  @Test
  void columnSignature_keepsEveryColumnInOrder_withItsTypeAndRequiredFlag() {
    Signature signature = CandidateMapper.toCandidate(version(WINE)).signature().orElseThrow();

    List<ColumnSpec> inputs = ((Schema.Columns) signature.inputs()).columns();
    assertThat(inputs).hasSize(11);
    assertThat(inputs.get(0)).isEqualTo(new ColumnSpec("fixed_acidity", Scalar.DOUBLE, true));
    assertThat(inputs.get(10)).isEqualTo(new ColumnSpec("alcohol", Scalar.DOUBLE, true));
    assertThat(signature.outputs())
        .isEqualTo(new Schema.Tensors(List.of(new TensorSpec("", "float64", List.of(-1L)))));
    assertThat(signature.params()).isEmpty();
  }

  @Test
  void nestedColumnType_becomesArrayOfObject_andAnUnnamedColumnIsCalledByItsPosition() {
    Signature signature = CandidateMapper.toCandidate(
        version(mlmodel("langchain_mlflow-2.12.2.MLmodel"))).signature().orElseThrow();

    DataType message = new ObjectType(List.of(
        new Property("content", Scalar.STRING, true), new Property("role", Scalar.STRING, true)));
    assertThat(signature.inputs())
        .isEqualTo(new Schema.Columns(List.of(new ColumnSpec("messages", new ArrayType(message), true))));
    assertThat(signature.outputs())
        .isEqualTo(new Schema.Columns(List.of(new ColumnSpec("0", Scalar.STRING, true))));
  }

  @Test
  void mapColumn_andOptionalObjectProperty_comeThrough() {
    String mlmodel = "flavors: {}\nsignature:\n"
        + "  inputs: '[{\"type\": \"map\", \"values\": {\"type\": \"double\"}, \"name\": \"features\","
        + " \"required\": true}, {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"long\","
        + " \"required\": true}, \"note\": {\"type\": \"string\", \"required\": false}}, \"name\": \"meta\","
        + " \"required\": false}]'\n";

    Signature signature = CandidateMapper.toCandidate(
        version(MlflowFiles.newBuilder().setMlmodel(mlmodel).build())).signature().orElseThrow();

    List<ColumnSpec> inputs = ((Schema.Columns) signature.inputs()).columns();
    assertThat(inputs).containsExactly(
        new ColumnSpec("features", new MapType(Scalar.DOUBLE), true),
        new ColumnSpec("meta", new ObjectType(List.of(
            new Property("id", Scalar.LONG, true), new Property("note", Scalar.STRING, false))), false));
    assertThat(inputs.get(1).type().describe()).isEqualTo("object{id: long, note?: string}");
    assertThat(signature.outputs()).isEqualTo(new Schema.Columns(List.of()));
  }

  @Test
  void tensorSignature_keepsNamesDtypesAndShapes_andParamsKeepTheirDefaults() {
    Signature signature = CandidateMapper.toCandidate(
        version(mlmodel("pytorch_tensor-signature.MLmodel"))).signature().orElseThrow();

    assertThat(signature.inputs()).isEqualTo(new Schema.Tensors(List.of(
        new TensorSpec("pixel_values", "float32", List.of(-1L, 3L, 224L, 224L)),
        new TensorSpec("labels", "int64", List.of(-1L)))));
    assertThat(signature.outputs()).isEqualTo(new Schema.Tensors(List.of(
        new TensorSpec("logits", "float32", List.of(-1L, 1000L)))));
    assertThat(signature.params()).containsExactly(
        new ParamSpec("top_k", Scalar.LONG, Optional.of(5L), List.of()),
        new ParamSpec("temperature", Scalar.FLOAT, Optional.of(1.0), List.of()),
        new ParamSpec("class_ids", Scalar.LONG, Optional.of(List.of(0L, 1L)), List.of(-1L)));
  }

  @Test
  void paramWithANullDefault_hasNoDefault() {
    Signature signature = CandidateMapper.toCandidate(
        version(mlmodel("transformers_params.MLmodel"))).signature().orElseThrow();

    assertThat(signature.params()).containsExactly(
        new ParamSpec("max_new_tokens", Scalar.LONG, Optional.of(256L), List.of()),
        new ParamSpec("repetition_penalty", Scalar.DOUBLE, Optional.of(1.15), List.of()),
        new ParamSpec("return_full_text", Scalar.BOOLEAN, Optional.of(false), List.of()),
        new ParamSpec("stop", Scalar.STRING, Optional.empty(), List.of(-1L)));
  }

  @Test
  void columnWrittenBeforeRequiredExisted_isRequired() {
    Signature signature = CandidateMapper.toCandidate(
        version(mlmodel("ui-fixture_tensor-output_mlflow-2.7.1.MLmodel"))).signature().orElseThrow();

    assertThat(signature.inputs())
        .isEqualTo(new Schema.Columns(List.of(new ColumnSpec("test_model_input", Scalar.DOUBLE, true))));
    assertThat(signature.outputs()).isEqualTo(new Schema.Tensors(List.of(
        new TensorSpec("test_model_output", "float64", List.of(-1L)))));
  }

  @Test
  void modelLoggedWithoutSignature_hasNoSignature() {
    assertThat(CandidateMapper.toCandidate(version(mlmodel("sklearn_mlflow-1.30.1.MLmodel"))).signature())
        .isEmpty();
    assertThat(CandidateMapper.toCandidate(version(MlflowFiles.getDefaultInstance())).signature()).isEmpty();
  }

  @Test
  void rangeRequirement_isNotPinned_andKeepsItsLineAndLineNumber_whilePinnedOneIs() {
    String requirementsTxt = "# serving\nscikit-learn>=1.0  # any 1.x will do\npandas==2.2.2\n";

    List<Requirement> requirements = CandidateMapper.toCandidate(
        version(MlflowFiles.newBuilder().setRequirementsTxt(requirementsTxt).build())).requirements();

    assertThat(requirements).containsExactly(
        new Requirement("scikit-learn", ">=1.0", false, "scikit-learn>=1.0", 2, "requirements.txt"),
        new Requirement("pandas", "==2.2.2", true, "pandas==2.2.2", 3, "requirements.txt"));
  }

  @Test
  void arbitraryEquality_isNotCountedAsPinnedWithDoubleEquals() {
    List<Requirement> requirements = CandidateMapper.toCandidate(version(
        MlflowFiles.newBuilder().setRequirementsTxt("legacy-tool===1.0-custom\n").build())).requirements();

    assertThat(requirements).singleElement().extracting(Requirement::pinned).isEqualTo(false);
  }

  @Test
  void urlAndEditableRequirements_areNotPinned_whileOptionsAndFileReferencesAreLeftOut() {
    MlflowFiles files = MlflowFiles.newBuilder()
        .setRequirementsTxt(text("env/pip-compile-style.requirements.txt")).build();

    List<Requirement> requirements = CandidateMapper.toCandidate(version(files)).requirements();

    assertThat(requirements)
        .extracting(Requirement::name, Requirement::specifier, Requirement::pinned, Requirement::lineNumber)
        .containsExactly(
            tuple("certifi", "==2024.7.4", true, 10),
            tuple("mlflow", ">=2.14,<3", false, 14),
            tuple("numpy", "==1.26.4", true, 15),
            tuple("torch", "==2.3.1+cu121", true, 16),
            tuple("typing-extensions", "~=4.12", false, 17),
            tuple("featurestore", "", false, 18),
            tuple("./libs/preprocessing", "", false, 21));
    assertThat(requirements.get(5).line())
        .isEqualTo("featurestore @ git+https://github.com/example/featurestore.git@v0.4.2");
    assertThat(requirements.get(6).line()).isEqualTo("-e ./libs/preprocessing");
  }

  @Test
  void requirementsOfEveryEnvironmentFile_citeTheirFileAndLine_andCondaPackagesAreLeftOut() {
    MlflowFiles files = MlflowFiles.newBuilder()
        .setRequirementsTxt(text("env/sklearn_mlflow-1.30.1.requirements.txt"))
        .setCondaYaml(text("env/sklearn_mlflow-1.30.1.conda.yaml"))
        .setPythonEnvYaml(text("env/sklearn_mlflow-1.30.1.python_env.yaml"))
        .build();

    List<Requirement> requirements = CandidateMapper.toCandidate(version(files)).requirements();

    assertThat(requirements)
        .extracting(Requirement::location, Requirement::line, Requirement::pinned)
        .containsExactly(
            tuple("requirements.txt:1", "mlflow", false),
            tuple("requirements.txt:2", "cloudpickle==2.2.1", true),
            tuple("requirements.txt:3", "scikit-learn==1.5.2", true),
            tuple("conda.yaml:7", "mlflow", false),
            tuple("conda.yaml:8", "cloudpickle==2.2.1", true),
            tuple("conda.yaml:9", "scikit-learn==1.5.2", true),
            tuple("python_env.yaml:3", "pip==23.0.1", true),
            tuple("python_env.yaml:4", "setuptools==58.1.0", true),
            tuple("python_env.yaml:5", "wheel==0.42.0", true));
  }

  @Test
  void metrics_andDatasetDigests_arePerDataset() {
    Map<String, Version.LatestMetrics> metrics = Map.of(
        "test", new Version.LatestMetrics("sha256:9f2c", Map.of("rmse", 0.71, "r2", 0.32), REGISTERED),
        "holdout", new Version.LatestMetrics("", Map.of("rmse", 0.78), REGISTERED));

    Candidate candidate = CandidateMapper.toCandidate(version(3, WINE, SOURCE, DESCRIPTION, TAGS, metrics));

    assertThat(candidate.metrics())
        .isEqualTo(Map.of("test", Map.of("rmse", 0.71, "r2", 0.32), "holdout", Map.of("rmse", 0.78)));
    assertThat(candidate.metric("holdout", "rmse")).contains(0.78);
    // An evaluation reported without a digest has none to compare.
    assertThat(candidate.datasetDigests()).isEqualTo(Map.of("test", "sha256:9f2c"));
  }

  @Test
  void contentDigest_isTheCandidatesDigest_andStableForEqualVersions() {
    String digest = CandidateMapper.contentDigest(version(WINE));

    assertThat(digest).matches("sha256:[0-9a-f]{64}");
    assertThat(CandidateMapper.contentDigest(version(WINE))).isEqualTo(digest);
    assertThat(CandidateMapper.toCandidate(version(WINE)).contentDigest()).isEqualTo(digest);
  }

  @Test
  void contentDigest_changes_whenATagIsEditedOrAdded() {
    String digest = CandidateMapper.contentDigest(version(WINE));
    Map<String, String> edited = Map.of("data_version", "2024-07", "team", "quality");
    Map<String, String> added = Map.of("data_version", "2024-06", "team", "quality", "reviewed", "yes");

    assertThat(CandidateMapper.contentDigest(version(3, WINE, SOURCE, DESCRIPTION, edited, Map.of())))
        .isNotEqualTo(digest);
    assertThat(CandidateMapper.contentDigest(version(3, WINE, SOURCE, DESCRIPTION, added, Map.of())))
        .isNotEqualTo(digest);
  }

  @Test
  void contentDigest_changes_whenTheSourceOrAFileChanges() {
    String digest = CandidateMapper.contentDigest(version(WINE));

    assertThat(CandidateMapper.contentDigest(version(3, WINE, SOURCE + "-retrained", DESCRIPTION, TAGS, Map.of())))
        .isNotEqualTo(digest);
    assertThat(CandidateMapper.contentDigest(
        version(WINE.toBuilder().setRequirementsTxt("scikit-learn==1.3.0\n").build())))
        .isNotEqualTo(digest);
  }

  @Test
  void contentDigest_ignoresDescriptionAndMetrics() {
    String digest = CandidateMapper.contentDigest(version(WINE));
    Map<String, Version.LatestMetrics> metrics =
        Map.of("test", new Version.LatestMetrics("sha256:9f2c", Map.of("rmse", 0.71), REGISTERED));

    assertThat(CandidateMapper.contentDigest(version(3, WINE, SOURCE, "now with a longer story", TAGS, metrics)))
        .isEqualTo(digest);
  }

  @Test
  void contentDigest_tellsApartFieldsThatWouldConcatenateAlike() {
    assertThat(CandidateMapper.contentDigest(version(3, WINE, SOURCE, DESCRIPTION, Map.of("ab", "c"), Map.of())))
        .isNotEqualTo(CandidateMapper.contentDigest(
            version(3, WINE, SOURCE, DESCRIPTION, Map.of("a", "bc"), Map.of())));
  }

  @Test
  void dependenciesPinnedPolicy_refusesEachUnpinnedLine_byFileAndLine() {
    Version unpinned = version(MlflowFiles.newBuilder()
        .setRequirementsTxt(text("env/sklearn_mlflow-1.30.1.requirements.txt"))
        .setCondaYaml(text("env/sklearn_mlflow-1.30.1.conda.yaml"))
        .build());
    Version pinned = version(MlflowFiles.newBuilder()
        .setRequirementsTxt(text("env/pyfunc_mlflow-2.8.1.requirements.txt"))
        .setCondaYaml(text("env/pyfunc_mlflow-2.8.1.conda.yaml"))
        .build());

    Verdict refused = evaluate("dependencies-pinned", unpinned, Optional.empty());
    Verdict passed = evaluate("dependencies-pinned", pinned, Optional.empty());

    assertThat(refused.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(refused.message()).isEqualTo("wine-quality/3: requirements.txt:1 'mlflow' is not pinned with ==; "
        + "conda.yaml:7 'mlflow' is not pinned with ==");
    assertThat(passed.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void signatureCompatiblePolicy_refusesACandidateDroppingAColumnTheHolderTakes() {
    Version completion = version(3, mlmodel("transformers_params.MLmodel"), SOURCE, DESCRIPTION, TAGS, Map.of());
    Version chat = version(4, mlmodel("langchain_mlflow-2.12.2.MLmodel"), SOURCE, DESCRIPTION, TAGS, Map.of());

    Verdict refused = evaluate("signature-compatible", chat, Optional.of(completion));
    Verdict passed = evaluate("signature-compatible", version(4, WINE, SOURCE, DESCRIPTION, TAGS, Map.of()),
        Optional.of(version(WINE)));

    assertThat(refused.outcome()).isEqualTo(Outcome.FAIL);
    // Both outputs are one unnamed string column: called "0" alike, they match, so only the input is cited.
    assertThat(refused.message()).isEqualTo("wine-quality/4 is not compatible with the current champion "
        + "wine-quality/3: drops input column 'prompt' (string); adds required input column 'messages' "
        + "(array<object{content: string, role: string}>)");
    assertThat(passed.outcome()).isEqualTo(Outcome.PASS);
  }

  private static Verdict evaluate(String policyType, Version candidate, Optional<Version> current) {
    PolicyInput input = new PolicyInput(
        CandidateMapper.toCandidate(candidate),
        current.map(CandidateMapper::toCandidate),
        new PromotionRequest("bob", "champion", "", NOW),
        List.of(),
        List.of(),
        NOW);
    return Policies.discover().create(policyType, Map.of()).evaluate(input);
  }

  private static Version version(MlflowFiles files) {
    return version(3, files, SOURCE, DESCRIPTION, TAGS, Map.of());
  }

  /** A stored version of wine-quality, its MLflow files read the way registration reads them. */
  private static Version version(int number, MlflowFiles files, String source, String description,
      Map<String, String> tags, Map<String, Version.LatestMetrics> metrics) {
    MlflowMetadata.Parsed parsed = MlflowMetadata.parse(files);
    return new Version(17, "wine-quality", number, Version.Status.READY, source,
        "6222162b4c7f47c2820a7e5b520f65a9", "https://mlflow.example/#/experiments/1/runs/6222162b", "",
        description, tags, files, parsed.mlmodel(), parsed.dependencies(), metrics,
        REGISTERED, REGISTERED, "alice", "alice", 1, false, Optional.empty(), "");
  }

  private static MlflowFiles mlmodel(String fixture) {
    return MlflowFiles.newBuilder().setMlmodel(text("mlmodel/" + fixture)).build();
  }

  private static String text(String path) {
    try (InputStream in = CandidateMapperTest.class.getResourceAsStream("/mlflow/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource mlflow/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
