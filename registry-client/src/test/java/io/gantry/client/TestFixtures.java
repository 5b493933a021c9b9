package io.gantry.client;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Files the tests share, found on the test class path, and names no other test uses. */
public final class TestFixtures {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private TestFixtures() {}

  /** A real MLflow 2.8.1 pyfunc model directory: MLmodel, requirements.txt, conda.yaml, python_env.yaml. */
  public static Path mlflowModelDirectory() {
    return resource("/mlflow-model");
  }

  /** An MLflow 2.16 scikit-learn model directory with a column signature and every requirement pinned. */
  public static Path nycTaxiModelDirectory() {
    return resource("/nyc-taxi-model");
  }

  /** A registered model as mlflow-export-import exported it from MLflow 2.1.1, with one Production version. */
  public static Path mlflowExport() {
    return resource("/mlflow-registry/exported-registered-model_sklearn_wine.json");
  }

  /** A model id no other test uses, even on a server shared between test classes. */
  public static String uniqueModel(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
  }

  private static Path resource(String name) {
    try {
      return Path.of(TestFixtures.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
