package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.aliasId;
import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.versionCell;

import io.gantry.v1.Alias;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.AliasMove;

/** How {@code gantry watch} shows an alias's state and its moves as they arrive. */
final class WatchView {

  // Rows printed as they arrive cannot be measured first: TIME, ALIAS (ids are short), REVISION,
  // VERSION ("12 → 13"), BY get fixed widths.
  private static final String WATCHED_ROW = "%-20s  %-12s  %-8s  %-9s  %-12s  %s";

  private WatchView() {
  }

  /** The header of a watch; nothing for JSON, where each event is one line. */
  static void header(Printer printer) {
    printer.header(String.format(WATCHED_ROW, "TIME", "ALIAS", "REVISION", "VERSION", "BY", "PROMOTION"));
  }

  /** The state an alias is in when a watch has caught up: its version alone in the VERSION column. */
  static void current(Printer printer, Alias alias) {
    printer.printLine(AliasEvent.newBuilder().setCurrent(alias).build(), out -> out.println(String.format(
        WATCHED_ROW, time(alias.getUpdateTime()), aliasId(alias.getName()), alias.getRevision(),
        versionCell(alias.getVersion()), alias.getUpdatedBy(), alias.getPromotion()).stripTrailing()));
  }

  /** A move as it arrives: from → to in the VERSION column. */
  static void moved(Printer printer, AliasMove move) {
    printer.printLine(AliasEvent.newBuilder().setMoved(move).build(), out -> out.println(String.format(
        WATCHED_ROW, time(move.getMoveTime()), aliasId(move.getAlias()), move.getRevision(),
        versionCell(move.getFromVersion()) + " → " + versionCell(move.getToVersion()), move.getMovedBy(),
        move.getPromotion()).stripTrailing()));
  }
}
