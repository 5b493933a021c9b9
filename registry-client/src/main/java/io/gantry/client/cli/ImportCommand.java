package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.mlflow.MlflowRegistryReader;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportModelResponse;
import io.gantry.v1.ImportedModel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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
          + "so running it again changes nothing. Files stay where each version's source says. Needs the admin "
          + "role.")
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

    @Option(names = "--mlflow-token", paramLabel = "TOKEN",
        description = "Bearer token for the MLflow server (default: $MLFLOW_TRACKING_TOKEN).")
    String mlflowToken;

    @Override
    public Integer call() {
      List<ImportedModel> models;
      String label;
      try {
        if (source.url != null) {
          String token = mlflowToken != null ? mlflowToken : System.getenv("MLFLOW_TRACKING_TOKEN");
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
      try (GantryClient client = common.connect()) {
        for (int i = 0; i < models.size(); i++) {
          ImportedModel model = models.get(i);
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
          } catch (StatusRuntimeException e) {
            // the other models are independent transactions: report this one and go on
            failed++;
            common.err().println("error: " + model.getModelId() + ": " + e.getStatus().getCode() + ": "
                + e.getStatus().getDescription());
          }
        }
      }
      common.printer().table(table);
      common.err().printf("imported %d of %d models from %s: %d created, %d versions, %d aliases%s%n",
          models.size() - failed, models.size(), label, created, versions, aliases,
          failed == 0 ? "" : "; " + failed + " failed");
      common.err().flush();
      return failed == 0 ? GantryCli.EXIT_OK : GantryCli.EXIT_OTHER;
    }
  }
}
