package io.gantry.client.cli;

import com.google.protobuf.FieldMask;
import io.gantry.client.ArtifactDirectory;
import io.gantry.client.ArtifactTransferException;
import io.gantry.client.ArtifactUpload;
import io.gantry.client.GantryClient;
import io.gantry.client.LocalArtifact;
import io.gantry.client.MlflowModelDirectory;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
      description = {
          "Register an MLflow model directory as the next version of MODEL: its metadata (MLmodel, "
              + "requirements.txt, conda.yaml, python_env.yaml) goes into the version, and every file under DIR "
              + "is uploaded to the registry; the version is READY once all of them are stored and finalized. "
              + "Prints the version with its manifest digest, file count and total size.",
          "An upload that fails names the file and why; the version then stays PENDING_UPLOAD, is never resumed, "
              + "and is failed by the server after its upload timeout: register again for a new version."})
  static final class RegisterVersion implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ProgressOption progress;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "DIR", description = "An MLflow model directory, holding MLmodel.")
    Path directory;

    @Option(names = "--no-upload",
        description = "Register the metadata only: the version is READY at once and its --source says where the "
            + "model lives (the behaviour before uploads).")
    boolean metadataOnly;

    @Option(names = "--source", paramLabel = "URI",
        description = "Where the model came from; with --no-upload, where it lives (default: the file: URI of DIR "
            + "with --no-upload, else none: the registry holds the files).")
    String source;

    @Option(names = "--run-id", paramLabel = "ID", defaultValue = "",
        description = "The training run (default: the run_id in MLmodel, read by the server).")
    String runId;

    @Option(names = "--run-link", paramLabel = "URL", defaultValue = "",
        description = "A link to the training run, e.g. the MLflow run's page.")
    String runLink;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "",
        description = "What is new in this version.")
    String description;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag; repeat for more.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--request-id", paramLabel = "ID",
        description = "A retry with the same id returns the first result, and uploads nothing into a version that "
            + "was finalized with the same files (default: a new UUID).")
    String requestId = UUID.randomUUID().toString();

    @Override
    public Integer call() throws IOException {
      MlflowFiles files;
      try {
        files = MlflowModelDirectory.read(directory);
      } catch (IllegalArgumentException e) {
        throw common.usageError(e.getMessage());
      }
      return metadataOnly ? registerMetadata(files) : registerWithFiles(files);
    }

    private int registerMetadata(MlflowFiles files) {
      try (GantryClient client = common.connect()) {
        VersionView.version(common.printer(), create(client, files, false,
            source != null ? source : directory.toAbsolutePath().normalize().toUri().toString()));
      }
      return GantryCli.EXIT_OK;
    }

    private int registerWithFiles(MlflowFiles files) {
      // Everything local is read and hashed before the version exists, so a file that cannot be uploaded leaves
      // nothing behind on the server.
      List<LocalArtifact> artifacts = hashFiles();
      try (GantryClient client = common.connect()) {
        ModelVersion created = create(client, files, true, source != null ? source : "");
        ArtifactManifest manifest;
        if (!created.getManifestDigest().isEmpty()) {
          manifest = client.artifacts().listArtifacts(
              ListArtifactsRequest.newBuilder().setVersion(created.getName()).build());
          if (!sameFiles(manifest, artifacts)) {
            return common.fail(GantryCli.EXIT_CONFLICT, earlierRegistration(created) + " is finalized with other "
                + "files than " + directory + "; register with a new request id");
          }
        } else {
          String unusable = whyNotUploadable(client, created);
          if (!unusable.isEmpty()) {
            return common.fail(GantryCli.EXIT_CONFLICT, unusable);
          }
          try {
            manifest = uploadAndFinalize(client, created.getName(), artifacts);
          } catch (ArtifactTransferException | StatusRuntimeException failure) {
            int exitCode = GantryCli.reportFailure(failure, common.err(), common);
            common.err().println(created.getName() + " stays PENDING_UPLOAD with the files stored before the "
                + "failure; nothing is retried or resumed, and the server marks it FAILED after its upload timeout. "
                + "Register again for a new version.");
            return exitCode;
          }
        }
        VersionView.registeredVersion(common.printer(), client.registry().getModelVersion(
            GetModelVersionRequest.newBuilder().setName(created.getName()).build()), manifest);
      }
      return GantryCli.EXIT_OK;
    }

    private List<LocalArtifact> hashFiles() {
      try {
        List<Path> files = ArtifactDirectory.regularFiles(directory);
        long totalBytes = 0;
        for (Path file : files) {
          totalBytes += Files.size(file);
        }
        TransferProgress hashing = progress.start(common, TransferProgress.Kind.HASHING, files.size(), totalBytes);
        List<LocalArtifact> artifacts = ArtifactDirectory.hash(directory, files, hashing);
        hashing.finish();
        return artifacts;
      } catch (IllegalArgumentException e) {
        throw common.usageError(e.getMessage());
      } catch (IOException e) {
        throw common.usageError("cannot read the files of " + directory + ": " + e);
      }
    }

    private ModelVersion create(GantryClient client, MlflowFiles files, boolean managedArtifacts, String source) {
      return client.registry().createModelVersion(CreateModelVersionRequest.newBuilder()
          .setParent(ResourceNames.model(model))
          .setModelVersion(ModelVersion.newBuilder()
              .setSource(source)
              .setRunId(runId)
              .setRunLink(runLink)
              .setDescription(description)
              .putAllTags(tags)
              .setFiles(files))
          .setManagedArtifacts(managedArtifacts)
          .setRequestId(requestId)
          .build());
    }

    /**
     * Why files cannot go into {@code version}, or empty. Only a retry with the same --request-id returns a version
     * that is not fresh; one that already holds files from an earlier, failed attempt is not resumed.
     */
    private String whyNotUploadable(GantryClient client, ModelVersion version) {
      String earlier = earlierRegistration(version);
      if (!version.getManagedArtifacts()) {
        return earlier + " was registered without uploading its files (--no-upload); register with a new request id";
      }
      if (version.getStatus() != ModelVersionStatus.MODEL_VERSION_STATUS_PENDING_UPLOAD) {
        return earlier + " is " + VersionView.status(version.getStatus()) + "; register with a new request id";
      }
      int stored = client.artifacts().listArtifacts(
          ListArtifactsRequest.newBuilder().setVersion(version.getName()).build()).getFilesCount();
      if (stored > 0) {
        return earlier + " already holds " + stored + " file(s) of an upload that did not finish; an upload is "
            + "never resumed: register with a new request id";
      }
      return "";
    }

    private String earlierRegistration(ModelVersion version) {
      return version.getName() + " (made by an earlier registration with --request-id " + requestId + ")";
    }

    private ArtifactManifest uploadAndFinalize(GantryClient client, String versionName, List<LocalArtifact> artifacts) {
      TransferProgress uploading = progress.start(common, TransferProgress.Kind.UPLOAD, artifacts.size(),
          artifacts.stream().mapToLong(artifact -> artifact.header().getSize()).sum());
      try {
        ArtifactUpload.upload(client, versionName, artifacts, uploading);
      } catch (ArtifactTransferException e) {
        uploading.abandon();
        throw e;
      }
      uploading.finish();
      return client.artifacts().finalizeVersion(FinalizeVersionRequest.newBuilder()
          .setName(versionName)
          .addAllFiles(artifacts.stream().map(LocalArtifact::header).toList())
          .build());
    }

    private static boolean sameFiles(ArtifactManifest manifest, List<LocalArtifact> artifacts) {
      return Set.copyOf(manifest.getFilesList())
          .equals(artifacts.stream().map(LocalArtifact::header).collect(Collectors.toSet()));
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
        VersionView.version(common.printer(), client.registry().getModelVersion(
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
        VersionView.versions(common.printer(), page);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "update", description = "Change the description of a version.")
  static final class UpdateVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = VersionArguments.LABEL, hideParamSyntax = true)
    List<String> version;

    @Option(names = "--description", paramLabel = "TEXT", required = true,
        description = "The new description, replacing the old one.")
    String description;

    @Option(names = "--etag", defaultValue = "",
        description = "Update only if the version is unchanged since it showed this etag.")
    String etag;

    @Override
    public Integer call() {
      String name = VersionArguments.versionName(version, common);
      try (GantryClient client = common.connect()) {
        VersionView.version(common.printer(),
            client.registry().updateModelVersion(UpdateModelVersionRequest.newBuilder()
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
        VersionView.version(common.printer(), client.registry().archiveModelVersion(
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
        VersionView.version(common.printer(), version);
      }
      return GantryCli.EXIT_OK;
    }
  }
}
