package io.gantry.server.mlflow;

import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_CONSTRAINTS_FILE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_EDITABLE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_OPTION;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_PACKAGE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_REQUIREMENTS_FILE;
import static io.gantry.v1.RequirementKind.REQUIREMENT_KIND_URL;

import io.gantry.v1.PinState;
import io.gantry.v1.Requirement;
import io.gantry.v1.RequirementKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * pip requirement lines, read the way pip reads them: requirements.txt, and the pip lists of
 * conda.yaml and python_env.yaml. A line is a PEP 508 requirement (or a bare URL or path) followed
 * by per-requirement options such as {@code --hash}, or a line of options such as {@code -r file}.
 */
final class PipRequirements {

  // pip's comment rule: "#" at the start or after whitespace, so a URL's "#egg=" fragment stays.
  private static final Pattern COMMENT = Pattern.compile("(^|\\s+)#.*$");
  // pip joins a continued line with line.strip("\\"): backslashes go from both ends.
  private static final Pattern EDGE_BACKSLASHES = Pattern.compile("^\\\\+|\\\\+$");
  // The line breaks of Python's str.splitlines, so line numbers match pip's.
  private static final Pattern LINE_BREAK =
      Pattern.compile("\r\n|[\n\r\u000B\u000C\u001C\u001D\u001E\u0085\u2028\u2029]");
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern NAME_SEPARATORS = Pattern.compile("[-_.]+");
  private static final Pattern NAME_AT_URL =
      Pattern.compile("^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\\s*(?:\\[[^\\]]*\\])?\\s*@");
  // The schemes pip treats as a URL requirement: plain ones and its VCS schemes.
  private static final Pattern PIP_URL =
      Pattern.compile("^(?:https?|file|ftp|git|svn|(?:git|hg|svn|bzr)\\+[a-z-]+):",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern URL_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:\\S+$");
  private static final Pattern ARCHIVE =
      Pattern.compile("\\.(?:whl|zip|tar|tar\\.gz|tgz|tar\\.bz2|tbz|tar\\.xz|txz|tar\\.lz|tlz|tar\\.lzma)$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern CLAUSE = Pattern.compile("^(===|~=|==|!=|<=|>=|<|>)\\s*(.*)$");

  // PEP 440 versions, in the pieces packaging's specifier grammar combines per operator.
  private static final String EPOCH_RELEASE = "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*";
  private static final String PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
  private static final String POST = "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?";
  private static final String DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
  private static final String LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
  private static final Pattern EQUALITY_VERSION = Pattern.compile(
      EPOCH_RELEASE + "(?:\\.\\*|" + PRE + POST + DEV + LOCAL + ")", Pattern.CASE_INSENSITIVE);
  private static final Pattern COMPATIBLE_VERSION = Pattern.compile(
      "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+" + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);
  private static final Pattern ORDERED_VERSION =
      Pattern.compile(EPOCH_RELEASE + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);
  private static final Pattern ARBITRARY_VERSION = Pattern.compile("[^\\s;)]+");

  private static final Set<String> HASH_ALGORITHMS = Set.of("sha256", "sha384", "sha512");

  /** A pip option; {@code kind} is null for the options that qualify a requirement. */
  private record Option(String name, String shortName, boolean takesValue, RequirementKind kind) {}

  private static final List<Option> OPTIONS = List.of(
      new Option("--index-url", "-i", true, REQUIREMENT_KIND_OPTION),
      new Option("--extra-index-url", null, true, REQUIREMENT_KIND_OPTION),
      new Option("--no-index", null, false, REQUIREMENT_KIND_OPTION),
      new Option("--constraint", "-c", true, REQUIREMENT_KIND_CONSTRAINTS_FILE),
      new Option("--requirement", "-r", true, REQUIREMENT_KIND_REQUIREMENTS_FILE),
      new Option("--editable", "-e", true, REQUIREMENT_KIND_EDITABLE),
      new Option("--find-links", "-f", true, REQUIREMENT_KIND_OPTION),
      new Option("--no-binary", null, true, REQUIREMENT_KIND_OPTION),
      new Option("--only-binary", null, true, REQUIREMENT_KIND_OPTION),
      new Option("--prefer-binary", null, false, REQUIREMENT_KIND_OPTION),
      new Option("--require-hashes", null, false, REQUIREMENT_KIND_OPTION),
      new Option("--pre", null, false, REQUIREMENT_KIND_OPTION),
      new Option("--trusted-host", null, true, REQUIREMENT_KIND_OPTION),
      new Option("--use-feature", null, true, REQUIREMENT_KIND_OPTION),
      new Option("--hash", null, true, null),
      new Option("--global-option", null, true, null),
      new Option("--config-settings", null, true, null));

  /** An option as given: {@code name} is the spelling used ("-r" or "--requirement"). */
  private record ParsedOption(Option option, String name, String value, String text) {}

  private PipRequirements() {}

  /** Reads a requirements.txt; each malformed line is reported and skipped. */
  static List<Requirement> parseFile(String text, List<Malformed> problems) {
    List<Requirement> requirements = new ArrayList<>();
    String[] lines = LINE_BREAK.split(text, -1);
    StringBuilder continued = null;
    int continuedFrom = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean comment = COMMENT.matcher(line).lookingAt();
      if (line.endsWith("\\") && !comment) {
        if (continued == null) {
          continued = new StringBuilder();
          continuedFrom = i + 1;
        }
        continued.append(EDGE_BACKSLASHES.matcher(line).replaceAll(""));
        continue;
      }
      if (continued == null) {
        readLine(line, i + 1, requirements, problems);
      } else {
        // As pip does: a comment line ends the continuation and is dropped as a comment.
        continued.append(comment ? " " + line : line);
        readLine(continued.toString(), continuedFrom, requirements, problems);
        continued = null;
      }
    }
    if (continued != null) {
      readLine(continued.toString(), continuedFrom, requirements, problems);
    }
    return requirements;
  }

  /**
   * Reads a YAML list of pip requirements (the pip list of conda.yaml, the lists of
   * python_env.yaml); each malformed entry is reported and skipped.
   */
  static List<Requirement> parseList(Node list, String path, List<Malformed> problems) {
    List<Requirement> requirements = new ArrayList<>();
    List<Node> entries = YamlDocument.list(list, path);
    for (int i = 0; i < entries.size(); i++) {
      int line = YamlDocument.line(entries.get(i));
      try {
        String text = COMMENT.matcher(YamlDocument.string(entries.get(i), "")).replaceAll("").strip();
        if (text.isEmpty()) {
          throw new Malformed(line, "expected a pip requirement, found an empty string");
        }
        requirements.addAll(parseLine(text, line));
      } catch (Malformed e) {
        problems.add(new Malformed(line, path + "[" + i + "]: " + e.getMessage()));
      }
    }
    return requirements;
  }

  private static void readLine(
      String line, int number, List<Requirement> requirements, List<Malformed> problems) {
    String text = COMMENT.matcher(line).replaceAll("").strip();
    if (text.isEmpty()) {
      return;
    }
    try {
      requirements.addAll(parseLine(text, number));
    } catch (Malformed e) {
      problems.add(e);
    }
  }

  private static List<Requirement> parseLine(String text, int line) {
    // pip's split: the requirement runs up to the first space-separated word starting with "-".
    int optionsAt = text.startsWith("-") ? 0 : text.indexOf(" -");
    String requirement = optionsAt < 0 ? text : text.substring(0, optionsAt).strip();
    List<ParsedOption> options =
        optionsAt < 0 ? List.of() : options(shellWords(text.substring(optionsAt), line), line);
    if (!requirement.isEmpty()) {
      Requirement.Builder parsed = requirement(requirement, line);
      for (ParsedOption option : options) {
        if (option.option().kind() != null) {
          throw new Malformed(line, "option " + option.name()
              + " cannot follow a requirement on the same line");
        }
        if (option.option().name().equals("--hash")) {
          parsed.addHashes(hash(option.value(), line));
        }
      }
      return List.of(parsed.setLine(line).setText(text).build());
    }
    List<Requirement> lines = new ArrayList<>();
    for (ParsedOption option : options) {
      if (option.option().kind() == null) {
        throw new Malformed(line, "option " + option.name()
            + " must follow a requirement on the same line");
      }
      lines.add(Requirement.newBuilder()
          .setKind(option.option().kind())
          .setReference(option.value())
          .setPinState(PinState.PIN_STATE_NOT_APPLICABLE)
          .setLine(line)
          .setText(options.size() == 1 ? text : option.text())
          .build());
    }
    return lines;
  }

  private static List<ParsedOption> options(List<String> words, int line) {
    List<ParsedOption> options = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (!word.startsWith("-") || word.equals("-") || word.equals("--")) {
        throw new Malformed(line, "unexpected \"" + word + "\" among options");
      }
      boolean isLong = word.startsWith("--");
      int valueAt = isLong ? word.indexOf('=') : 2;
      String name = valueAt < 0 ? word : word.substring(0, valueAt);
      String value = valueAt < 0 || valueAt >= word.length()
          ? null
          : word.substring(valueAt + (isLong ? 1 : 0));
      Option option = OPTIONS.stream()
          .filter(o -> name.equals(o.name()) || name.equals(o.shortName()))
          .findFirst()
          .orElseThrow(() -> new Malformed(line, "unknown option \"" + name + "\""));
      String text = word;
      if (option.takesValue() && value == null) {
        if (i + 1 == words.size()) {
          throw new Malformed(line, "option " + name + " expects a value");
        }
        value = words.get(++i);
        text = word + " " + value;
      } else if (!option.takesValue() && value != null) {
        throw new Malformed(line, "option " + name + " takes no value, found \"" + value + "\"");
      }
      if (option.takesValue() && value.isEmpty()) {
        throw new Malformed(line, "option " + name + " expects a value");
      }
      options.add(new ParsedOption(option, name, value == null ? "" : value, text));
    }
    return options;
  }

  private static String hash(String value, int line) {
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new Malformed(line, "--hash expects an algorithm and a digest, like sha256:1f3a...,"
          + " found \"" + value + "\"");
    }
    String algorithm = value.substring(0, colon);
    if (!HASH_ALGORITHMS.contains(algorithm)) {
      throw new Malformed(line, "--hash algorithm \"" + algorithm
          + "\" is not allowed; use sha256, sha384 or sha512");
    }
    return value;
  }

  private static Requirement.Builder requirement(String spec, int line) {
    Requirement.Builder requirement = Requirement.newBuilder();
    boolean bareUrl = PIP_URL.matcher(spec).find();
    // pip cuts the marker off first; after a URL it needs "; " so that a ";" in the URL survives.
    String separator = bareUrl ? "; " : ";";
    int markerAt = spec.indexOf(separator);
    String head = markerAt < 0 ? spec : spec.substring(0, markerAt).strip();
    if (markerAt >= 0) {
      String marker = spec.substring(markerAt + separator.length()).strip();
      if (!marker.isEmpty()) {
        EnvironmentMarker.validate(marker, line);
        requirement.setMarker(marker);
      }
    }
    if (bareUrl || (!NAME_AT_URL.matcher(head).find() && looksLikePath(head))) {
      return requirement
          .setKind(REQUIREMENT_KIND_URL)
          .setReference(head)
          .setPinState(PinState.PIN_STATE_NOT_APPLICABLE);
    }
    Matcher name = NAME.matcher(head);
    if (!name.lookingAt()) {
      throw new Malformed(line, "expected a package name, found \"" + head + "\"");
    }
    requirement.setName(NAME_SEPARATORS.matcher(name.group()).replaceAll("-").toLowerCase(Locale.ROOT));
    String rest = head.substring(name.end()).strip();
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw new Malformed(line, "unclosed \"[\" in the extras of \"" + head + "\"");
      }
      String extras = rest.substring(1, close);
      if (!extras.isBlank()) {
        for (String extra : extras.split(",", -1)) {
          if (!NAME.matcher(extra.strip()).matches()) {
            throw new Malformed(line, "invalid extra \"" + extra.strip() + "\" in \"" + head + "\"");
          }
          requirement.addExtras(extra.strip());
        }
      }
      rest = rest.substring(close + 1).strip();
    }
    if (rest.startsWith("@")) {
      String url = rest.substring(1).strip();
      if (!URL_SCHEME.matcher(url).matches()) {
        throw new Malformed(line, url.isEmpty()
            ? "expected a URL after \"@\""
            : "expected a URL after \"@\", found \"" + url + "\"");
      }
      return requirement
          .setKind(REQUIREMENT_KIND_URL)
          .setReference(url)
          .setPinState(PinState.PIN_STATE_NOT_APPLICABLE);
    }
    requirement.setKind(REQUIREMENT_KIND_PACKAGE);
    if (rest.isEmpty()) {
      return requirement.setPinState(PinState.PIN_STATE_UNPINNED);
    }
    if (rest.startsWith("(")) {
      if (!rest.endsWith(")")) {
        throw new Malformed(line, "unclosed \"(\" in \"" + head + "\"");
      }
      rest = rest.substring(1, rest.length() - 1);
    }
    List<String> clauses = specifier(rest, line);
    boolean pinned = clauses.size() == 1
        && (clauses.get(0).startsWith("===")
            || (clauses.get(0).startsWith("==") && !clauses.get(0).endsWith("*")));
    return requirement
        .setSpecifier(String.join(",", clauses))
        .setPinState(pinned ? PinState.PIN_STATE_PINNED : PinState.PIN_STATE_RANGE);
  }

  /** The clauses of a version specifier, each as operator and version without spaces. */
  private static List<String> specifier(String specifier, int line) {
    List<String> clauses = new ArrayList<>();
    for (String part : specifier.split(",", -1)) {
      String clause = part.strip();
      if (clause.isEmpty()) {
        throw new Malformed(line, "empty clause in version specifier \"" + specifier.strip() + "\"");
      }
      Matcher matcher = CLAUSE.matcher(clause);
      if (!matcher.matches()) {
        throw new Malformed(line, clause.startsWith("=")
            ? "\"=\" is not a version operator in \"" + clause + "\"; did you mean \"==\"?"
            : "expected a version operator (==, !=, <=, >=, <, >, ~=, ===), found \"" + clause
                + "\"");
      }
      String operator = matcher.group(1);
      String version = matcher.group(2);
      if (version.isEmpty()) {
        throw new Malformed(line, "expected a version after \"" + operator + "\"");
      }
      Pattern valid = switch (operator) {
        case "===" -> ARBITRARY_VERSION;
        case "==", "!=" -> EQUALITY_VERSION;
        case "~=" -> COMPATIBLE_VERSION;
        default -> ORDERED_VERSION;
      };
      if (!valid.matcher(version).matches()) {
        throw new Malformed(line, "invalid version \"" + version + "\" after \"" + operator + "\"");
      }
      clauses.add(operator + version);
    }
    return clauses;
  }

  private static boolean looksLikePath(String spec) {
    return spec.contains("/") || spec.contains("\\") || spec.startsWith(".")
        || ARCHIVE.matcher(spec).find();
  }

  /** Splits option text into words the way Python's shlex.split does (quotes, backslashes). */
  private static List<String> shellWords(String text, int line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hasNext = i + 1 < text.length();
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\' && hasNext && "\\\"$`".indexOf(text.charAt(i + 1)) >= 0) {
          word.append(text.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        if (word == null) {
          word = new StringBuilder();
        }
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && hasNext) {
          word.append(text.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (quote != 0) {
      throw new Malformed(line, "unclosed quote in \"" + text + "\"");
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
