package io.gantry.client;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Files the tests share, found on the test class path. */
public final class TestFixtures {

  private TestFixtures() {}

  /** A real MLflow 2.8.1 pyfunc model directory: MLmodel, requirements.txt, conda.yaml, python_env.yaml. */
  public static Path mlflowModelDirectory() {
    try {
      return Path.of(TestFixtures.class.getResource("/mlflow-model").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
