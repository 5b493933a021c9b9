package io.gantry.client.cli;

import com.google.protobuf.FieldMask;
import io.gantry.client.GantryClient;
import io.gantry.client.MlflowModelDirectory;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "versions", description = "Register, read, change and archive model versions.",
    subcommands = {
        VersionsCommand.RegisterVersion.class, VersionsCommand.GetVersion.class, VersionsCommand.ListVersions.class,
        VersionsCommand.UpdateVersion.class, VersionsCommand.ArchiveVersion.class, VersionsCommand.TagVersion.class})
final class VersionsCommand extends CommandGroup {

  @Command(name = "register",
      description = "Register an MLflow model directory as the next version of MODEL (metadata only: "
          + "MLmodel, requirements.txt, conda.yaml, python_env.yaml).")
  static final class RegisterVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "DIR", description = "An MLflow model directory, holding MLmodel.")
    Path directory;

    @Option(names = "--source", paramLabel = "URI", description = "Where the model lives (default: the file: URI of DIR).")
    String source;

    @Option(names = "--run-id", paramLabel = "ID", defaultValue = "",
        description = "The training run (default: the run_id in MLmodel, read by the server).")
    String runId;

    @Option(names = "--run-link", paramLabel = "URL", defaultValue = "")
    String runLink;

    @Option(names = "--description", defaultValue = "")
    String description;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag; repeat for more.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--request-id", paramLabel = "ID",
        description = "A retry with the same id returns the first result (default: a new UUID).")
    String requestId = UUID.randomUUID().toString();

    @Override
    public Integer call() throws IOException {
      MlflowFiles files;
      try {
        files = MlflowModelDirectory.read(directory);
      } catch (IllegalArgumentException e) {
        throw common.usageError(e.getMessage());
      }
      ModelVersion version = ModelVersion.newBuilder()
          .setSource(source != null ? source : directory.toAbsolutePath().normalize().toUri().toString())
          .setRunId(runId)
          .setRunLink(runLink)
          .setDescription(description)
          .putAllTags(tags)
          .setFiles(files)
          .build();
      try (GantryClient client = common.connect()) {
        common.printer().version(client.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
            .setParent(ResourceNames.model(model))
            .setModelVersion(version)
            .setRequestId(requestId)
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "get", description = "Show one version.")
  static final class GetVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true)
    List<String> version;

    @Override
    public Integer call() {
      String name = VersionArguments.versionName(version, common);
      try (GantryClient client = common.connect()) {
        common.printer().version(client.registry().getModelVersion(
            GetModelVersionRequest.newBuilder().setName(name).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "list", description = "List the versions of a model, one page at a time unless --all.")
  static final class ListVersions implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ListOptions listing;

    @Parameters(paramLabel = "MODEL", description = "A model name, or - for the versions of every model.")
    String model;

    @Override
    public Integer call() {
      ListModelVersionsRequest.Builder request = ListModelVersionsRequest.newBuilder()
          .setParent(ResourceNames.model(model))
          .setFilter(listing.filter)
          .setOrderBy(listing.orderBy)
          .setPageSize(listing.pageSize);
      try (GantryClient client = common.connect()) {
        ListModelVersionsResponse page = listing.fetch(
            token -> client.registry().listModelVersions(request.setPageToken(token).build()),
            ListModelVersionsResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllModelVersions(more.getModelVersionsList())
                .setNextPageToken(more.getNextPageToken()).build());
        common.printer().versions(page);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "update", description = "Change the description of a version.")
  static final class UpdateVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true)
    List<String> version;

    @Option(names = "--description", required = true)
    String description;

    @Option(names = "--etag", defaultValue = "",
        description = "Update only if the version is unchanged since it showed this etag.")
    String etag;

    @Override
    public Integer call() {
      String name = VersionArguments.versionName(version, common);
      try (GantryClient client = common.connect()) {
        common.printer().version(client.registry().updateModelVersion(UpdateModelVersionRequest.newBuilder()
            .setModelVersion(ModelVersion.newBuilder().setName(name).setDescription(description).setEtag(etag))
            .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "archive", description = "Retire a version; it is kept for the record and no longer changes.")
  static final class ArchiveVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true)
    List<String> version;

    @Option(names = "--etag", defaultValue = "",
        description = "Archive only if the version is unchanged since it showed this etag.")
    String etag;

    @Override
    public Integer call() {
      String name = VersionArguments.versionName(version, common);
      try (GantryClient client = common.connect()) {
        common.printer().version(client.registry().archiveModelVersion(
            ArchiveModelVersionRequest.newBuilder().setName(name).setEtag(etag).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "tag", description = "Set tags on a version, or remove them with --delete.")
  static final class TagVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..*", paramLabel = VersionArguments.LABEL + " [KEY=VALUE...]", hideParamSyntax = true,
        description = "The version, then the tags to set.")
    List<String> arguments;

    @Option(names = "--delete", paramLabel = "KEY", description = "A tag to remove; repeat for more.")
    List<String> deletedKeys = new ArrayList<>();

    @Override
    public Integer call() {
      VersionArguments parsed = VersionArguments.parse(arguments, common);
      Map<String, String> settings = TagArguments.parse(parsed.rest(), common);
      if (settings.isEmpty() && deletedKeys.isEmpty()) {
        throw common.usageError("give at least one KEY=VALUE or --delete KEY");
      }
      try (GantryClient client = common.connect()) {
        ModelRegistryBlockingStub registry = client.registry();
        ModelVersion version = null;
        for (Map.Entry<String, String> tag : settings.entrySet()) {
          version = registry.setVersionTag(SetVersionTagRequest.newBuilder()
              .setName(parsed.versionName()).setKey(tag.getKey()).setValue(tag.getValue()).build());
        }
        for (String key : deletedKeys) {
          version = registry.deleteVersionTag(
              DeleteVersionTagRequest.newBuilder().setName(parsed.versionName()).setKey(key).build());
        }
        common.printer().version(version);
      }
      return GantryCli.EXIT_OK;
    }
  }
}
