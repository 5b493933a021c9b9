package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.client.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/gantry} as a pipeline runs it, after {@code package}: with the class-data sharing archive the build made
 * beside the jar, and without it (a copy of the launcher and the jar alone), it resolves the same.
 */
class BinGantryIT {

  private static final Path JAR = ReadmeWalkthroughIT.REPOSITORY.resolve("registry-client/target/gantry.jar");

  @TempDir
  static Path dir;

  @RegisterExtension
  static final LocalServer gantry = new LocalServer();

  private static String model;

  @BeforeAll
  static void champion() {
    model = TestFixtures.uniqueModel("launcher");
    Map<String, String> env = gantry.env("alice");
    CliResult.succeed(env, "models", "create", model);
    CliResult.succeed(env, "versions", "register", model, TestFixtures.mlflowModelDirectory().toString(),
        "--no-upload", "--source", "s3://models/" + model);
    CliResult.succeed(env, "promote", model, "1", "--to", "champion");
  }

  @Test
  void withTheArchive_classesComeFromIt() throws Exception {
    assertThat(JAR.resolveSibling("gantry.jsa")).as("made by the package phase").isRegularFile();

    String loaded = resolve(ReadmeWalkthroughIT.REPOSITORY.resolve("bin/gantry"), dir.resolve("with.log"));

    assertThat(loaded).contains("io.gantry.client.cli.GantryCli source: shared objects file");
  }

  @Test
  void withoutTheArchive_itStartsAllTheSame() throws Exception {
    Path copy = dir.resolve("copy");
    Path launcher = Files.createDirectories(copy.resolve("bin")).resolve("gantry");
    Files.copy(ReadmeWalkthroughIT.REPOSITORY.resolve("bin/gantry"), launcher);
    Files.copy(JAR, Files.createDirectories(copy.resolve("registry-client/target")).resolve("gantry.jar"));

    String loaded = resolve(launcher, dir.resolve("without.log"));

    assertThat(loaded).contains("io.gantry.client.cli.GantryCli source: file:")
        .doesNotContain("io.gantry.client.cli.GantryCli source: shared objects file");
  }

  /** Resolves the champion with {@code launcher}, checks what it printed, and returns the JVM's class loading log. */
  private static String resolve(Path launcher, Path classLog) throws Exception {
    ReadmeWalkthroughIT.Bash.Result result = ReadmeWalkthroughIT.Bash.run(
        "\"" + launcher + "\" resolve models:/" + model + "@champion\n", dir,
        Map.of("GANTRY_TARGET", gantry.target(), "JAVA_OPTS", "-Xlog:class+load:file=" + classLog));
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(CliResult.fields(result.output().lines().filter(line -> !line.startsWith("+"))
        .reduce("", (all, line) -> all + line + "\n"))).containsEntry("name", "models/" + model + "/versions/1");
    return Files.readString(classLog);
  }
}
