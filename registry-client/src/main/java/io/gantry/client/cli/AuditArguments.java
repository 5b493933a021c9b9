package io.gantry.client.cli;

import io.gantry.v1.AuditAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What the audit commands accept: actions by their short name, keys and files to read. */
final class AuditArguments {

  private static final String ACTION_PREFIX = "AUDIT_ACTION_";

  private AuditArguments() {}

  /** Every action an event can record, in the enum's order. */
  static List<AuditAction> actions() {
    return Arrays.stream(AuditAction.values())
        .filter(action -> action != AuditAction.AUDIT_ACTION_UNSPECIFIED && action != AuditAction.UNRECOGNIZED)
        .toList();
  }

  /** {@code AUDIT_ACTION_MODEL_CREATED} → {@code MODEL_CREATED}, the name the canonical encoding uses. */
  static String actionName(AuditAction action) {
    return action.name().startsWith(ACTION_PREFIX) ? action.name().substring(ACTION_PREFIX.length()) : action.name();
  }

  /** {@code MODEL_CREATED}, {@code model_created} or {@code AUDIT_ACTION_MODEL_CREATED}. */
  static final class ActionConverter implements ITypeConverter<AuditAction> {
    @Override
    public AuditAction convert(String value) {
      String name = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      if (name.startsWith(ACTION_PREFIX)) {
        name = name.substring(ACTION_PREFIX.length());
      }
      for (AuditAction action : actions()) {
        if (actionName(action).equals(name)) {
          return action;
        }
      }
      throw new TypeConversionException(
          "unknown action '" + value + "'; one of " + String.join(", ", new ActionNames()));
    }
  }

  /** The short action names, for the option's help. */
  static final class ActionNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return actions().stream().map(AuditArguments::actionName).iterator();
    }
  }

  /** A verifier key given inline, or as {@code @FILE} holding it. */
  static String verifierKey(String argument, CommonOptions common) {
    return argument.startsWith("@") ? readFile(Path.of(argument.substring(1)), common).strip() : argument.strip();
  }

  /** A UTF-8 text file; a missing or unreadable one is a usage error. */
  static String readFile(Path file, CommonOptions common) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw common.usageError("no such file: " + file);
    } catch (IOException | RuntimeException e) {
      throw common.usageError("cannot read " + file + ": " + e.getMessage());
    }
  }
}
