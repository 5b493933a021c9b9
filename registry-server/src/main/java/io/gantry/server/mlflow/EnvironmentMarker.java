package io.gantry.server.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the grammar of a PEP 508 environment marker ({@code python_version < "3.10"}). The
 * marker is kept as written; this only rejects what pip would refuse to install from.
 */
final class EnvironmentMarker {

  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(?:(?<paren>[()])|(?<string>'[^']*'|\"[^\"]*\")|(?<op>===|==|~=|!=|<=|>=|<|>)"
          + "|(?<word>[A-Za-z_][A-Za-z0-9_.]*))");
  // PEP 508's variables, the dotted spellings packaging still accepts, and PEP 735/751 additions.
  private static final Set<String> VARIABLES = Set.of(
      "python_version", "python_full_version", "os_name", "os.name", "sys_platform",
      "sys.platform", "platform_release", "platform_system", "platform_version",
      "platform.version", "platform_machine", "platform.machine", "platform_python_implementation",
      "platform.python_implementation", "python_implementation", "implementation_name",
      "implementation_version", "extra", "extras", "dependency_groups");

  private record Token(String kind, String text) {}

  private final String marker;
  private final int line;
  private final List<Token> tokens = new ArrayList<>();
  private int next;

  private EnvironmentMarker(String marker, int line) {
    this.marker = marker;
    this.line = line;
  }

  static void validate(String marker, int line) {
    EnvironmentMarker parser = new EnvironmentMarker(marker, line);
    parser.tokenize();
    parser.or();
    if (parser.next < parser.tokens.size()) {
      throw parser.invalid("expected \"and\", \"or\" or the end");
    }
  }

  private void tokenize() {
    Matcher matcher = TOKEN.matcher(marker);
    int at = 0;
    while (!marker.substring(at).isBlank()) {
      if (!matcher.region(at, marker.length()).lookingAt()) {
        throw new Malformed(line, "invalid environment marker \"" + marker + "\": unexpected \""
            + marker.substring(at).strip() + "\"");
      }
      for (String kind : List.of("paren", "string", "op", "word")) {
        if (matcher.group(kind) != null) {
          tokens.add(new Token(kind, matcher.group(kind)));
        }
      }
      at = matcher.end();
    }
  }

  private void or() {
    and();
    while (accept("or")) {
      and();
    }
  }

  private void and() {
    atom();
    while (accept("and")) {
      atom();
    }
  }

  private void atom() {
    if (accept("(")) {
      or();
      if (!accept(")")) {
        throw invalid("expected \")\"");
      }
      return;
    }
    operand();
    if (peek("op")) {
      next++;
    } else if (accept("not")) {
      if (!accept("in")) {
        throw invalid("expected \"in\" after \"not\"");
      }
    } else if (!accept("in")) {
      throw invalid("expected a comparison operator");
    }
    operand();
  }

  private void operand() {
    if (peek("string")) {
      next++;
      return;
    }
    if (peek("word") && VARIABLES.contains(tokens.get(next).text())) {
      next++;
      return;
    }
    throw invalid("expected a marker variable (python_version, sys_platform ...) or a quoted string");
  }

  private boolean peek(String kind) {
    return next < tokens.size() && tokens.get(next).kind().equals(kind);
  }

  private boolean accept(String text) {
    if (next < tokens.size() && tokens.get(next).text().equals(text)
        && !tokens.get(next).kind().equals("string")) {
      next++;
      return true;
    }
    return false;
  }

  private Malformed invalid(String expected) {
    String found = next < tokens.size() ? "\"" + tokens.get(next).text() + "\"" : "the end";
    return new Malformed(
        line, "invalid environment marker \"" + marker + "\": " + expected + ", found " + found);
  }
}
