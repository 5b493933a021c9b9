package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.v1.Evaluation;
import io.gantry.v1.ListEvaluationsResponse;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How {@code gantry eval} shows an evaluation and a page of them. */
final class EvalView {

  private EvalView() {
  }

  static void evaluation(Printer printer, Evaluation evaluation) {
    printer.printTable(evaluation, () -> {
      TextTable block = new TextTable()
          .row("name", evaluation.getName())
          .row("dataset", evaluation.getDataset())
          .field("dataset_digest", evaluation.getDatasetDigest());
      new TreeMap<>(evaluation.getMetricsMap()).forEach((metric, value) ->
          block.row("metrics." + metric, Double.toString(value)));
      return block.field("created", timeAndActor(evaluation.getCreateTime(), evaluation.getCreatedBy()));
    });
  }

  static void evaluations(Printer printer, ListEvaluationsResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable().row("CREATED", "CREATED_BY", "DATASET", "METRICS", "DATASET_DIGEST");
      for (Evaluation evaluation : page.getEvaluationsList()) {
        table.row(time(evaluation.getCreateTime()), evaluation.getCreatedBy(), evaluation.getDataset(),
            new TreeMap<>(evaluation.getMetricsMap()).entrySet().stream()
                .map(metric -> metric.getKey() + "=" + metric.getValue()).collect(Collectors.joining(", ")),
            evaluation.getDatasetDigest());
      }
      return table;
    });
  }
}
