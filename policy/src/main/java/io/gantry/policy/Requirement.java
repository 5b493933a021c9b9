package io.gantry.policy;

import java.util.Objects;

/**
 * One Python requirement of the candidate, as parsed from {@code requirements.txt}, {@code conda.yaml} (its pip
 * section) or {@code python_env.yaml}.
 *
 * @param name the distribution name as written, such as {@code scikit-learn}
 * @param specifier the version specifier as written, such as {@code ==1.5.2} or {@code >=1.0}; empty when none
 * @param pinned whether the specifier is exactly one {@code ==} clause naming one version (no wildcard)
 * @param line the original line, without its trailing comment
 * @param lineNumber the 1-based line number in {@code sourceFile}
 * @param sourceFile the file the line came from, such as {@code requirements.txt}
 */
public record Requirement(
    String name, String specifier, boolean pinned, String line, int lineNumber, String sourceFile) {

  public Requirement {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(specifier, "specifier");
    Objects.requireNonNull(line, "line");
    Objects.requireNonNull(sourceFile, "sourceFile");
  }

  /** Where the requirement came from, as a person would cite it: {@code requirements.txt:3}. */
  public String location() {
    return sourceFile + ":" + lineNumber;
  }
}
