package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.aliasId;
import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.versionCell;

import io.gantry.v1.Alias;
import io.gantry.v1.AliasMove;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListAliasesResponse;

/** How {@code gantry aliases} shows a model's aliases and their history. */
final class AliasView {

  private AliasView() {
  }

  static void aliases(Printer printer, ListAliasesResponse aliases) {
    printer.printTable(aliases, () -> {
      TextTable table = new TextTable().row("ALIAS", "VERSION", "REVISION", "UPDATED", "UPDATED_BY", "PROMOTION");
      for (Alias alias : aliases.getAliasesList()) {
        table.row(aliasId(alias.getName()), versionCell(alias.getVersion()), Long.toString(alias.getRevision()),
            time(alias.getUpdateTime()), alias.getUpdatedBy(), alias.getPromotion());
      }
      return table;
    });
  }

  static void history(Printer printer, ListAliasHistoryResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable().row("TIME", "ALIAS", "FROM → TO", "MOVED_BY", "PROMOTION");
      for (AliasMove move : page.getMovesList()) {
        table.row(time(move.getMoveTime()), aliasId(move.getAlias()),
            versionCell(move.getFromVersion()) + " → " + versionCell(move.getToVersion()),
            move.getMovedBy(), move.getPromotion());
      }
      return table;
    });
  }
}
