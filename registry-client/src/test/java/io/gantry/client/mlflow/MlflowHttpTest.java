package io.gantry.client.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the importer sends the MLflow token: to the --from server's origin only, and never in clear off this host. */
class MlflowHttpTest {

  @ParameterizedTest
  @ValueSource(strings = {"http://10.1.2.3:5000", "http://192.0.2.1", "http://mlflow.internal:5000/",
      "http://127.0.0.1.nip.io:5000", "http://localhost.evil.example", "HTTP://10.1.2.3:5000"})
  void aToken_overPlainHttp_toAnotherMachine_isRefused(String url) {
    assertThatThrownBy(() -> MlflowHttp.server(url, "token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("in clear").hasMessageContaining("https://");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000", "http://127.2.3.4",
      "https://10.1.2.3:5000", "https://mlflow.example"})
  void aToken_overTls_orToThisMachine_isAccepted(String url) {
    assertThat(MlflowHttp.server(url, "token").server()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://10.1.2.3:5000", "http://mlflow.internal"})
  void plainHttp_toAnotherMachine_withoutAToken_isAccepted(String url) {
    assertThat(MlflowHttp.server(url, null).server()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://mlflow.example", "https://user:pw@mlflow.example", "https://mlflow.example/?x=1",
      "not a url", "mlflow.example:5000"})
  void aFromThatIsNoServerUrl_isRefused(String url) {
    assertThatThrownBy(() -> MlflowHttp.server(url, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--from ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://mlflow.example/api/2.0/mlflow/x", "https://MLFLOW.example:443/y",
      "HTTPS://mlflow.example/z"})
  void theToken_goesToTheServersOwnOrigin(String url) {
    assertThat(MlflowHttp.server("https://mlflow.example/", "token").sendsTokenTo(URI.create(url))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://mlflow.example/x", "https://mlflow.example:8443/x",
      "https://mlflow.example.evil.example/x", "https://mlflow.example@evil.example/x",
      "https://evil.example/mlflow.example", "https://sub.mlflow.example/x"})
  void theToken_goesNowhereElse(String url) {
    assertThat(MlflowHttp.server("https://mlflow.example/", "token").sendsTokenTo(URI.create(url))).isFalse();
  }
}
