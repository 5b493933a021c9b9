package io.gantry.client.cli;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/** How the views write the values they share (times, sizes, hashes, versions) into a table cell. */
final class Cells {

  private Cells() {
  }

  /** An instant to the second; empty for an unset time, so that a block leaves it out. */
  static String time(Timestamp timestamp) {
    return timestamp.getSeconds() == 0 && timestamp.getNanos() == 0
        ? ""
        : Instant.ofEpochSecond(timestamp.getSeconds()).toString();
  }

  static String timeAndActor(Timestamp timestamp, String actor) {
    String time = time(timestamp);
    return actor.isEmpty() ? time : time + " by " + actor;
  }

  /** A description in a table: its first line, and a mark that there is more. */
  static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " …";
  }

  /** {@code 3145728 (3.0 MiB)}: the exact count for scripts, the rounded one for people. */
  static String sizeCell(long bytes) {
    return bytes < 1024 ? bytes + " bytes" : bytes + " (" + humanSize(bytes) + ")";
  }

  /** {@code 512 bytes}, {@code 4.0 KiB}, {@code 3.0 MiB}, {@code 1.2 GiB}. */
  static String humanSize(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    String units = "KMGTPE";
    int exponent = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, exponent), units.charAt(exponent - 1));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Version 0 stands for none (a removal's target, an alias that did not exist); in a table an empty cell would
   * read as a misaligned column.
   */
  static String versionCell(long version) {
    return version == 0 ? "-" : Long.toString(version);
  }

  /** {@code models/taxi/aliases/champion} → {@code champion}. */
  static String aliasId(String aliasName) {
    return aliasName.substring(aliasName.lastIndexOf('/') + 1);
  }
}
