package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.firstLine;
import static io.gantry.client.cli.Cells.sizeCell;
import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.client.ResourceNames;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.Requirement;
import io.gantry.v1.Schema;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How {@code gantry versions} and {@code gantry resolve} show a version and a page of versions. */
final class VersionView {

  private VersionView() {
  }

  static void version(Printer printer, ModelVersion version) {
    printer.printTable(version, () -> versionBlock(version));
  }

  /** A version just registered with its files: the version, then how many files and bytes its manifest holds. */
  static void registeredVersion(Printer printer, ModelVersion version, ArtifactManifest manifest) {
    printer.printTable(version, () -> versionBlock(version)
        .row("files", Integer.toString(manifest.getFilesCount()))
        .row("total_size", sizeCell(manifest.getTotalSize())));
  }

  static void versions(Printer printer, ListModelVersionsResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable().row("MODEL", "VERSION", "STATUS", "CREATED", "CREATED_BY", "DESCRIPTION");
      for (ModelVersion version : page.getModelVersionsList()) {
        String model = version.getName().substring(0, version.getName().indexOf("/versions/"));
        table.row(ResourceNames.modelId(model), Long.toString(version.getVersion()), status(version.getStatus()),
            time(version.getCreateTime()), version.getCreatedBy(), firstLine(version.getDescription()));
      }
      return table;
    });
  }

  static String status(ModelVersionStatus status) {
    return status.name().replace("MODEL_VERSION_STATUS_", "");
  }

  private static TextTable versionBlock(ModelVersion version) {
    TextTable block = new TextTable()
        .row("name", version.getName())
        .row("version", Long.toString(version.getVersion()))
        .row("status", status(version.getStatus()))
        .field("manifest_digest", version.getManifestDigest())
        .field("source", version.getSource())
        .field("run_id", version.getRunId())
        .field("run_link", version.getRunLink())
        .field("description", version.getDescription());
    new TreeMap<>(version.getTagsMap()).forEach((key, value) -> block.row("tags." + key, value));
    if (version.hasMlmodel()) {
      block.field("mlflow_version", version.getMlmodel().getMlflowVersion())
          .field("model_uuid", version.getMlmodel().getModelUuid())
          .field("flavors", String.join(", ", new TreeMap<>(version.getMlmodel().getFlavorsMap()).keySet()));
      if (version.getMlmodel().hasSignature()) {
        block.field("signature.inputs", describe(version.getMlmodel().getSignature().getInputs()))
            .field("signature.outputs", describe(version.getMlmodel().getSignature().getOutputs()));
      }
    }
    block.field("requirements", version.getDependencies().getRequirementsList().stream()
        .map(Requirement::getText)
        .collect(Collectors.joining(", ")));
    for (Map.Entry<String, DatasetMetrics> dataset : new TreeMap<>(version.getMetricsMap()).entrySet()) {
      block.field("datasets." + dataset.getKey() + ".digest", dataset.getValue().getDatasetDigest());
      new TreeMap<>(dataset.getValue().getMetricsMap()).forEach((metric, value) ->
          block.row("metrics." + dataset.getKey() + "." + metric, Double.toString(value)));
    }
    return block.field("created", timeAndActor(version.getCreateTime(), version.getCreatedBy()))
        .field("updated", timeAndActor(version.getUpdateTime(), version.getUpdatedBy()))
        .field("etag", version.getEtag());
  }

  private static String describe(Schema schema) {
    if (schema.getColumnsCount() > 0) {
      return schema.getColumnsCount() + " column" + (schema.getColumnsCount() == 1 ? "" : "s");
    }
    if (schema.getTensorsCount() > 0) {
      return schema.getTensorsCount() + " tensor" + (schema.getTensorsCount() == 1 ? "" : "s");
    }
    return "";
  }
}
