package io.gantry.server.promotion;

import com.google.protobuf.Value;
import io.gantry.policy.ArtifactCheck;
import io.gantry.policy.Candidate;
import io.gantry.policy.DataType;
import io.gantry.policy.Requirement;
import io.gantry.policy.Signature;
import io.gantry.policy.VersionStatus;
import io.gantry.server.common.Digests;
import io.gantry.server.version.Version;
import io.gantry.v1.ColSpec;
import io.gantry.v1.ColumnType;
import io.gantry.v1.Dependencies;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelSignature;
import io.gantry.v1.PinState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Turns a version as the registry stores it into the {@link Candidate} the promotion policies decide on. */
public final class CandidateMapper {

  private static final String REQUIREMENTS_TXT = "requirements.txt";
  private static final String CONDA_YAML = "conda.yaml";
  private static final String PYTHON_ENV_YAML = "python_env.yaml";

  // Names the encoding inside the digested bytes, so a later encoding can never produce the same digest.
  private static final String METADATA_ENCODING = "gantry.version-metadata.v1";

  private CandidateMapper() {}

  /** The policies' view of {@code version}: its signature, metrics and requirements, and its content digest. */
  public static Candidate toCandidate(Version version) {
    return toCandidate(version, Optional.empty());
  }

  /** The candidate with the registry's re-reading of its stored files, for policies that ask for one. */
  public static Candidate toCandidate(Version version, Optional<ArtifactCheck> artifactCheck) {
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    Map<String, String> datasetDigests = new LinkedHashMap<>();
    version.metrics().forEach((dataset, latest) -> {
      metrics.put(dataset, latest.metrics());
      // An evaluation reported without a digest stores ""; that is no digest, so the dataset has none here.
      if (!latest.datasetDigest().isEmpty()) {
        datasetDigests.put(dataset, latest.datasetDigest());
      }
    });
    return new Candidate(
        version.modelId(),
        version.version(),
        status(version.status()),
        version.createdBy(),
        version.tags(),
        version.mlmodel().filter(MlModel::hasSignature).map(mlmodel -> signature(mlmodel.getSignature())),
        metrics,
        datasetDigests,
        requirements(version.dependencies()),
        contentDigest(version),
        artifactCheck);
  }

  /**
   * The digest that identifies the version's content, {@code sha256:<hex>}: an approval is given for one digest
   * and stops counting when it changes. A version whose files the registry holds is identified by its manifest
   * digest once finalized. A version with only a {@code source} (MLflow style) is identified by this metadata
   * digest instead.
   *
   * <p>It covers the model name, version number, source, run id, run link, the four MLflow files as registered
   * and the tags. Tags are included because they are mutable and approval-relevant: an approval given while
   * {@code data_version} said one thing must not count after someone edits it. The description is not, because
   * it is prose; nor are metrics, because the policies re-check them when the promotion is applied.
   *
   * <p>The digested bytes are a sequence of fields, each its UTF-8 length as a 4-byte big-endian integer and then
   * its UTF-8 bytes: the encoding's name, the nine fields above in that order (the version number in decimal),
   * then each tag's key and value, sorted by key. Every field carries its length, so no two different versions
   * encode alike.
   */
  public static String contentDigest(Version version) {
    if (version.manifestDigest().isPresent()) {
      return version.manifestDigest().get();
    }
    MlflowFiles files = version.files();
    List<String> fields = new ArrayList<>(List.of(
        METADATA_ENCODING,
        version.modelId(),
        Integer.toString(version.version()),
        version.source(),
        version.runId(),
        version.runLink(),
        files.getMlmodel(),
        files.getRequirementsTxt(),
        files.getCondaYaml(),
        files.getPythonEnvYaml()));
    new TreeMap<>(version.tags()).forEach((key, value) -> {
      fields.add(key);
      fields.add(value);
    });
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    for (String field : fields) {
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      encoded.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      encoded.writeBytes(bytes);
    }
    return "sha256:" + HexFormat.of().formatHex(Digests.sha256(encoded.toByteArray()));
  }

  private static VersionStatus status(Version.Status status) {
    return switch (status) {
      case PENDING_UPLOAD -> VersionStatus.PENDING_UPLOAD;
      case READY -> VersionStatus.READY;
      case FAILED -> VersionStatus.FAILED;
      case ARCHIVED -> VersionStatus.ARCHIVED;
    };
  }

  private static Signature signature(ModelSignature signature) {
    return new Signature(
        schema(signature.getInputs()),
        // An absent schema reads as the empty message, so outputs logged without a schema become no columns.
        schema(signature.getOutputs()),
        signature.getParams().getParamsList().stream().map(CandidateMapper::param).toList());
  }

  private static Signature.Schema schema(io.gantry.v1.Schema schema) {
    if (schema.getTensorsCount() > 0) {
      return new Signature.Schema.Tensors(schema.getTensorsList().stream()
          .map(tensor -> new Signature.TensorSpec(tensor.getName(), tensor.getDtype(), tensor.getShapeList()))
          .toList());
    }
    List<Signature.ColumnSpec> columns = new ArrayList<>();
    for (int i = 0; i < schema.getColumnsCount(); i++) {
      ColSpec column = schema.getColumns(i);
      // MLflow calls an unnamed column by its position (Schema.input_names), as the DataFrame it builds does.
      String name = column.hasName() ? column.getName() : Integer.toString(i);
      columns.add(new Signature.ColumnSpec(name, dataType(column.getType()), column.getRequired()));
    }
    return new Signature.Schema.Columns(columns);
  }

  private static DataType dataType(ColumnType type) {
    return switch (type.getKindCase()) {
      case PRIMITIVE -> scalar(type.getPrimitive());
      case ARRAY -> new DataType.ArrayType(dataType(type.getArray().getItems()));
      case OBJECT -> new DataType.ObjectType(type.getObject().getPropertiesList().stream()
          .map(property -> new DataType.Property(property.getName(), dataType(property.getType()),
              property.getRequired()))
          .toList());
      case MAP -> new DataType.MapType(dataType(type.getMap().getValues()));
      case KIND_NOT_SET -> throw new IllegalStateException("a stored signature column type has no kind");
    };
  }

  private static DataType.Scalar scalar(io.gantry.v1.DataType type) {
    return switch (type) {
      case DATA_TYPE_BOOLEAN -> DataType.Scalar.BOOLEAN;
      case DATA_TYPE_INTEGER -> DataType.Scalar.INTEGER;
      case DATA_TYPE_LONG -> DataType.Scalar.LONG;
      case DATA_TYPE_FLOAT -> DataType.Scalar.FLOAT;
      case DATA_TYPE_DOUBLE -> DataType.Scalar.DOUBLE;
      case DATA_TYPE_STRING -> DataType.Scalar.STRING;
      case DATA_TYPE_BINARY -> DataType.Scalar.BINARY;
      case DATA_TYPE_DATETIME -> DataType.Scalar.DATETIME;
      case DATA_TYPE_ANY -> DataType.Scalar.ANY;
      case DATA_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalStateException("a stored signature names no known data type: " + type);
    };
  }

  private static Signature.ParamSpec param(io.gantry.v1.ParamSpec param) {
    DataType.Scalar type = scalar(param.getType());
    return new Signature.ParamSpec(param.getName(), type,
        Optional.ofNullable(value(param.getDefaultValue(), type)), param.getShapeList());
  }

  /** A default value as MLflow wrote it; null for {@code null}. */
  private static Object value(Value value, DataType.Scalar type) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> number(value.getNumberValue(), type);
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case LIST_VALUE -> value.getListValue().getValuesList().stream().map(item -> value(item, type)).toList();
      case STRUCT_VALUE -> {
        Map<String, Object> fields = new TreeMap<>();
        value.getStructValue().getFieldsMap().forEach((key, field) -> fields.put(key, value(field, type)));
        yield fields;
      }
      case NULL_VALUE, KIND_NOT_SET -> null;
    };
  }

  // Protobuf keeps every JSON number as a double; an integer parameter's default was written as a whole number.
  private static Object number(double number, DataType.Scalar type) {
    boolean integral = type == DataType.Scalar.INTEGER || type == DataType.Scalar.LONG;
    return integral && number == Math.rint(number) && !Double.isInfinite(number) ? (Object) (long) number : number;
  }

  /**
   * The pip requirements of requirements.txt, the pip section of conda.yaml and python_env.yaml (both its lists),
   * each file in line order. Conda packages are not pip requirements and are left out.
   */
  private static List<Requirement> requirements(Dependencies dependencies) {
    Stream<io.gantry.v1.Requirement> pythonEnv = Stream.concat(
            dependencies.getPythonEnv().getBuildDependenciesList().stream(),
            dependencies.getPythonEnv().getDependenciesList().stream())
        .sorted(Comparator.comparingInt(io.gantry.v1.Requirement::getLine));
    return Stream.of(
            requirements(dependencies.getRequirementsList().stream(), REQUIREMENTS_TXT),
            requirements(dependencies.getConda().getPipList().stream(), CONDA_YAML),
            requirements(pythonEnv, PYTHON_ENV_YAML))
        .flatMap(fromFile -> fromFile)
        .toList();
  }

  private static Stream<Requirement> requirements(Stream<io.gantry.v1.Requirement> lines, String sourceFile) {
    return lines.flatMap(line -> requirement(line, sourceFile).stream());
  }

  /**
   * A package line as a requirement; a URL or editable line as one that is not pinned, because it names no
   * version; an option or a {@code -r}/{@code -c} file reference as none, because it installs nothing itself.
   */
  private static Optional<Requirement> requirement(io.gantry.v1.Requirement line, String sourceFile) {
    return switch (line.getKind()) {
      case REQUIREMENT_KIND_PACKAGE -> Optional.of(new Requirement(line.getName(), line.getSpecifier(),
          pinnedWithDoubleEquals(line), line.getText(), line.getLine(), sourceFile));
      // A bare URL or an editable path names no distribution; the reference is what identifies it.
      case REQUIREMENT_KIND_URL, REQUIREMENT_KIND_EDITABLE -> Optional.of(new Requirement(
          line.getName().isEmpty() ? line.getReference() : line.getName(), "", false, line.getText(),
          line.getLine(), sourceFile));
      case REQUIREMENT_KIND_REQUIREMENTS_FILE, REQUIREMENT_KIND_CONSTRAINTS_FILE, REQUIREMENT_KIND_OPTION,
          REQUIREMENT_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
    };
  }

  /**
   * Pinned as {@link Requirement#pinned()} means it: one {@code ==} clause. The parser also counts {@code ===}
   * (arbitrary equality) as pinned, but the policies read a pin as {@code ==} plus a version and would misread it.
   */
  private static boolean pinnedWithDoubleEquals(io.gantry.v1.Requirement line) {
    return line.getPinState() == PinState.PIN_STATE_PINNED && !line.getSpecifier().startsWith("===");
  }
}
