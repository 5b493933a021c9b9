package io.gantry.server.mlflow;

import static io.gantry.server.mlflow.YamlDocument.describe;
import static io.gantry.server.mlflow.YamlDocument.line;

import io.gantry.v1.CondaDependency;
import io.gantry.v1.CondaEnvironment;
import io.gantry.v1.PinState;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads a conda.yaml: channels, conda match specs and the nested pip list. */
final class CondaFile {

  private static final Pattern SPEC = Pattern.compile("(?<name>[^\\s=<>!~]+)(?<rest>.*)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]*");
  // conda's own split of "version build" and "version=build": the build is the last word after a
  // space or "=" that is not part of an operator (conda.models.match_spec._parse_version_plus_build).
  private static final Pattern VERSION_BUILD =
      Pattern.compile("((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])[ =]([^-=,|<>~]+?))?$");
  private static final Pattern CLAUSE = Pattern.compile("(==|!=|>=|<=|~=|>|<|=)?([A-Za-z0-9_.*+!]*)");

  private CondaFile() {}

  /** Returns null when the file is not a YAML mapping. */
  static CondaEnvironment parse(String text, List<Malformed> problems) {
    YamlDocument.Root root = YamlDocument.root(text, problems);
    if (root == null) {
      return null;
    }
    CondaEnvironment.Builder environment = CondaEnvironment.newBuilder();
    for (var entry : root.entries().entrySet()) {
      Node value = entry.getValue().getValueNode();
      try {
        // Other keys (prefix, variables) say nothing about packages.
        switch (entry.getKey()) {
          case "name" -> environment.setName(YamlDocument.text(value, "name"));
          case "channels" -> readChannels(value, environment, problems);
          case "dependencies" -> readDependencies(value, environment, problems);
          default -> { }
        }
      } catch (Malformed e) {
        problems.add(e);
      }
    }
    return environment.build();
  }

  private static void readChannels(
      Node channels, CondaEnvironment.Builder environment, List<Malformed> problems) {
    List<Node> items = YamlDocument.list(channels, "channels");
    for (int i = 0; i < items.size(); i++) {
      try {
        environment.addChannels(YamlDocument.string(items.get(i), "channels[" + i + "]"));
      } catch (Malformed e) {
        problems.add(e);
      }
    }
  }

  private static void readDependencies(
      Node dependencies, CondaEnvironment.Builder environment, List<Malformed> problems) {
    List<Node> items = YamlDocument.list(dependencies, "dependencies");
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String path = "dependencies[" + i + "]";
      try {
        if (item instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
          environment.addDependencies(dependency(scalar.getValue(), path, line(item)));
        } else if (item instanceof MappingNode mapping && mapping.getTag().equals(Tag.MAP)) {
          for (var entry : YamlDocument.entries(mapping, path).entrySet()) {
            if (!entry.getKey().equals("pip")) {
              throw new Malformed(line(entry.getValue().getKeyNode()), path
                  + ": expected a conda package spec or a \"pip:\" list, found a mapping with key \""
                  + entry.getKey() + "\"");
            }
            environment.addAllPip(PipRequirements.parseList(
                entry.getValue().getValueNode(), path + ".pip", problems));
          }
        } else {
          throw new Malformed(line(item), path
              + ": expected a conda package spec or a \"pip:\" list, found " + describe(item));
        }
      } catch (Malformed e) {
        problems.add(e);
      }
    }
  }

  /** Reads a conda match spec: {@code [channel::]name[ version[ build]]} or with "=" between. */
  private static CondaDependency dependency(String spec, String path, int line) {
    CondaDependency.Builder dependency = CondaDependency.newBuilder().setSpec(spec);
    String rest = spec.strip();
    if (rest.contains("[")) {
      throw new Malformed(line, path + ": conda specs with [key=value] brackets are not supported,"
          + " found \"" + spec + "\"");
    }
    int channelEnd = rest.lastIndexOf("::");
    if (channelEnd >= 0) {
      if (channelEnd == 0) {
        throw new Malformed(line, path + ": expected a channel before \"::\" in \"" + spec + "\"");
      }
      dependency.setChannel(rest.substring(0, channelEnd));
      rest = rest.substring(channelEnd + 2);
    }
    Matcher parts = SPEC.matcher(rest);
    if (!parts.matches() || !NAME.matcher(parts.group("name")).matches()) {
      throw new Malformed(line, path + ": expected a package name at the start of \"" + spec + "\"");
    }
    dependency.setName(parts.group("name"));
    String versionBuild = parts.group("rest").strip();
    if (versionBuild.isEmpty()) {
      return dependency.setPinState(PinState.PIN_STATE_UNPINNED).build();
    }
    Matcher split = VERSION_BUILD.matcher(versionBuild);
    if (!split.matches()) {
      throw new Malformed(line, path + ": cannot read the version of \"" + spec + "\"");
    }
    String version = split.group(1).replace(" ", "");
    String build = split.group(2) == null ? "" : split.group(2).strip();
    for (String clause : version.split("[,|]", -1)) {
      Matcher matcher = CLAUSE.matcher(clause);
      if (!matcher.matches() || matcher.group(2).isEmpty()) {
        throw new Malformed(line, path + ": " + (matcher.matches()
            ? "expected a version after \"" + clause + "\" in \"" + spec + "\""
            : "invalid version constraint \"" + clause + "\" in \"" + spec + "\""));
      }
    }
    boolean single = !version.contains(",") && !version.contains("|");
    // "=" is conda's separator in name=version=build; the version is what follows it.
    boolean separator = single && version.startsWith("=") && !version.startsWith("==");
    return dependency
        .setVersion(separator ? version.substring(1) : version)
        .setBuild(build)
        .setPinState(single ? pinState(version, build) : PinState.PIN_STATE_RANGE)
        .build();
  }

  /**
   * One exact version, conda's way: {@code ==1.2}, a bare {@code 1.2}, or a version with a build.
   * {@code =1.2} alone means {@code 1.2.*} to conda, so it is a range.
   */
  private static PinState pinState(String version, String build) {
    if (version.startsWith("==")) {
      return version.contains("*") ? PinState.PIN_STATE_RANGE : PinState.PIN_STATE_PINNED;
    }
    if (version.startsWith("=")) {
      return build.isEmpty() ? PinState.PIN_STATE_RANGE : PinState.PIN_STATE_PINNED;
    }
    if ("<>!~".indexOf(version.charAt(0)) >= 0) {
      return PinState.PIN_STATE_RANGE;
    }
    if (version.equals("*")) {
      return build.isEmpty() ? PinState.PIN_STATE_UNPINNED : PinState.PIN_STATE_RANGE;
    }
    return build.isEmpty() && version.contains("*")
        ? PinState.PIN_STATE_RANGE
        : PinState.PIN_STATE_PINNED;
  }
}
