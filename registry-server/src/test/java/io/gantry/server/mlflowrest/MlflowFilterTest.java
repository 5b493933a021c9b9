package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gantry.server.query.FilterParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How MLflow's filters read in Gantry's filter language, and that no input breaks the translation. */
class MlflowFilterTest {

  @Test
  void values_andKeys_areQuotedSoThatNoInputLeavesItsString() {
    String gantry = MlflowFilter.toGantry(MlflowSearch.MODEL_VERSIONS,
        "tags.`a\"b` = 'x\" OR name LIKE \"%' AND name = \"c\\\\\"");

    assertThat(gantry).isEqualTo("tags.`a\"b` = \"x\\\" OR name LIKE \\\"%\" AND name = \"c\\\\\\\\\"");
    assertThat(FilterParser.parse(gantry)).isPresent();
  }

  @Test
  void aTagsInequality_needsTheTag_asInMlflow() {
    assertThat(MlflowFilter.toGantry(MlflowSearch.REGISTERED_MODELS, "tag.team != 'risk'"))
        .isEqualTo("(tags.`team` LIKE \"%\" AND tags.`team` != \"risk\")");
  }

  @Test
  void anInList_andAVersionNumber_becomeGantrysInAndNumber() {
    assertThat(MlflowFilter.toGantry(MlflowSearch.MODEL_VERSIONS,
        "run_id IN ('a', \"b\") and version_number >= '2' AND source_path ILIKE 's3://%'"))
        .isEqualTo("run_id IN (\"a\", \"b\") AND version >= 2 AND source ILIKE \"s3://%\"");
  }

  @Test
  void anyInput_isTranslatedOrRefusedAsMlflowRefuses_neverAnotherFailure() {
    List<String> pieces = List.of("name", "run_id", "tags.", "tag.`", "version_number", " ", "=", "!=", "<", "LIKE",
        "ILIKE", "IN", "NOT", "AND", "OR", "(", ")", ",", "'", "\"", "`", "\\", "1", "x", "%", ".", "\u0000");
    Random random = new Random(22);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder filter = new StringBuilder();
      for (int n = random.nextInt(12); n >= 0; n--) {
        filter.append(pieces.get(random.nextInt(pieces.size())));
      }
      for (MlflowSearch search : MlflowSearch.values()) {
        Throwable thrown = catchThrowable(() -> {
          String gantry = MlflowFilter.toGantry(search, filter.toString());
          FilterParser.parse(gantry);
        });
        if (thrown != null && !(thrown instanceof MlflowError)) {
          failures.add(filter + ": " + thrown);
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
