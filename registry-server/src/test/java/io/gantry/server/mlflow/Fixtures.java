package io.gantry.server.mlflow;

import io.gantry.server.error.FieldViolation;
import io.gantry.server.error.GantryException;
import io.gantry.v1.MlflowFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.Assertions;

/** Test data under src/test/resources/mlflow and shortcuts into {@link MlflowMetadata}. */
final class Fixtures {

  private Fixtures() {}

  static String text(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/mlflow/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource mlflow/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MlflowMetadata.Parsed parse(MlflowFiles.Builder files) {
    return MlflowMetadata.parse(files.build());
  }

  /** The violations parsing {@code files} fails with. */
  static List<FieldViolation> violations(MlflowFiles.Builder files) {
    GantryException failure =
        Assertions.catchThrowableOfType(GantryException.class, () -> parse(files));
    Assertions.assertThat(failure).as("parsing fails with a GantryException").isNotNull();
    return failure.violations();
  }
}
