package io.gantry.client.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Rows of text printed as left-aligned columns, two spaces apart; only the last column may span lines. */
final class TextTable {

  private final List<String[]> rows = new ArrayList<>();

  TextTable row(String... cells) {
    rows.add(cells);
    return this;
  }

  /** Adds {@code label, value} unless the value is empty: key/value blocks leave out unset fields. */
  TextTable field(String label, String value) {
    return value.isEmpty() ? this : row(label, value);
  }

  void print(PrintWriter out) {
    int columns = rows.stream().mapToInt(row -> row.length).max().orElse(0);
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < row.length - 1; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length - 1; i++) {
        line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      // A multi-line value (a description) keeps to its column.
      String indent = "\n" + " ".repeat(line.length());
      line.append(row[row.length - 1].replace("\n", indent));
      out.println(line.toString().stripTrailing());
    }
  }
}
