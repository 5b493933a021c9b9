package io.gantry.client.cli;

import picocli.CommandLine.Option;

/** {@code --progress}, and when a transfer shows its progress without it. */
final class ProgressOption {

  @Option(names = "--progress",
      description = "Show progress on stderr even when it is not a terminal (then a line a second rather than one "
          + "line rewritten), and with -o json.")
  boolean requested;

  /**
   * Progress of moving {@code totalBytes} in {@code files} files: on stderr when asked for, or when stderr is a
   * terminal and the output is not JSON (a script reading JSON wants nothing else).
   */
  TransferProgress start(CommonOptions common, TransferProgress.Kind kind, int files, long totalBytes) {
    boolean shown = requested || (common.stderrIsTerminal() && !common.json());
    return new TransferProgress(shown ? common.err() : null, common.stderrIsTerminal(), kind, files, totalBytes);
  }
}
