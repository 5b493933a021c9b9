package io.gantry.client;

import io.gantry.v1.MlflowFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the metadata files of an MLflow model directory, as written, for {@code ModelVersion.files}. */
public final class MlflowModelDirectory {

  public static final String MLMODEL = "MLmodel";
  public static final String REQUIREMENTS_TXT = "requirements.txt";
  public static final String CONDA_YAML = "conda.yaml";
  public static final String PYTHON_ENV_YAML = "python_env.yaml";

  private MlflowModelDirectory() {}

  /**
   * Reads {@code MLmodel} (required) and whichever of {@code requirements.txt}, {@code conda.yaml}
   * and {@code python_env.yaml} exist.
   *
   * @throws IllegalArgumentException if {@code directory} is not a directory, has no {@code MLmodel},
   *     or holds a file that is not UTF-8 text
   */
  public static MlflowFiles read(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("not a directory: " + directory);
    }
    Path mlmodel = directory.resolve(MLMODEL);
    if (!Files.isRegularFile(mlmodel)) {
      throw new IllegalArgumentException("no " + MLMODEL + " file in " + directory + ": not an MLflow model directory");
    }
    return MlflowFiles.newBuilder()
        .setMlmodel(readText(mlmodel))
        .setRequirementsTxt(readIfPresent(directory.resolve(REQUIREMENTS_TXT)))
        .setCondaYaml(readIfPresent(directory.resolve(CONDA_YAML)))
        .setPythonEnvYaml(readIfPresent(directory.resolve(PYTHON_ENV_YAML)))
        .build();
  }

  private static String readIfPresent(Path file) throws IOException {
    return Files.isRegularFile(file) ? readText(file) : "";
  }

  private static String readText(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + " is not UTF-8 text", e);
    }
  }
}
