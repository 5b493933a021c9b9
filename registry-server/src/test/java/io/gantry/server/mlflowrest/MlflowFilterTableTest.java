package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.server.TestRegistry;
import io.gantry.server.mlflowrest.MlflowRestTest.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every row of docs/mlflow.md's filter table over HTTP against two models ({@code fraud}, {@code taxi}) and
 * checks Gantry's answer: what a supported form matches, or the message of a refused one. A row the table gains or
 * loses without this test knowing it fails here too, so the table cannot drift from the code.
 */
class MlflowFilterTableTest {

  private static final Pattern ROW = Pattern.compile(
      "(?m)^\\| (models|versions) \\| `{1,2}(.+?)`{1,2} \\| (supported|refused) \\| (.+) \\|$");
  /** The rows of the table: one dropped (or a row this pattern no longer reads) fails the test. */
  private static final int KNOWN_ROWS = 49;
  private static String prefix;

  @BeforeAll
  static void twoModels() throws Exception {
    prefix = TestRegistry.uniqueModel("table");
    String fraud = prefix + "-fraud";
    String taxi = prefix + "-taxi";
    post("registered-models/create", """
        {"name": "%s", "tags": [{"key": "team", "value": "risk"}, {"key": "my key", "value": "a b"}]}
        """.formatted(fraud));
    post("registered-models/create", """
        {"name": "%s", "tags": [{"key": "team", "value": "ops"}]}""".formatted(taxi));
    post("model-versions/create", """
        {"name": "%s", "source": "s3://ml/%s/1", "run_id": "r1", "tags": [{"key": "data", "value": "jan"}]}
        """.formatted(fraud, fraud));
    post("model-versions/create", """
        {"name": "%s", "source": "s3://ml/%s/2", "run_id": "r2",
         "tags": [{"key": "data", "value": "feb"}, {"key": "my key", "value": "x"}]}""".formatted(fraud, fraud));
    post("model-versions/create", """
        {"name": "%s", "source": "runs:/r3/model", "run_id": "r3"}""".formatted(fraud));
    post("model-versions/create", """
        {"name": "%s", "source": "s3://ml/%s/1", "run_id": "r1", "tags": [{"key": "data", "value": "Jan"}]}
        """.formatted(taxi, taxi));
  }

  @Test
  void everyRowOfTheFilterTable_answersAsItSays() throws Exception {
    Matcher row = ROW.matcher(Files.readString(Path.of("..", "docs", "mlflow.md")));
    List<String> failures = new ArrayList<>();
    int rows = 0;
    while (row.find()) {
      rows++;
      boolean models = row.group(1).equals("models");
      String filter = named(row.group(2).trim());
      String expected = row.group(4).trim();
      Answer answer = search(models, filter, "");
      String outcome;
      if (row.group(3).equals("supported")) {
        outcome = answer.status() == 200 ? String.join(", ", matches(models, filter, answer))
            : answer.status() + " " + answer.body();
        if (!outcome.equals(expected)) {
          failures.add(row.group(2) + ": expected " + expected + ", got " + outcome);
        }
      } else {
        outcome = answer.status() + " " + answer.body().path("error_code").asText() + " "
            + answer.body().path("message").asText();
        if (answer.status() != 400 || !outcome.contains("INVALID_PARAMETER_VALUE")
            || !outcome.contains(named(expected))) {
          failures.add(row.group(2) + ": expected a refusal with '" + expected + "', got " + outcome);
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(rows).as("rows in docs/mlflow.md's filter table").isEqualTo(KNOWN_ROWS);
  }

  /** The fixture's names for {@code fraud} and {@code taxi}, wherever a filter or a message names them. */
  private static String named(String text) {
    return text.replaceAll("(?i)(fraud|taxi)", prefix + "-$1");
  }

  /** Everything the search matches among the fixture's models, as {@code fraud} or {@code fraud/2}, every page. */
  private static List<String> matches(boolean models, String filter, Answer first) throws Exception {
    Map<String, String> found = new TreeMap<>();
    Answer answer = first;
    while (true) {
      for (JsonNode item : answer.body().path(models ? "registered_models" : "model_versions")) {
        String name = item.get("name").asText();
        if (name.startsWith(prefix + "-")) {
          String shortName = name.substring(prefix.length() + 1) + (models ? "" : "/" + item.get("version").asText());
          found.put(shortName, shortName);
        }
      }
      String token = answer.body().path("next_page_token").asText();
      if (token.isEmpty()) {
        return List.copyOf(found.keySet());
      }
      answer = search(models, filter, token);
      assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    }
  }

  private static Answer search(boolean models, String filter, String token) throws Exception {
    return MlflowRestTest.call("GET", "/api/2.0/mlflow/" + (models ? "registered-models" : "model-versions")
        + "/search?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)
        + (models ? "&max_results=1000" : "")
        + (token.isEmpty() ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null, "alice");
  }

  private static void post(String path, String json) throws Exception {
    Answer answer = MlflowRestTest.call("POST", "/api/2.0/mlflow/" + path, json, "alice");
    assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
  }
}
