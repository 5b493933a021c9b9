package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.firstLine;
import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.client.ResourceNames;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.RegisteredModel;
import java.util.TreeMap;

/** How {@code gantry models} shows a model and a page of models. */
final class ModelView {

  private ModelView() {
  }

  static void model(Printer printer, RegisteredModel model) {
    printer.printTable(model, () -> {
      TextTable block = new TextTable()
          .row("name", model.getName())
          .field("description", model.getDescription())
          .row("latest_version", Long.toString(model.getLatestVersion()));
      new TreeMap<>(model.getTagsMap()).forEach((key, value) -> block.row("tags." + key, value));
      return block.field("created", timeAndActor(model.getCreateTime(), model.getCreatedBy()))
          .field("updated", timeAndActor(model.getUpdateTime(), model.getUpdatedBy()))
          .field("etag", model.getEtag());
    });
  }

  static void models(Printer printer, ListModelsResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable().row("NAME", "LATEST_VERSION", "UPDATED", "UPDATED_BY", "DESCRIPTION");
      for (RegisteredModel model : page.getModelsList()) {
        table.row(ResourceNames.modelId(model.getName()), Long.toString(model.getLatestVersion()),
            time(model.getUpdateTime()), model.getUpdatedBy(), firstLine(model.getDescription()));
      }
      return table;
    });
  }
}
