package io.gantry.client.cli;

import io.gantry.client.ArtifactDirectory;
import io.gantry.client.ArtifactUpload;
import io.gantry.client.GantryClient;
import io.gantry.client.LocalArtifact;
import io.gantry.client.TransferListener;
import io.gantry.client.mlflow.ArtifactSourcePolicy;
import io.gantry.client.mlflow.MlflowArtifactSource;
import io.gantry.client.mlflow.MlflowArtifactSource.VersionFiles;
import io.gantry.client.mlflow.MlflowHttp;
import io.gantry.client.mlflow.MlflowRegistryReader;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportModelResponse;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.ImportedModel;
import io.gantry.v1.ImportedVersion;
import io.gantry.v1.ModelVersionStatus;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import", description = "Bring models in from another registry.",
    subcommands = {ImportCommand.Mlflow.class})
final class ImportCommand extends CommandGroup {

  static final String MLFLOW_TOKEN = "--mlflow-token";

  @Command(name = "mlflow",
      description = "Import every registered model of an MLflow registry: versions under their numbers, tags, "
          + "descriptions, aliases, legacy stages as aliases (Production → production), creation times and users "
          + "as recorded. Each model is one transaction, audited as IMPORTED; what exists already is left as it is, "
          + "so running it again changes nothing. Files stay where each version's source says, unless "
          + "--with-artifacts copies those it may read: from the --from server, an --artifact-source, or under "
          + "--artifact-root. Needs the admin role.")
  static final class Mlflow implements Callable<Integer> {
    @Mixin CommonOptions common;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--from", paramLabel = "URL", description = "A live MLflow server, e.g. http://mlflow:5000.")
      String url;

      @Option(names = "--from-file", paramLabel = "FILE", description = "The JSON of MLflow's "
          + "registered-models/search and model-versions/search pages, or an mlflow-export-import export.")
      Path file;
    }

    @Option(names = "--with-artifacts", description = "Copy each new version's files into Gantry, checked by "
        + "digest, when its source may be read: MLflow's artifact proxy on the --from server (mlflow-artifacts:), "
        + "a store named with --artifact-source, or a directory under --artifact-root. Any other host or local path "
        + "is refused and reported: the version comes in without files, keeping its source URI, and the exit code "
        + "is 1. Sources with no reader here (s3://, runs:/) keep their URI.")
    boolean withArtifacts;

    @Option(names = "--artifact-source", paramLabel = "URI", description = "With --with-artifacts, also read files "
        + "from this store (repeatable): http(s)://host[:port][/path], or mlflow-artifacts://host[:port][/path] of "
        + "another MLflow server's artifact proxy. A source matches when its scheme, host, port and first path "
        + "segments are these. The MLflow token is not sent there, only to --from.")
    List<String> artifactSources = new ArrayList<>();

    @Option(names = "--artifact-root", paramLabel = "DIR", description = "With --with-artifacts, read local sources "
        + "(file: or a path) only inside DIR, after resolving .. and symbolic links, a link inside pointing out "
        + "too; without it, no local source is read.")
    Path artifactRoot;

    @Option(names = MLFLOW_TOKEN, paramLabel = "TOKEN", description = "Bearer token for the MLflow server "
        + "(default: $MLFLOW_TRACKING_TOKEN), sent to --from's origin only; refused over plain http to another "
        + "machine.")
    String mlflowToken;

    /** Why a new version's files were not copied: {@code refused} by the options, or {@code failed} to fetch. */
    record NotCopied(String source, String outcome, String reason) {}

    @Override
    public Integer call() {
      MlflowHttp http;
      ArtifactSourcePolicy policy;
      try {
        http = source.url != null ? MlflowHttp.server(source.url, mlflowToken) : MlflowHttp.withoutServer();
        policy = ArtifactSourcePolicy.of(http.server(), artifactSources, artifactRoot);
      } catch (IllegalArgumentException e) {
        throw common.usageError(e.getMessage());
      }
      List<ImportedModel> models;
      String label;
      try {
        if (source.url != null) {
          models = MlflowRegistryReader.fromServer(http);
          label = "mlflow:" + source.url;
        } else {
          models = MlflowRegistryReader.fromFile(source.file);
          label = "mlflow-file:" + source.file.getFileName();
        }
      } catch (MlflowRegistryReader.SourceException e) {
        return common.fail(GantryCli.EXIT_OTHER, e.getMessage());
      }
      boolean progress = common.stderrIsTerminal() || !common.json();
      TextTable table = ImportView.importTable();
      TextTable notCopiedTable = ImportView.filesNotCopiedTable();
      int notCopied = 0;
      int versions = 0;
      int aliases = 0;
      int created = 0;
      int failed = 0;
      int copied = 0;
      Path scratch = withArtifacts ? scratchDirectory() : null;
      MlflowArtifactSource files = withArtifacts ? new MlflowArtifactSource(policy, http, scratch) : null;
      try (GantryClient client = common.connect()) {
        for (int i = 0; i < models.size(); i++) {
          ImportedModel model = models.get(i);
          Map<Long, VersionFiles> reachable = new HashMap<>();
          Map<Long, NotCopied> unread = new HashMap<>();
          if (withArtifacts) {
            model = withReachableFiles(model, files, reachable, unread);
          }
          if (progress) {
            common.err().printf("[%d/%d] %s (%d versions)%n", i + 1, models.size(), model.getModelId(),
                model.getVersionsCount());
            common.err().flush();
          }
          try {
            ImportModelResponse result = client.imports().importModel(ImportModelRequest.newBuilder()
                .setSource(label).setModel(model).build());
            ImportView.imported(common.printer(), result, table);
            created += result.getModelCreated() ? 1 : 0;
            versions += result.getVersionsCreatedCount();
            aliases += result.getAliasesSetCount();
            for (long number : result.getVersionsCreatedList()) {
              if (reachable.containsKey(number)) {
                copied += copy(client, result.getModel() + "/versions/" + number, reachable.get(number)) ? 1 : 0;
              } else if (unread.containsKey(number)) {
                notCopied++;
                NotCopied why = unread.get(number);
                ImportView.fileNotCopied(common.printer(), result.getModel(), number, why.source(), why.outcome(),
                    why.reason(), notCopiedTable);
              }
            }
          } catch (StatusRuntimeException e) {
            // the other models are independent transactions: report this one and go on
            failed++;
            common.err().println("error: " + model.getModelId() + ": " + e.getStatus().getCode() + ": "
                + e.getStatus().getDescription());
          }
        }
      }
      if (scratch != null) {
        deleteTree(scratch);
      }
      common.printer().table(table);
      if (notCopied > 0) {
        common.printer().followingTable(notCopiedTable);
      }
      common.err().printf("imported %d of %d models from %s: %d created, %d versions, %d aliases%s%s%s%n",
          models.size() - failed, models.size(), label, created, versions, aliases,
          withArtifacts ? ", the files of " + copied + " versions copied" : "",
          notCopied == 0 ? "" : "; the files of " + notCopied + " versions not copied (refused or failed, listed "
              + "with the reason; those versions keep their source URI)",
          failed == 0 ? "" : "; " + failed + " failed");
      common.err().flush();
      return failed == 0 && copyFailures == 0 && notCopied == 0 ? GantryCli.EXIT_OK : GantryCli.EXIT_OTHER;
    }

    private int copyFailures;

    /**
     * The model with each version whose files may be read marked for upload; where they are, and why the others'
     * were not read, by number. A version whose files are refused comes in as it would without --with-artifacts
     * (its metadata, its source URI): the rest of the import goes on, and the summary lists it.
     */
    private ImportedModel withReachableFiles(ImportedModel model, MlflowArtifactSource files,
        Map<Long, VersionFiles> where, Map<Long, NotCopied> unread) {
      ImportedModel.Builder marked = model.toBuilder();
      for (int i = 0; i < model.getVersionsCount(); i++) {
        ImportedVersion version = model.getVersions(i);
        if (version.getStatus() != ModelVersionStatus.MODEL_VERSION_STATUS_READY) {
          continue;
        }
        try {
          Optional<VersionFiles> found = files.files(version.getSource());
          if (found.isPresent()) {
            where.put(version.getVersion(), found.get());
            marked.setVersions(i, version.toBuilder().setManagedArtifacts(true));
          }
        } catch (ArtifactSourcePolicy.Refused e) {
          unread.put(version.getVersion(), new NotCopied(version.getSource(), "refused", e.getMessage()));
        } catch (IOException e) {
          unread.put(version.getVersion(), new NotCopied(version.getSource(), "failed", e.getMessage()));
        }
      }
      return marked.build();
    }

    /** Uploads and finalizes one imported version's files; a failure leaves it PENDING_UPLOAD, for the janitor. */
    private boolean copy(GantryClient client, String versionName, VersionFiles files) {
      try {
        List<LocalArtifact> artifacts = ArtifactDirectory.hash(files.directory(), files.files(),
            TransferListener.NONE);
        ArtifactUpload.upload(client, versionName, artifacts, TransferListener.NONE);
        client.artifacts().finalizeVersion(FinalizeVersionRequest.newBuilder().setName(versionName)
            .addAllFiles(artifacts.stream().map(LocalArtifact::header).toList()).build());
        return true;
      } catch (IOException | RuntimeException e) {
        copyFailures++;
        common.err().println("error: the files of " + versionName + " were not copied (" + e.getMessage()
            + "); it stays PENDING_UPLOAD until the janitor fails it");
        return false;
      }
    }

    private Path scratchDirectory() {
      try {
        return Files.createTempDirectory("gantry-import");
      } catch (IOException e) {
        throw common.usageError("cannot make a scratch directory for --with-artifacts: " + e.getMessage());
      }
    }

    /** Removes the files fetched from MLflow's proxy; what cannot be removed is left in the temporary directory. */
    private static void deleteTree(Path dir) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a scratch directory left behind under the system's temporary directory is harmless
      }
    }
  }
}
