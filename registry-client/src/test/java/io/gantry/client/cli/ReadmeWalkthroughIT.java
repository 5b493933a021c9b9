package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Five-minute walkthrough" pastes and runs: its {@code sh} blocks, in order, in one bash at the
 * repository root, with {@code bin/gantry} and the jar the package phase built, against a server of its own. A block
 * whose first line says "not run by ReadmeWalkthroughIT" is left out (it runs until Ctrl-C, takes minutes, or needs
 * what a build does not have); one that says it runs "as the bootstrap admin" runs against a second server that
 * verifies callers. Runs after {@code package} (failsafe), as it needs the jar.
 */
class ReadmeWalkthroughIT {

  static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
  private static final Pattern BLOCK = Pattern.compile("(?ms)^```sh\n(.*?)^```\n");
  private static final String SKIPPED = "# not run by ReadmeWalkthroughIT";
  private static final String AS_ADMIN = "# run by ReadmeWalkthroughIT as the bootstrap admin";

  @TempDir
  static Path dir;

  @RegisterExtension
  static final LocalServer gantry = new LocalServer();

  @RegisterExtension
  static final LocalServer verifying = new LocalServer(Map.of("GANTRY_API_TOKENS", "true",
      "GANTRY_BOOTSTRAP_TOKEN_FILE", System.getProperty("java.io.tmpdir") + "/gantry-readme-it-"
          + ProcessHandle.current().pid() + ".token"));

  @Test
  void theWalkthroughRunsAsWritten() throws Exception {
    String readme = Files.readString(REPOSITORY.resolve("README.md"));
    int start = readme.indexOf("\n## Five-minute walkthrough\n");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("the walkthrough heading").isPositive();
    String walkthrough = end < 0 ? readme.substring(start) : readme.substring(start, end);

    StringBuilder script = new StringBuilder("set -eo pipefail\n");
    int blocks = 0;
    Matcher block = BLOCK.matcher(walkthrough);
    while (block.find()) {
      String text = block.group(1);
      if (text.startsWith(SKIPPED)) {
        continue;
      }
      if (text.startsWith(AS_ADMIN)) {
        script.append("(\nexport GANTRY_TARGET=").append(verifying.target())
            .append(" GANTRY_TOKEN_FILE=").append(verifying.settings().get("GANTRY_BOOTSTRAP_TOKEN_FILE"))
            .append("\n").append(text).append(")\n");
      } else {
        script.append(text);
      }
      blocks++;
    }
    assertThat(blocks).as("walkthrough blocks that run").isGreaterThanOrEqualTo(5);

    Bash.Result result = Bash.run(script.toString(), dir, Map.of("GANTRY_TARGET", gantry.target()));
    assertThat(result.exitCode()).as("the walkthrough failed at the last command traced below:%n%s",
        result.tail()).isZero();
    String asOf = result.output().substring(result.output().indexOf("+ bin/gantry resolve "
        + "models:/nyc-taxi-manhattan@champion --as-of "));
    assertThat(asOf.substring(0, asOf.indexOf("\n+ ")))
        .as("the version champion held before the rollback").containsPattern("(?m)^version +3$");
  }

  @AfterAll
  static void deleteTheBootstrapToken() throws IOException {
    Files.deleteIfExists(Path.of(verifying.settings().get("GANTRY_BOOTSTRAP_TOKEN_FILE")));
  }

  /** One bash script, traced, at the repository root; its background jobs end with it. */
  static final class Bash {

    /** @param output stdout and the trace on stderr, interleaved as they came */
    record Result(int exitCode, String output) {
      String tail() {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      }
    }

    static Result run(String script, Path dir, Map<String, String> env) throws IOException, InterruptedException {
      Path file = dir.resolve("script.sh");
      Files.writeString(file, "trap 'status=$?; kill $(jobs -p) 2>/dev/null || true; exit $status' EXIT\nset -x\n" + script);
      Path output = dir.resolve("output.txt");
      ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).directory(REPOSITORY.toFile())
          .redirectErrorStream(true).redirectOutput(output.toFile());
      Map<String, String> environment = builder.environment();
      environment.keySet().removeIf(name -> name.startsWith("GANTRY_"));
      environment.putAll(env);
      // mktemp -d: the walkthrough's $WORK
      environment.put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
      Process process = builder.start();
      boolean ended = process.waitFor(5, TimeUnit.MINUTES);
      if (!ended) {
        process.destroyForcibly().waitFor();
      }
      return new Result(ended ? process.exitValue() : -1, Files.readString(output, StandardCharsets.UTF_8));
    }
  }
}
