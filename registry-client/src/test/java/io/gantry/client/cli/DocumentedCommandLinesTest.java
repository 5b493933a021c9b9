package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code bin/gantry …} command line in a {@code sh} block of README.md and docs/*.md parses: its subcommand
 * and options exist and its values convert. Each is run with {@code --help} added, which parses the whole line and
 * then prints help instead of calling a server. Shell variables stand for values of their kind; lines of a shell
 * function, with its positional parameters, are left out.
 */
class DocumentedCommandLinesTest {

  private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
  private static final Pattern BLOCK = Pattern.compile("(?ms)^```sh\n(.*?)^```\n");
  /** Where a command line ends: a pipe, a list, a redirection, a background job, a substitution's end, a comment. */
  private static final Pattern END = Pattern.compile("\\s(\\||;|&&|\\|\\||>|2>|&|#)(\\s|$)|\\)\\s*$|\\)\\s+[|#]");
  private static final Map<String, String> VARIABLES = Map.of("BEFORE_ROLLBACK", "2026-11-22T10:00:00.123456789Z");

  @Test
  void everyDocumentedCommandLineParses() throws IOException {
    List<String> lines = commandLines();
    assertThat(lines).as("command lines found").hasSizeGreaterThan(50);
    List<String> refused = new ArrayList<>();
    for (String line : lines) {
      List<String> args = new ArrayList<>(words(line));
      args.add("--help");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exitCode = GantryCli.run(args.toArray(String[]::new), new PrintStream(OutputStream.nullOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
      if (exitCode != 0) {
        refused.add(line + "\n    " + err.toString(StandardCharsets.UTF_8).strip());
      }
    }
    assertThat(refused).as("documented command lines the CLI refuses").isEmpty();
  }

  private static List<String> commandLines() throws IOException {
    List<Path> files = new ArrayList<>(List.of(REPOSITORY.resolve("README.md")));
    try (Stream<Path> docs = Files.list(REPOSITORY.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<String> lines = new ArrayList<>();
    for (Path file : files) {
      Matcher block = BLOCK.matcher(Files.readString(file));
      while (block.find()) {
        // a line ending in a backslash goes on
        for (String line : block.group(1).replace("\\\n", " ").split("\n")) {
          int start = line.indexOf("bin/gantry ");
          // a shell function's positional parameters ($1) stand for anything
          if (start >= 0 && !line.stripLeading().startsWith("#") && !line.matches(".*\\$[0-9].*")) {
            String command = line.substring(start + "bin/gantry ".length());
            Matcher end = END.matcher(command);
            lines.add((end.find() ? command.substring(0, end.start()) : command).strip());
          }
        }
      }
    }
    return lines;
  }

  /** The words of a command line as the shell splits them, quotes removed and variables replaced. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
      }
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '$' && quote != '\'') {
        Matcher name = Pattern.compile("\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(line).region(i + 1, line.length());
        if (name.lookingAt()) {
          String variable = name.group(1);
          // a loop's counter (for c in 1 16 64) is a number; a script's setting (WORK, ID) a word
          word.append(VARIABLES.getOrDefault(variable,
              variable.equals(variable.toLowerCase()) ? "1" : variable.toLowerCase()));
          i = name.end() - 1;
        } else {
          word.append(c);
        }
      } else {
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
