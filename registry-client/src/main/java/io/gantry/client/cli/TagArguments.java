package io.gantry.client.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code KEY=VALUE} arguments of the tag commands; the value may itself hold '='. */
final class TagArguments {

  private TagArguments() {}

  static Map<String, String> parse(List<String> arguments, CommonOptions common) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String argument : arguments) {
      int equals = argument.indexOf('=');
      if (equals <= 0) {
        throw common.usageError("expected KEY=VALUE, got '" + argument + "'");
      }
      tags.put(argument.substring(0, equals), argument.substring(equals + 1));
    }
    return tags;
  }
}
