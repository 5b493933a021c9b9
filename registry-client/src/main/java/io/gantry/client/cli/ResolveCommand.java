package io.gantry.client.cli;

import com.google.protobuf.Timestamp;
import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ResolveAliasRequest;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resolve",
    description = "Show the version a model URI names: models:/MODEL@ALIAS (the version the alias points at; "
        + "@latest: the highest READY version) or models:/MODEL/VERSION.")
final class ResolveCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "URI", description = "models:/MODEL@ALIAS or models:/MODEL/VERSION.")
  String reference;

  @Option(names = "--as-of", paramLabel = "TIME", converter = TimeConverter.class,
      description = "The version the alias pointed at at this RFC 3339 time (2026-11-22T10:00:00Z, "
          + "2026-11-22T11:00:00+01:00), or date (at 00:00 UTC).")
  Timestamp asOf;

  @Override
  public Integer call() {
    if (ResourceNames.isAliasReference(reference)) {
      ResolveAliasRequest.Builder request = ResolveAliasRequest.newBuilder().setName(ResourceNames.alias(reference));
      if (asOf != null) {
        request.setAsOf(asOf);
      }
      return print(client -> client.registry().resolveAlias(request.build()));
    }
    String versionName;
    try {
      versionName = ResourceNames.version(reference);
    } catch (IllegalArgumentException e) {
      throw common.usageError("expected models:/MODEL@ALIAS or models:/MODEL/VERSION, got '" + reference + "'");
    }
    if (asOf != null) {
      throw common.usageError("--as-of applies to an alias (models:/MODEL@ALIAS); a version never changes");
    }
    return print(client -> client.registry().getModelVersion(
        GetModelVersionRequest.newBuilder().setName(versionName).build()));
  }

  private int print(Function<GantryClient, ModelVersion> call) {
    try (GantryClient client = common.connect()) {
      VersionView.version(common.printer(), call.apply(client));
    }
    return GantryCli.EXIT_OK;
  }
}
