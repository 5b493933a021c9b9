package io.gantry.policy;

/**
 * A policy file that cannot be read: malformed YAML, or a structure that is not the one {@link PolicyFile}
 * describes. The message reads {@code policy.yaml:7: bindings[1].policies[0]: unknown key 'parms' (known: type,
 * params)}, so an editor or a terminal can jump to the line.
 */
public final class PolicyFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String path;

  /**
   * @param source the file's name, as the caller gave it
   * @param line the 1-based line of the offending element
   * @param path where the element sits in the file, such as {@code bindings[1].alias}; empty for the top level
   * @param problem what is wrong
   */
  PolicyFileException(String source, int line, String path, String problem) {
    super(source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    this.source = source;
    this.line = line;
    this.path = path;
  }

  /** The file's name, as the caller gave it. */
  public String source() {
    return source;
  }

  /** The 1-based line of the offending element. */
  public int line() {
    return line;
  }

  /** Where the offending element sits, such as {@code bindings[1].policies[0]}; empty for the top level. */
  public String path() {
    return path;
  }
}
