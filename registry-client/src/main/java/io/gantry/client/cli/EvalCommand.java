package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListEvaluationsResponse;
import io.gantry.v1.ReportEvaluationRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", description = "Evaluations: metrics measured on a dataset.",
    subcommands = {EvalCommand.ReportEvaluation.class, EvalCommand.ListEvaluations.class})
final class EvalCommand extends CommandGroup {

  @Command(name = "report",
      description = "Append an evaluation to a version; the version then shows the latest value of each metric.")
  static final class ReportEvaluation implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true,
        description = VersionArguments.DESCRIPTION)
    List<String> version;

    @Option(names = "--dataset", paramLabel = "NAME", required = true,
        description = "The dataset the metrics were measured on, e.g. holdout-2024-06.")
    String dataset;

    @Option(names = "--digest", paramLabel = "DIGEST", defaultValue = "",
        description = "Identifies the exact data, e.g. sha256:...")
    String digest;

    @Option(names = "--metric", paramLabel = "NAME=VALUE", required = true, description = "A metric; repeat for more.")
    Map<String, Double> metrics;

    @Option(names = "--request-id", paramLabel = "ID",
        description = "A retry with the same id returns the first result (default: a new UUID).")
    String requestId = UUID.randomUUID().toString();

    @Override
    public Integer call() {
      String name = VersionArguments.versionName(version, common);
      try (GantryClient client = common.connect()) {
        EvalView.evaluation(common.printer(), client.registry().reportEvaluation(ReportEvaluationRequest.newBuilder()
            .setName(name)
            .setDataset(dataset)
            .setDatasetDigest(digest)
            .putAllMetrics(metrics)
            .setRequestId(requestId)
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "list", description = "List the evaluations of a version, oldest first, one page at a time unless "
      + "--all.")
  static final class ListEvaluations implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin PageOptions paging;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true,
        description = VersionArguments.DESCRIPTION)
    List<String> version;

    @Override
    public Integer call() {
      ListEvaluationsRequest.Builder request = ListEvaluationsRequest.newBuilder()
          .setParent(VersionArguments.versionName(version, common))
          .setPageSize(paging.pageSize);
      try (GantryClient client = common.connect()) {
        EvalView.evaluations(common.printer(), paging.fetch(
            token -> client.registry().listEvaluations(request.setPageToken(token).build()),
            ListEvaluationsResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllEvaluations(more.getEvaluationsList())
                .setNextPageToken(more.getNextPageToken()).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }
}
