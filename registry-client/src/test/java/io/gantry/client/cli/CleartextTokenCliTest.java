package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI says once, on stderr, when it sends a bearer token without TLS to another machine. Each run imports an
 * empty export, which connects (the warning is given when the channel is made) but sends no call, so no server is
 * needed at the TEST-NET address.
 */
class CleartextTokenCliTest {

  private static final String WARNING = "warning: sending a bearer token without TLS to 192.0.2.1:9090; anyone on "
      + "the path can read it (use --tls or --ca-file)";

  @TempDir
  static Path dir;

  private static CliResult importNothing(Map<String, String> env, String... options) throws Exception {
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "{\"registered_models\": []}");
    String[] args = new String[4 + options.length];
    System.arraycopy(new String[] {"import", "mlflow", "--from-file", empty.toString()}, 0, args, 0, 4);
    System.arraycopy(options, 0, args, 4, options.length);
    return CliResult.run(env, args);
  }

  @Test
  void theCli_warnsOnce_forATokenInClear_toANonLoopbackTarget() throws Exception {
    CliResult option = importNothing(Map.of("GANTRY_TARGET", "192.0.2.1:9090"), "--token", "secret");
    assertThat(option.exitCode()).as(option.err()).isZero();
    assertThat(option.err().lines().filter(line -> line.equals(WARNING))).hasSize(1);

    CliResult environment = importNothing(Map.of("GANTRY_TARGET", "192.0.2.1:9090", "GANTRY_TOKEN", "secret"));
    assertThat(environment.err().lines().filter(line -> line.equals(WARNING))).hasSize(1);

    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "secret\n");
    CliResult file = importNothing(Map.of("GANTRY_TARGET", "192.0.2.1:9090"), "--token-file", tokenFile.toString());
    assertThat(file.err().lines().filter(line -> line.equals(WARNING))).hasSize(1);
  }

  @Test
  void theCli_saysNothing_forLoopback_forTls_orWithoutAToken() throws Exception {
    CliResult loopback = importNothing(Map.of("GANTRY_TARGET", "127.0.0.1:9090", "GANTRY_TOKEN", "secret"));
    assertThat(loopback.exitCode()).as(loopback.err()).isZero();
    assertThat(loopback.err()).doesNotContain("warning");

    CliResult tls = importNothing(Map.of("GANTRY_TARGET", "192.0.2.1:9090", "GANTRY_TOKEN", "secret"), "--tls");
    assertThat(tls.err()).doesNotContain("warning");

    CliResult anonymous = importNothing(Map.of("GANTRY_TARGET", "192.0.2.1:9090"));
    assertThat(anonymous.err()).doesNotContain("warning");
  }
}
