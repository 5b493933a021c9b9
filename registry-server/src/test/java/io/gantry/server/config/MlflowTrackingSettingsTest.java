package io.gantry.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GANTRY_MLFLOW_TRACKING_URI and its token: a server named alone, and a token that never crosses in clear. */
class MlflowTrackingSettingsTest {

  @Test
  void withoutTheSetting_nothingIsPinned() {
    assertThat(ServerConfig.fromEnvironment(Map.of()).mlflowTracking()).isEmpty();
  }

  @Test
  void theServer_isReadWithItsDefaults_andItsTokenStaysOutOfItsText() {
    MlflowTracking tracking = ServerConfig.fromEnvironment(Map.of("GANTRY_MLFLOW_TRACKING_URI",
        "https://mlflow.example/prefix/", "GANTRY_MLFLOW_TRACKING_TOKEN", "s3cr3t-token")).mlflowTracking()
        .orElseThrow();

    assertThat(tracking.uri()).isEqualTo(URI.create("https://mlflow.example/prefix"));
    assertThat(tracking.token()).contains("s3cr3t-token");
    assertThat(tracking.attempts()).isEqualTo(5);
    assertThat(tracking.maxBytes()).isEqualTo(20L << 30);
    assertThat(tracking.toString()).doesNotContain("s3cr3t-token");
  }

  @Test
  void aTokenOverPlainHttpToAnotherMachine_isRefused_onLoopbackItIsAllowed() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_MLFLOW_TRACKING_URI", "http://mlflow:5000",
        "GANTRY_MLFLOW_TRACKING_TOKEN", "t"))).isInstanceOf(ConfigException.class).hasMessageContaining("in clear");
    assertThat(ServerConfig.fromEnvironment(Map.of("GANTRY_MLFLOW_TRACKING_URI", "http://127.0.0.1:5000",
        "GANTRY_MLFLOW_TRACKING_TOKEN", "t")).mlflowTracking()).isPresent();
  }

  @Test
  void aServerThatIsNoPlainHttpUrl_orATokenWithoutAServer_isRefused() {
    for (String url : java.util.List.of("mlflow:5000", "file:///mlruns", "https://user:pw@mlflow.example",
        "https://mlflow.example/?x=1", "s3://bucket")) {
      assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_MLFLOW_TRACKING_URI", url)))
          .as(url).isInstanceOf(ConfigException.class).hasMessageContaining("GANTRY_MLFLOW_TRACKING_URI");
    }
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_MLFLOW_TRACKING_TOKEN", "t")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("GANTRY_MLFLOW_TRACKING_URI is not");
  }
}
