package io.gantry.client.cli;

import io.gantry.client.ResourceNames;
import java.util.List;

/**
 * A version at the front of the positional arguments, given as {@code MODEL VERSION} or as one
 * {@code models:/MODEL/VERSION}, and the arguments after it.
 */
record VersionArguments(String versionName, List<String> rest) {

  static final String LABEL = "(MODEL VERSION | models:/MODEL/VERSION)";
  static final String DESCRIPTION = "The version: a model name and a version number, or models:/MODEL/VERSION.";

  static VersionArguments parse(List<String> arguments, CommonOptions common) {
    try {
      if (ResourceNames.isVersionReference(arguments.get(0))) {
        return new VersionArguments(ResourceNames.version(arguments.get(0)), arguments.subList(1, arguments.size()));
      }
      if (arguments.size() < 2) {
        throw common.usageError("missing VERSION after MODEL '" + arguments.get(0) + "' (or give models:/MODEL/VERSION)");
      }
      return new VersionArguments(
          ResourceNames.version(arguments.get(0), arguments.get(1)), arguments.subList(2, arguments.size()));
    } catch (IllegalArgumentException e) {
      throw common.usageError(e.getMessage());
    }
  }

  /** The version named by all of {@code arguments}. */
  static String versionName(List<String> arguments, CommonOptions common) {
    VersionArguments parsed = parse(arguments, common);
    if (!parsed.rest().isEmpty()) {
      throw common.usageError("unexpected argument '" + parsed.rest().get(0) + "'");
    }
    return parsed.versionName();
  }
}
