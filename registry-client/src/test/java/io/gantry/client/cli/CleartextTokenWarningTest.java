package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When the CLI warns that a bearer token goes without TLS to another machine: the decision, and once a process. */
class CleartextTokenWarningTest {

  private static final String WARNING = "warning: sending a bearer token without TLS to 192.0.2.1:9090; anyone on "
      + "the path can read it (use --tls or --ca-file)";

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5:9090", "192.0.2.1:9090", "gantry.internal:9090", "dns:///10.0.0.5:9090",
      "127.0.0.1.nip.io:9090", "localhost.evil.example:9090", "[2001:db8::1]:9090", "10.0.0.5"})
  void aTokenInClear_toAnotherMachine_isWarnedAbout(String target) {
    assertThat(CleartextTokenWarning.warning(target, false, true)).hasValueSatisfying(warning ->
        assertThat(warning).startsWith("warning: sending a bearer token without TLS to " + target + ";"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:9090", "127.8.9.10:9090", "localhost:9090", "LOCALHOST:9090", "[::1]:9090",
      "dns:///localhost:9090", "dns:///127.0.0.1:9090", "unix:/run/gantry.sock", "unix:///run/gantry.sock",
      "localhost"})
  void aTokenInClear_toThisMachine_saysNothing(String target) {
    assertThat(CleartextTokenWarning.warning(target, false, true)).isEmpty();
  }

  @Test
  void overTls_orWithoutAToken_saysNothing() {
    assertThat(CleartextTokenWarning.warning("10.0.0.5:9090", true, true)).isEmpty();
    assertThat(CleartextTokenWarning.warning("10.0.0.5:9090", false, false)).isEmpty();
  }

  @Test
  void aProcessThatConnectsManyTimes_warnsOnce() {
    CleartextTokenWarning warning = new CleartextTokenWarning();
    StringWriter err = new StringWriter();
    PrintWriter writer = new PrintWriter(err);
    for (int i = 0; i < 3; i++) {
      warning.warnOnce("192.0.2.1:9090", false, true, writer);
    }
    writer.flush();
    assertThat(err.toString().lines()).containsExactly(WARNING);
  }
}
