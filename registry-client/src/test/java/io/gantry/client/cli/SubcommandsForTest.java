package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run builds only the subcommand it calls, and help still lists every one. */
class SubcommandsForTest {

  @Test
  void aCommandsNameBuildsThatCommandAlone() {
    assertThat(GantryCli.subcommandsFor(new String[] {"resolve", "models:/x@champion"}))
        .containsExactly(ResolveCommand.class);
    assertThat(GantryCli.subcommandsFor(new String[] {"--version"})).isEmpty();
    assertThat(GantryCli.subcommandsFor(new String[] {"model", "list"})).isEqualTo(GantryCli.SUBCOMMANDS);
    assertThat(GantryCli.subcommandsFor(new String[0])).isEqualTo(GantryCli.SUBCOMMANDS);
  }

  @Test
  void helpListsEveryCommand_andACommandsHelpIsItsOwn() {
    String help = CliResult.succeed(Map.of(), "--help");
    for (Class<?> command : GantryCli.SUBCOMMANDS) {
      assertThat(help).contains("  " + command.getAnnotation(picocli.CommandLine.Command.class).name() + " ");
    }
    assertThat(CliResult.succeed(Map.of(), "resolve", "--help")).startsWith("Usage: gantry resolve ");
  }
}
