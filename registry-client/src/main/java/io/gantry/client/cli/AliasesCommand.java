package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.RequestPromotionRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "aliases",
    description = "A model's aliases, their history, and their removal. Aliases move only by promotion "
        + "(gantry promote, gantry rollback).",
    subcommands = {AliasesCommand.ListAliases.class, AliasesCommand.History.class, AliasesCommand.Remove.class})
final class AliasesCommand extends CommandGroup {

  @Command(name = "list", description = "List the aliases of a model and the version each points at.")
  static final class ListAliases implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "MODEL")
    String model;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        AliasView.aliases(common.printer(), client.registry().listAliases(
            ListAliasesRequest.newBuilder().setParent(ResourceNames.model(model)).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "history",
      description = "Every move of one alias, or of every alias of the model, newest first; one page at a time "
          + "unless --all.")
  static final class History implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin PageOptions paging;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "ALIAS", arity = "0..1", description = "Only this alias.")
    String alias;

    @Override
    public Integer call() {
      ListAliasHistoryRequest.Builder request = ListAliasHistoryRequest.newBuilder()
          .setParent(alias == null ? ResourceNames.model(model) : ResourceNames.alias(model, alias))
          .setPageSize(paging.pageSize);
      try (GantryClient client = common.connect()) {
        ListAliasHistoryResponse page = paging.fetch(
            token -> client.registry().listAliasHistory(request.setPageToken(token).build()),
            ListAliasHistoryResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllMoves(more.getMovesList())
                .setNextPageToken(more.getNextPageToken()).build());
        AliasView.history(common.printer(), page);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "remove",
      description = "Request that an alias be removed, under its remove policies (a gated alias needs some). "
          + "Exits as promote does.")
  static final class Remove implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin PromotionRequestOptions requestOptions;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        return PromotionOutcome.print(client.promotions().requestPromotion(RequestPromotionRequest.newBuilder()
            .setModel(ResourceNames.model(model))
            .setAlias(alias)
            .setRemoveAlias(true)
            .setJustification(requestOptions.justification)
            .setArchivePrevious(requestOptions.archivePrevious)
            .setDryRun(requestOptions.dryRun)
            .setRequestId(requestOptions.requestId)
            .build()), common);
      }
    }
  }
}
