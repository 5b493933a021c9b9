package io.gantry.client.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Values;
import io.gantry.client.ArtifactDirectory;
import io.gantry.client.ArtifactDownload;
import io.gantry.client.ArtifactTransferException;
import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "artifacts",
    description = "The files of versions registered with them (gantry versions register uploads them): list, "
        + "download, and presigned URLs.",
    subcommands = {ArtifactsCommand.ListFiles.class, ArtifactsCommand.Download.class, ArtifactsCommand.Url.class})
final class ArtifactsCommand extends CommandGroup {

  static final String LABEL = "(MODEL VERSION | models:/MODEL/VERSION | models:/MODEL@ALIAS)";

  /** The version the front arguments name (an alias resolved to the version it points at now), and the rest. */
  private record Selection(ModelVersion version, String alias, List<String> rest) {

    static Selection of(List<String> arguments, CommonOptions common, GantryClient client) {
      if (ResourceNames.isAliasReference(arguments.get(0))) {
        String alias = common.resourceName(() -> ResourceNames.alias(arguments.get(0)));
        return new Selection(client.registry().resolveAlias(ResolveAliasRequest.newBuilder().setName(alias).build()),
            alias, arguments.subList(1, arguments.size()));
      }
      VersionArguments parsed = VersionArguments.parse(arguments, common);
      return new Selection(client.registry().getModelVersion(
          GetModelVersionRequest.newBuilder().setName(parsed.versionName()).build()), "", parsed.rest());
    }

    /** The one argument after the version, {@code label} naming it in the usage error. */
    String onlyRest(String label, CommonOptions common) {
      if (rest.size() != 1) {
        throw common.usageError(rest.isEmpty()
            ? "missing " + label + " after the version"
            : "unexpected argument '" + rest.get(1) + "'");
      }
      return rest.get(0);
    }

    ArtifactManifest manifest(GantryClient client) {
      return client.artifacts().listArtifacts(ListArtifactsRequest.newBuilder().setVersion(version.getName()).build());
    }
  }

  @Command(name = "list",
      description = "The files of a version (an alias: of the version it points at): path, size in bytes and "
          + "SHA-256, after its status and manifest digest. -o json: the ArtifactManifest.")
  static final class ListFiles implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = LABEL, hideParamSyntax = true)
    List<String> arguments;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        Selection selection = Selection.of(arguments, common, client);
        if (!selection.rest().isEmpty()) {
          throw common.usageError("unexpected argument '" + selection.rest().get(0) + "'");
        }
        ArtifactView.manifest(common.printer(), selection.version(), selection.manifest(client));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "download",
      description = {
          "Download the files of a finalized version (an alias: of the version it points at now) into DIR, creating "
              + "it and its subdirectories. Each file is written to a temporary file beside its target, checked "
              + "against the manifest's size and SHA-256, flushed, then renamed into place: a file in DIR is never "
              + "partial. A file already there with the same content is left as it is.",
          "A file in DIR that differs from the manifest is refused (exit 5, nothing written) unless --force. A "
              + "file the server finds corrupted in its store ends the download (exit 8); it is not written, and "
              + "the files before it are complete."})
  static final class Download implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ProgressOption progress;

    @Parameters(arity = "2..3", paramLabel = LABEL + " DIR", hideParamSyntax = true)
    List<String> arguments;

    @Option(names = "--path", paramLabel = "PATH", description = "Only this file of the manifest.")
    String onlyPath;

    @Option(names = "--force", description = "Replace files in DIR that differ from the manifest.")
    boolean force;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        Selection selection = Selection.of(arguments, common, client);
        Path directory = Path.of(selection.onlyRest("DIR", common));
        ModelVersion version = selection.version();
        if (!version.getManagedArtifacts()) {
          return common.fail(GantryCli.EXIT_NOT_FOUND, version.getName() + " holds no files in the registry (it was "
              + "registered with --no-upload); its model lives at " + orNone(version.getSource()));
        }
        if (version.getManifestDigest().isEmpty()) {
          return common.fail(GantryCli.EXIT_CONFLICT, version.getName() + " is "
              + VersionView.status(version.getStatus()) + "; its files can be downloaded once it is finalized");
        }
        ArtifactManifest manifest = selection.manifest(client);
        List<ArtifactFile> wanted = manifest.getFilesList().stream()
            .filter(file -> onlyPath == null || file.getPath().equals(onlyPath))
            .toList();
        if (wanted.isEmpty()) {
          return common.fail(GantryCli.EXIT_NOT_FOUND, version.getName() + " has no file '" + onlyPath + "'");
        }
        Plan plan;
        try {
          plan = plan(directory, wanted);
        } catch (IllegalArgumentException pathOutsideDirectory) {
          return common.fail(GantryCli.EXIT_OTHER, pathOutsideDirectory.getMessage());
        }
        if (!plan.inTheWay().isEmpty()) {
          return common.fail(GantryCli.EXIT_CONFLICT, plan.inTheWay().size() + " file(s) in " + directory + " differ "
              + "from the manifest of " + version.getName() + ": " + String.join(", ", plan.inTheWay())
              + "; nothing was downloaded (--force replaces them)");
        }
        int exitCode = download(client, version.getName(), directory, plan.toDownload());
        if (exitCode == GantryCli.EXIT_OK) {
          common.printer().report(report(selection, manifest, directory, plan));
        }
        return exitCode;
      }
    }

    /** Which files to download, which are already there, and which are in the way. */
    private record Plan(List<ArtifactFile> toDownload, List<ArtifactFile> unchanged, List<String> inTheWay) {}

    /** @throws IllegalArgumentException when a manifest path would lead outside {@code directory} */
    private Plan plan(Path directory, List<ArtifactFile> wanted) {
      Plan plan = new Plan(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      try {
        for (ArtifactFile file : wanted) {
          Path target = ArtifactDirectory.target(directory, file.getPath());
          if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            plan.toDownload().add(file);
          } else if (ArtifactDownload.isIdentical(target, file)) {
            plan.unchanged().add(file);
          } else if (force && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            plan.toDownload().add(file);
          } else {
            plan.inTheWay().add(file.getPath());
          }
        }
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw common.usageError("cannot use " + directory + ": " + e);
      }
      return plan;
    }

    private int download(GantryClient client, String versionName, Path directory, List<ArtifactFile> files) {
      TransferProgress downloading = progress.start(common, TransferProgress.Kind.DOWNLOAD, files.size(),
          files.stream().mapToLong(ArtifactFile::getSize).sum());
      try {
        for (ArtifactFile file : files) {
          ArtifactDownload.download(client, versionName, file, directory, downloading);
        }
      } catch (ArtifactTransferException e) {
        downloading.abandon();
        return incomplete(directory, GantryCli.reportFailure(e, common.err(), common));
      } catch (IllegalArgumentException folderOutsideDirectory) {
        downloading.abandon();
        return incomplete(directory, common.fail(GantryCli.EXIT_OTHER, folderOutsideDirectory.getMessage()));
      }
      downloading.finish();
      return GantryCli.EXIT_OK;
    }

    private int incomplete(Path directory, int exitCode) {
      common.err().println("The files before it in the manifest are complete in " + directory + "; download again to "
          + "fetch the rest.");
      return exitCode;
    }

    private static Struct report(Selection selection, ArtifactManifest manifest, Path directory, Plan plan) {
      Struct.Builder report = Struct.newBuilder().putFields("version", Values.of(selection.version().getName()));
      if (!selection.alias().isEmpty()) {
        report.putFields("alias", Values.of(selection.alias()));
      }
      return report
          .putFields("manifest_digest", Values.of(manifest.getManifestDigest()))
          .putFields("directory", Values.of(directory.toAbsolutePath().normalize().toString()))
          .putFields("files", Values.of(plan.toDownload().size() + plan.unchanged().size()))
          .putFields("downloaded", Values.of(plan.toDownload().size()))
          .putFields("unchanged", Values.of(plan.unchanged().size()))
          .putFields("bytes_downloaded", Values.of(plan.toDownload().stream().mapToLong(ArtifactFile::getSize).sum()))
          .build();
    }
  }

  @Command(name = "url",
      description = "A presigned URL that downloads one file of a finalized version without the CLI, for --ttl. "
          + "Only an S3 artifact store presigns; a server keeping files on its own disk answers UNIMPLEMENTED.")
  static final class Url implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(arity = "2..3", paramLabel = LABEL + " PATH", hideParamSyntax = true)
    List<String> arguments;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "How long the URL works: 90s, 15m, 2h, 7d or ISO-8601 (PT15M); default 15m, at most 7d.")
    Duration ttl;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        Selection selection = Selection.of(arguments, common, client);
        GetDownloadUrlRequest.Builder request = GetDownloadUrlRequest.newBuilder()
            .setVersion(selection.version().getName())
            .setPath(selection.onlyRest("PATH", common));
        if (ttl != null) {
          request.setTtl(Durations.fromNanos(ttl.toNanos()));
        }
        try {
          ArtifactView.downloadUrl(common.printer(), client.artifacts().getDownloadUrl(request.build()));
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
            throw e;
          }
          int exitCode = GantryCli.reportFailure(e, common.err(), common);
          common.err().println("This server keeps artifacts on its own disk and cannot presign URLs; download the "
              + "file through it: gantry artifacts download " + ResourceNames.MODEL_URI_PREFIX
              + ResourceNames.modelId(ResourceNames.versionParent(selection.version().getName())) + "/"
              + selection.version().getVersion() + " DIR --path " + request.getPath());
          return exitCode;
        }
      }
      return GantryCli.EXIT_OK;
    }
  }

  private static String orNone(String source) {
    return source.isEmpty() ? "no recorded source" : source;
  }
}
