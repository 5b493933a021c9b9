package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.RequestPromotionRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "promote",
    description = "Request that ALIAS point at a version. Every policy bound to the alias decides: the alias moves "
        + "at once, or the promotion waits for approvals (both exit 0), or it is rejected (exit 7). Prints the "
        + "state, why, and every policy's verdict.")
final class PromoteCommand implements Callable<Integer> {

  @Mixin CommonOptions common;
  @Mixin PromotionRequestOptions requestOptions;

  @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true)
  List<String> version;

  @Option(names = "--to", paramLabel = "ALIAS", required = true, description = "The alias to move, e.g. champion.")
  String alias;

  @Option(names = "--expect-current", paramLabel = "N",
      description = "Refuse (exit 5) unless the alias points at version N now; 0: unless it does not exist yet.")
  Long expectedCurrentVersion;

  @Override
  public Integer call() {
    String versionName = VersionArguments.versionName(version, common);
    RequestPromotionRequest.Builder request = RequestPromotionRequest.newBuilder()
        .setModel(ResourceNames.versionParent(versionName))
        .setAlias(alias)
        .setVersion(ResourceNames.versionNumber(versionName))
        .setJustification(requestOptions.justification)
        .setArchivePrevious(requestOptions.archivePrevious)
        .setDryRun(requestOptions.dryRun)
        .setRequestId(requestOptions.requestId);
    if (expectedCurrentVersion != null) {
      request.setExpectedCurrentVersion(expectedCurrentVersion);
    }
    try (GantryClient client = common.connect()) {
      return PromotionOutcome.print(client.promotions().requestPromotion(request.build()), common);
    }
  }
}
