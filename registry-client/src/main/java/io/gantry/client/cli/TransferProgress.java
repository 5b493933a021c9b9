package io.gantry.client.cli;

import io.gantry.client.TransferListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A transfer's progress on stderr: bytes done of the total, the rate, the time left and the current file; then one
 * summary line. On a terminal the line is rewritten in place; elsewhere (a CI log) a new line is written each second,
 * since a carriage return there makes one endless line. Prints nothing when it has nowhere to print.
 */
final class TransferProgress implements TransferListener {

  /** What is being done to the files, as the line and the summary say it. */
  enum Kind {
    HASHING("hashing", "hashed"),
    UPLOAD("uploading", "uploaded"),
    DOWNLOAD("downloading", "downloaded");

    final String doing;
    final String done;

    Kind(String doing, String done) {
      this.doing = doing;
      this.done = done;
    }
  }

  // Ten redraws a second read as smooth and cost nothing next to the bytes moved.
  private static final long REDRAW_NANOS = 100_000_000L;
  // A log keeps every line: one a second.
  private static final long LOG_LINE_NANOS = 1_000_000_000L;
  // The rate of the first moments (connecting, the JIT warming up) says little about the time left.
  private static final double ETA_AFTER_SECONDS = 1;
  private static final double MIB = 1 << 20;

  private final PrintWriter err;
  private final boolean inPlace;
  private final Kind kind;
  private final int files;
  private final long totalBytes;
  private final long startNanos = System.nanoTime();
  private long doneBytes;
  private String currentPath = "";
  private long drawnAtNanos;
  private int drawnWidth;

  /** With {@code err} null, nothing is shown; {@code inPlace}: err is a terminal, where a line can be rewritten. */
  TransferProgress(PrintWriter err, boolean inPlace, Kind kind, int files, long totalBytes) {
    this.err = err;
    this.inPlace = inPlace;
    this.kind = kind;
    this.files = files;
    this.totalBytes = totalBytes;
  }

  @Override
  public void fileStarted(String path, long size) {
    currentPath = path;
    draw();
  }

  @Override
  public void transferred(long bytes) {
    doneBytes += bytes;
    draw();
  }

  /** Replaces the progress line with the summary: files, bytes, time and rate. */
  void finish() {
    if (err == null) {
      return;
    }
    double seconds = elapsedSeconds();
    rewrite(String.format(Locale.ROOT, "%s %d file%s, %s in %.1f s (%.1f MiB/s)", kind.done, files,
        files == 1 ? "" : "s", Cells.humanSize(doneBytes), seconds, rate(seconds) / MIB));
    if (inPlace) {
      err.println();
    }
    drawnWidth = 0;
  }

  /** Ends the progress line where it stands, so that an error message starts on a line of its own. */
  void abandon() {
    if (err != null && inPlace && drawnWidth > 0) {
      err.println();
    }
  }

  private void draw() {
    long now = System.nanoTime();
    if (err == null || (drawnWidth > 0 && now - drawnAtNanos < (inPlace ? REDRAW_NANOS : LOG_LINE_NANOS))) {
      return;
    }
    drawnAtNanos = now;
    double seconds = elapsedSeconds();
    double rate = rate(seconds);
    String eta = seconds >= ETA_AFTER_SECONDS && rate > 0 ? duration((totalBytes - doneBytes) / rate) : "--";
    long percent = totalBytes == 0 ? 100 : doneBytes * 100 / totalBytes;
    rewrite(String.format(Locale.ROOT, "%s %.1f/%.1f MiB %3d%%  %.1f MiB/s  ETA %s  %s", kind.doing,
        doneBytes / MIB, totalBytes / MIB, percent, rate / MIB, eta, currentPath));
  }

  /** Returns to the start of the line and writes {@code line} over what was there; in a log, a line of its own. */
  private void rewrite(String line) {
    if (!inPlace) {
      err.println(line);
      drawnWidth = line.length();
      return;
    }
    err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
    err.flush();
    drawnWidth = line.length();
  }

  private double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private double rate(double seconds) {
    return seconds > 0 ? doneBytes / seconds : 0;
  }

  /** {@code 42s}, {@code 3:07}, {@code 1:02:03}. */
  private static String duration(double seconds) {
    long total = Math.round(seconds);
    if (total < 60) {
      return total + "s";
    }
    long hours = total / 3600;
    long minutes = total / 60 % 60;
    long rest = total % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, rest)
        : String.format(Locale.ROOT, "%d:%02d", minutes, rest);
  }
}
