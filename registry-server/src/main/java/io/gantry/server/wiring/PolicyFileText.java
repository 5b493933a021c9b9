package io.gantry.server.wiring;

import io.gantry.policy.PolicyFileException;
import io.gantry.server.config.ConfigException;
import io.gantry.server.error.GantryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * GANTRY_POLICY_FILE as read once at start-up; each room applies its own section of it (promotions the bindings,
 * access the roles, webhooks the subscriptions). A file that cannot be read or used stops the start with one line.
 */
public record PolicyFileText(Path file, String text) {

  /** Who changes bindings, roles and webhooks from the policy file, in the audit log. */
  static final String ACTOR = "system:policy-file";

  public static Optional<PolicyFileText> read(Optional<Path> file) {
    return file.map(path -> {
      try {
        return new PolicyFileText(path, Files.readString(path));
      } catch (IOException e) {
        throw new ConfigException("GANTRY_POLICY_FILE " + path + " cannot be read: " + e.getMessage(), e);
      }
    });
  }

  /**
   * Applies one section.
   *
   * @param parse reads the section from the text, given the file's name for its messages
   * @param apply stores it, as {@link #ACTOR}
   */
  <T> void apply(BiFunction<String, String, T> parse, BiConsumer<T, String> apply) {
    try {
      apply.accept(parse.apply(text, file.toString()), ACTOR);
      ServerLog.LOG.info("Applied the policy file {}", file);
    } catch (PolicyFileException e) {
      throw new ConfigException("GANTRY_POLICY_FILE: " + e.getMessage(), e);
    } catch (GantryException e) {
      throw new ConfigException("GANTRY_POLICY_FILE " + file + ": " + e.getMessage(), e);
    }
  }
}
