package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/mlflow.md lists as supported or partial exactly the endpoints the gateway serves. */
class MlflowRestDocsTest {

  @Test
  void theEndpointTable_matchesTheGateway() throws Exception {
    Matcher row = Pattern.compile("(?m)^\\| `((?:GET|POST|PATCH|DELETE) [^`]+)` \\| (supported|partial|refused) \\|")
        .matcher(Files.readString(Path.of("..", "docs", "mlflow.md")));
    List<String> served = new ArrayList<>();
    while (row.find()) {
      served.add(row.group(1));
    }
    assertThat(served).containsExactlyInAnyOrderElementsOf(new MlflowRestApi(null, true, null, null).endpoints());
  }
}
