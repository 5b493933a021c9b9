package io.gantry.server.mlflow;

import io.gantry.server.error.FieldViolation;
import io.gantry.server.error.GantryException;
import io.gantry.v1.Dependencies;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.Requirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/** Reads the MLflow files registered with a model version into their gantry.v1 form. */
public final class MlflowMetadata {

  static final String MLMODEL_FIELD = "model_version.files.mlmodel";
  static final String REQUIREMENTS_FIELD = "model_version.files.requirements_txt";
  static final String CONDA_FIELD = "model_version.files.conda_yaml";
  static final String PYTHON_ENV_FIELD = "model_version.files.python_env_yaml";

  private MlflowMetadata() {}

  /**
   * Parses the MLflow files of a version. Empty strings mean "file not registered".
   *
   * @throws GantryException {@code INVALID_FIELD} with one violation per problem found, in every
   *     malformed file
   */
  public static Parsed parse(MlflowFiles files) {
    List<FieldViolation> violations = new ArrayList<>();
    Optional<MlModel> mlmodel =
        Optional.ofNullable(read(files.getMlmodel(), MLMODEL_FIELD, MlmodelFile::parse, violations));
    Dependencies.Builder dependencies = Dependencies.newBuilder();
    List<Requirement> requirements =
        read(files.getRequirementsTxt(), REQUIREMENTS_FIELD, PipRequirements::parseFile, violations);
    if (requirements != null) {
      dependencies.addAllRequirements(requirements);
    }
    Optional.ofNullable(read(files.getCondaYaml(), CONDA_FIELD, CondaFile::parse, violations))
        .ifPresent(dependencies::setConda);
    Optional.ofNullable(
            read(files.getPythonEnvYaml(), PYTHON_ENV_FIELD, PythonEnvFile::parse, violations))
        .ifPresent(dependencies::setPythonEnv);
    if (!violations.isEmpty()) {
      throw GantryException.invalid(violations);
    }
    return new Parsed(mlmodel, dependencies.build());
  }

  private static <T> T read(
      String text,
      String field,
      BiFunction<String, List<Malformed>, T> parser,
      List<FieldViolation> violations) {
    if (text.isEmpty()) {
      return null;
    }
    List<Malformed> problems = new ArrayList<>();
    T parsed = parser.apply(text, problems);
    for (Malformed problem : problems) {
      violations.add(
          problem.line() > 0
              ? FieldViolation.atLine(field, problem.line(), problem.getMessage())
              : new FieldViolation(field, problem.getMessage()));
    }
    return parsed;
  }

  /**
   * The structured reading of a version's MLflow files.
   *
   * @param mlmodel empty when no MLmodel file was registered
   * @param dependencies what requirements.txt, conda.yaml and python_env.yaml declare
   */
  public record Parsed(Optional<MlModel> mlmodel, Dependencies dependencies) {}
}
