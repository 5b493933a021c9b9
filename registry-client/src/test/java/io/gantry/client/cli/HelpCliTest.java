package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help and usage: every command's --help prints without picocli warnings and explains every option; the top-level
 * help, docs/cli.md and {@link ExitCode} agree on the exit codes and the environment; mistakes suggest the fix.
 */
class HelpCliTest {

  private static final Path CLI_DOC = Path.of("..", "docs", "cli.md");
  private static final List<String> ENVIRONMENT = List.of("GANTRY_TARGET", "GANTRY_USER", "GANTRY_TOKEN",
      "GANTRY_TOKEN_FILE", "GANTRY_TLS", "GANTRY_CA_FILE", "GANTRY_CERT_FILE", "GANTRY_KEY_FILE",
      "MLFLOW_TRACKING_TOKEN");

  /** A command's subcommands: gantry's are added as it runs (GantryCli.SUBCOMMANDS), the others' are annotated. */
  private static List<Class<?>> subcommands(Class<?> command) {
    return command == GantryCli.class ? GantryCli.SUBCOMMANDS
        : List.of(command.getAnnotation(Command.class).subcommands());
  }

  /** Every command path below gantry, e.g. {@code [models, list]}. */
  private static List<List<String>> commandPaths(Class<?> command, List<String> path) {
    List<List<String>> paths = new ArrayList<>();
    paths.add(path);
    for (Class<?> subcommand : subcommands(command)) {
      List<String> longer = new ArrayList<>(path);
      longer.add(subcommand.getAnnotation(Command.class).name());
      paths.addAll(commandPaths(subcommand, longer));
    }
    return paths;
  }

  private static Class<?> commandClass(List<String> path) {
    Class<?> command = GantryCli.class;
    for (String name : path) {
      for (Class<?> subcommand : subcommands(command)) {
        if (subcommand.getAnnotation(Command.class).name().equals(name)) {
          command = subcommand;
        }
      }
    }
    return command;
  }

  @Test
  void everyCommandsHelp_printsNoWarning_andExplainsEveryOption() throws Exception {
    List<List<String>> paths = commandPaths(GantryCli.class, List.of());
    assertThat(paths).hasSizeGreaterThan(60).contains(List.of("eval", "list"));
    PrintStream processErr = System.err;
    ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
    // picocli writes its warnings to the process's stderr, not to the command line's
    System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
    try {
      for (List<String> path : paths) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        CliResult help = CliResult.run(Map.of(), args.toArray(String[]::new));
        assertThat(help.exitCode()).as("gantry %s", args).isZero();
        assertThat(help.err()).as("gantry %s", args).isEmpty();
        assertThat(help.out()).as("gantry %s", args).doesNotContain("picocli WARN").startsWith("Usage: gantry");
        assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).as("gantry %s", args).isEmpty();

        CommandSpec spec = CommandSpec.forAnnotatedObject(commandClass(path));
        for (OptionSpec option : spec.options()) {
          assertThat(String.join(" ", option.description())).as("gantry %s %s", String.join(" ", path),
              option.longestName()).isNotBlank();
        }
      }
    } finally {
      System.setErr(processErr);
    }
  }

  @Test
  void topLevelHelp_docsAndCode_agreeOnExitCodesAndEnvironment() throws Exception {
    String help = CliResult.succeed(Map.of(), "--help");
    String doc = Files.readString(CLI_DOC);
    assertThat(help).contains("--target HOST[:PORT]", "-o json", "docs/cli.md");
    for (String variable : ENVIRONMENT) {
      assertThat(help).as("--help, one line a variable").containsPattern("(?m)^  " + variable + " {2,}\\S");
      assertThat(doc).as("docs/cli.md").contains("`" + variable + "`");
    }
    // The exit code table of docs/cli.md: | 0 | `OK` | … |, one row a code, in order.
    Matcher rows = Pattern.compile("(?m)^\\| (\\d+) +\\| `([A-Z_]+)` +\\|").matcher(doc);
    List<String> documented = new ArrayList<>();
    while (rows.find()) {
      documented.add(rows.group(1) + " " + rows.group(2));
    }
    List<String> coded = new ArrayList<>();
    for (ExitCode exitCode : ExitCode.values()) {
      coded.add(exitCode.code + " " + exitCode.name());
      String meaningStart = exitCode.meaning.substring(0, Math.min(20, exitCode.meaning.length()));
      assertThat(help).containsPattern("(?m)^ +" + exitCode.code + " +" + Pattern.quote(meaningStart));
    }
    assertThat(documented).isEqualTo(coded);
  }

  @Test
  void anUnknownSubcommandOrOption_suggestsTheCommandMeant() {
    CliResult subcommand = CliResult.run(Map.of(), "model", "list");
    assertThat(subcommand.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(subcommand.err()).contains("Did you mean: gantry models list?");

    CliResult option = CliResult.run(Map.of(), "models", "create", "taxi", "--tagg", "team=risk");
    assertThat(option.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(option.err()).contains("Did you mean: gantry models create taxi --tag team=risk?");
  }

  @Test
  void aMalformedMetric_isNamedOnce() {
    CliResult result = CliResult.run(Map.of(), "eval", "report", "taxi", "1", "--dataset", "d", "--metric", "auc");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(result.err()).contains("option '--metric'").doesNotContain("option option");
  }

  @Test
  void theHelpOfAnExampleWithAPercentSign_printsIt() {
    assertThat(CliResult.succeed(Map.of(), "models", "list", "--help")).contains("taxi-%");
  }
}
