package io.gantry.client.cli;

import io.gantry.client.ArtifactDirectory;
import io.gantry.client.ArtifactUpload;
import io.gantry.client.GantryClient;
import io.gantry.client.LocalArtifact;
import io.gantry.client.TransferListener;
import io.gantry.client.mlflow.MlflowArtifactSource;
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

  @Command(name = "mlflow",
      description = "Import every registered model of an MLflow registry: versions under their numbers, tags, "
          + "descriptions, aliases, legacy stages as aliases (Production → production), creation times and users "
          + "as recorded. Each model is one transaction, audited as IMPORTED; what exists already is left as it is, "
          + "so running it again changes nothing. Files stay where each version's source says, unless "
          + "--with-artifacts copies those it can reach. Needs the admin role.")
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

    @Option(names = "--with-artifacts", description = "Copy each new version's files into Gantry when its source "
        + "can be reached (a local directory, or MLflow's artifact proxy: mlflow-artifacts:), checked by digest; "
        + "other versions keep their source URI.")
    boolean withArtifacts;

    @Option(names = "--mlflow-token", paramLabel = "TOKEN",
        description = "Bearer token for the MLflow server (default: $MLFLOW_TRACKING_TOKEN).")
    String mlflowToken;

    @Override
    public Integer call() {
      List<ImportedModel> models;
      String label;
      String token = mlflowToken != null ? mlflowToken : System.getenv("MLFLOW_TRACKING_TOKEN");
      try {
        if (source.url != null) {
          models = MlflowRegistryReader.fromServer(source.url, token);
          label = "mlflow:" + source.url;
        } else {
          models = MlflowRegistryReader.fromFile(source.file);
          label = "mlflow-file:" + source.file.getFileName();
        }
      } catch (MlflowRegistryReader.SourceException e) {
        return common.fail(GantryCli.EXIT_OTHER, e.getMessage());
      }
      boolean progress = common.stderrIsTerminal() || !common.json();
      TextTable table = Printer.importTable();
      int versions = 0;
      int aliases = 0;
      int created = 0;
      int failed = 0;
      int copied = 0;
      Path scratch = withArtifacts ? scratchDirectory() : null;
      MlflowArtifactSource files = withArtifacts ? new MlflowArtifactSource(source.url, token, scratch) : null;
      try (GantryClient client = common.connect()) {
        for (int i = 0; i < models.size(); i++) {
          ImportedModel model = models.get(i);
          Map<Long, Path> reachable = new HashMap<>();
          if (withArtifacts) {
            model = withReachableFiles(model, files, reachable);
          }
          if (progress) {
            common.err().printf("[%d/%d] %s (%d versions)%n", i + 1, models.size(), model.getModelId(),
                model.getVersionsCount());
            common.err().flush();
          }
          try {
            ImportModelResponse result = client.imports().importModel(ImportModelRequest.newBuilder()
                .setSource(label).setModel(model).build());
            common.printer().imported(result, table);
            created += result.getModelCreated() ? 1 : 0;
            versions += result.getVersionsCreatedCount();
            aliases += result.getAliasesSetCount();
            for (long number : result.getVersionsCreatedList()) {
              if (reachable.containsKey(number)) {
                copied += copy(client, result.getModel() + "/versions/" + number, reachable.get(number)) ? 1 : 0;
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
      common.err().printf("imported %d of %d models from %s: %d created, %d versions, %d aliases%s%s%n",
          models.size() - failed, models.size(), label, created, versions, aliases,
          withArtifacts ? ", the files of " + copied + " versions copied" : "",
          failed == 0 ? "" : "; " + failed + " failed");
      common.err().flush();
      return failed == 0 && copyFailures == 0 ? GantryCli.EXIT_OK : GantryCli.EXIT_OTHER;
    }

    private int copyFailures;

    /** The model with each version whose files can be reached marked for upload; where they are, by number. */
    private ImportedModel withReachableFiles(ImportedModel model, MlflowArtifactSource files, Map<Long, Path> where) {
      ImportedModel.Builder marked = model.toBuilder();
      for (int i = 0; i < model.getVersionsCount(); i++) {
        ImportedVersion version = model.getVersions(i);
        if (version.getStatus() != ModelVersionStatus.MODEL_VERSION_STATUS_READY) {
          continue;
        }
        try {
          Optional<Path> dir = files.directory(version.getSource());
          if (dir.isPresent()) {
            where.put(version.getVersion(), dir.get());
            marked.setVersions(i, version.toBuilder().setManagedArtifacts(true));
          }
        } catch (IOException e) {
          common.err().println("warning: the files of " + model.getModelId() + " version " + version.getVersion()
              + " could not be fetched (" + e.getMessage() + "); it keeps its source URI");
        }
      }
      return marked.build();
    }

    /** Uploads and finalizes one imported version's files; a failure leaves it PENDING_UPLOAD, for the janitor. */
    private boolean copy(GantryClient client, String versionName, Path dir) {
      try {
        List<LocalArtifact> artifacts = ArtifactDirectory.hash(dir, ArtifactDirectory.regularFiles(dir),
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
