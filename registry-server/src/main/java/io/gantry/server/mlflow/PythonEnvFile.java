package io.gantry.server.mlflow;

import io.gantry.v1.PythonEnvironment;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/** Reads a python_env.yaml: the Python version and the pip requirements of a virtualenv. */
final class PythonEnvFile {

  private PythonEnvFile() {}

  /** Returns null when the file is not a YAML mapping. */
  static PythonEnvironment parse(String text, List<Malformed> problems) {
    YamlDocument.Root root = YamlDocument.root(text, problems);
    if (root == null) {
      return null;
    }
    PythonEnvironment.Builder environment = PythonEnvironment.newBuilder();
    for (var entry : root.entries().entrySet()) {
      String key = entry.getKey();
      Node value = entry.getValue().getValueNode();
      try {
        switch (key) {
          // The text as written: YAML reads "python: 3.10" as the number 3.1.
          case "python" -> environment.setPython(YamlDocument.text(value, key));
          case "build_dependencies" -> environment.addAllBuildDependencies(
              PipRequirements.parseList(value, key, problems));
          case "dependencies" -> environment.addAllDependencies(
              PipRequirements.parseList(value, key, problems));
          // MLflow builds its _PythonEnv from exactly these keys and fails on any other.
          default -> throw new Malformed(YamlDocument.line(entry.getValue().getKeyNode()),
              "unknown key \"" + key + "\"; expected python, build_dependencies or dependencies");
        }
      } catch (Malformed e) {
        problems.add(e);
      }
    }
    return environment.build();
  }
}
