package io.gantry.client.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.v1.ImportModelResponse;
import java.util.stream.Collectors;

/**
 * How {@code gantry import} shows what it did: a summary table of the models imported, then one of the versions
 * whose files were not copied, both printed at the end; -o json: one line per model or version as it goes.
 */
final class ImportView {

  private ImportView() {
  }

  static TextTable importTable() {
    return new TextTable().row("MODEL", "CREATED", "VERSIONS", "ALIASES", "UNCHANGED");
  }

  static TextTable filesNotCopiedTable() {
    return new TextTable().row("MODEL", "VERSION", "FILES", "REASON");
  }

  /** What importing one model did: a row of the summary table, or one JSON line. */
  static void imported(Printer printer, ImportModelResponse result, TextTable table) {
    printer.printLine(result, out -> table.row(result.getModel().substring("models/".length()),
        result.getModelCreated() ? "yes" : "no",
        result.getVersionsCreatedList().isEmpty() ? "-" : result.getVersionsCreatedList().stream()
            .map(String::valueOf).collect(Collectors.joining(",")),
        result.getAliasesSetList().isEmpty() ? "-" : String.join(",", result.getAliasesSetList()),
        Integer.toString(result.getUnchangedCount())));
  }

  /**
   * A version imported without its files, which {@code outcome} says were {@code refused} (a source outside what
   * the import may read) or {@code failed} (fetching them did not work), and why; -o json: one line per version.
   */
  static void fileNotCopied(Printer printer, String model, long version, String source, String outcome,
      String reason, TextTable table) {
    Struct line = Struct.newBuilder()
        .putFields("model", Value.newBuilder().setStringValue(model).build())
        .putFields("version", Value.newBuilder().setNumberValue(version).build())
        .putFields("source", Value.newBuilder().setStringValue(source).build())
        .putFields("files", Value.newBuilder().setStringValue(outcome).build())
        .putFields("reason", Value.newBuilder().setStringValue(reason).build())
        .build();
    printer.printLine(Json.report(line), out ->
        table.row(model.substring("models/".length()), Long.toString(version), outcome, reason));
  }
}
