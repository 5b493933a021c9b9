package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.RequestRollbackRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "rollback",
    description = "Request that ALIAS point back at the version that held it before its last move, under the "
        + "alias's rollback policies (its promote policies when it has none). Exits as promote does.")
final class RollbackCommand implements Callable<Integer> {

  @Mixin CommonOptions common;
  @Mixin PromotionRequestOptions requestOptions;

  @Parameters(index = "0", paramLabel = "MODEL")
  String model;

  @Parameters(index = "1", paramLabel = "ALIAS")
  String alias;

  @Override
  public Integer call() {
    try (GantryClient client = common.connect()) {
      return PromotionOutcome.print(client.promotions().requestRollback(RequestRollbackRequest.newBuilder()
          .setAlias(ResourceNames.alias(model, alias))
          .setJustification(requestOptions.justification)
          .setArchivePrevious(requestOptions.archivePrevious)
          .setDryRun(requestOptions.dryRun)
          .setRequestId(requestOptions.requestId)
          .build()), common);
    }
  }
}
