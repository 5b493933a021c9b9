package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One in-process run of the CLI: its exit code and what it printed. */
record CliResult(int exitCode, String out, String err) {

  static CliResult run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode = GantryCli.run(args,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new CliResult(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs the CLI, asserts it succeeded quietly, and returns what it printed. */
  static String succeed(Map<String, String> env, String... args) {
    CliResult result = run(env, args);
    assertThat(result.exitCode()).as("exit code of %s; stderr: %s", List.of(args), result.err()).isZero();
    assertThat(result.err()).isEmpty();
    return result.out();
  }

  /** Reads a key/value block of the table output: the key, then two or more spaces, then the value. */
  static Map<String, String> fields(String block) {
    Map<String, String> fields = new LinkedHashMap<>();
    block.lines().map(line -> line.split(" {2,}", 2)).forEach(pair -> fields.put(pair[0], pair[1]));
    return fields;
  }

  /** The parts of a table output that blank lines separate: a key/value block, then tables. */
  static List<String> sections(String output) {
    return List.of(output.split("\n\n"));
  }

  /** The rows of a table whose cells are two or more spaces apart, header first. */
  static List<List<String>> rows(String table) {
    return table.lines().map(line -> List.of(line.split(" {2,}"))).toList();
  }

  /**
   * Parses {@code -o json} output back into the message type of {@code prototype}, after checking it keeps the
   * CLI's JSON contract ({@link JsonContract}); enum words get back their prefix for protobuf's parser.
   */
  static <T extends Message> T json(T prototype, String json) throws Exception {
    JsonNode tree = JsonContract.check(json, prototype.getDescriptorForType());
    Message.Builder builder = prototype.toBuilder();
    JsonFormat.parser().merge(JsonContract.MAPPER.writeValueAsString(
        JsonContract.withEnumPrefixes(tree, prototype.getDescriptorForType())), builder);
    @SuppressWarnings("unchecked") // the builder of a T builds a T
    T message = (T) builder.build();
    return message;
  }
}
