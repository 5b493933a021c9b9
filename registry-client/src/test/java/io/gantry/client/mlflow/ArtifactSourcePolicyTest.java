package io.gantry.client.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which sources the importer may read: the decision alone, without fetching. {@code https://good.example/models/}
 * is named with --artifact-source, {@code https://mlflow.example} is --from.
 */
class ArtifactSourcePolicyTest {

  private static final Optional<URI> FROM = Optional.of(URI.create("https://mlflow.example"));
  private static final ArtifactSourcePolicy POLICY =
      ArtifactSourcePolicy.of(FROM, List.of("https://good.example/models/"), null);

  @ParameterizedTest
  @ValueSource(strings = {
      "https://good.example/models/api/2.0/mlflow-artifacts/artifacts/7/m",
      "https://GOOD.example:443/models/api/2.0/mlflow-artifacts/artifacts/7/m",
      "HTTPS://good.example/models//api/2.0/mlflow-artifacts/artifacts/7/m",
      "https://mlflow.example/api/2.0/mlflow-artifacts/artifacts/7/m",
      "mlflow-artifacts:/7/run/artifacts/model",
      "mlflow-artifacts://mlflow.example/7/run/artifacts/model"})
  void aSourceOnTheFromServer_orUnderANamedStore_isRead(String source) throws Exception {
    assertThat(POLICY.locate(source)).get().isInstanceOf(ArtifactSourcePolicy.Proxy.class);
  }

  @Test
  void theProxyAndRoot_areReadFromTheSource() throws Exception {
    assertThat(POLICY.locate("mlflow-artifacts:/7/run/artifacts/model")).contains(new ArtifactSourcePolicy.Proxy(
        URI.create("https://mlflow.example/api/2.0/mlflow-artifacts/artifacts"), "7/run/artifacts/model"));
    assertThat(POLICY.locate("https://good.example/models/api/2.0/mlflow-artifacts/artifacts/7/a%20b"))
        .contains(new ArtifactSourcePolicy.Proxy(
            URI.create("https://good.example/models/api/2.0/mlflow-artifacts/artifacts"), "7/a b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://good.example@evil.example/models/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example.evil.example/models/api/2.0/mlflow-artifacts/artifacts/7",
      "https://evil.example/good.example/models/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example/models-evil/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example/model/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example/models/../secret/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example/models/%2e%2e/secret/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example/models%2f..%2fsecret/api/2.0/mlflow-artifacts/artifacts/7",
      "http://good.example/models/api/2.0/mlflow-artifacts/artifacts/7",
      "https://good.example:8443/models/api/2.0/mlflow-artifacts/artifacts/7",
      "https://mlflow.example:8443/api/2.0/mlflow-artifacts/artifacts/7",
      "http://mlflow.example/api/2.0/mlflow-artifacts/artifacts/7",
      "mlflow-artifacts://evil.example/7/run",
      "mlflow-artifacts://mlflow.example@evil.example/7/run",
      "https://good.example/models/api/2.0/mlflow-artifacts/artifacts/7 8",
      "/home/someone/.ssh", "file:///home/someone/.ssh", "file://fileserver/share/model", "relative/path"})
  void anythingElse_isRefused(String source) {
    assertThatThrownBy(() -> POLICY.locate(source)).isInstanceOf(ArtifactSourcePolicy.Refused.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://bucket/model", "runs:/abc/model", "models:/fraud/1", "gs://b/m",
      "https://mlflow.example/not/the/proxy"})
  void aSourceWithNoReaderHere_isLeftAlone(String source) throws Exception {
    assertThat(POLICY.locate(source)).isEmpty();
  }

  @Test
  void readingAFile_theProxyOfNoServer_isLeftAlone_andOtherHostsAreRefused() throws Exception {
    ArtifactSourcePolicy fromFile = ArtifactSourcePolicy.of(Optional.empty(), List.of(), null);
    assertThat(fromFile.locate("mlflow-artifacts:/7/run/model")).isEmpty();
    assertThatThrownBy(() -> fromFile.locate("mlflow-artifacts://mlflow.example/7/run/model"))
        .isInstanceOf(ArtifactSourcePolicy.Refused.class).hasMessageContaining("none: reading a file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://bucket/models", "mlflow-artifacts:/7", "https://user@good.example/",
      "https://good.example/a/../b", "https://good.example/?x", "ftp://good.example/", "good.example"})
  void anArtifactSourceThatCannotBeMatchedSafely_isAUsageError(String source) {
    assertThatThrownBy(() -> ArtifactSourcePolicy.of(FROM, List.of(source), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--artifact-source " + source);
  }

  @Test
  void localSources_areReadOnlyInsideTheRoot_afterLinksAndDots(@TempDir Path dir) throws Exception {
    Path root = Files.createDirectories(dir.resolve("models"));
    Files.createDirectories(root.resolve("churn"));
    Files.createDirectories(dir.resolve("home/.ssh"));
    Files.createSymbolicLink(root.resolve("link-out"), dir.resolve("home/.ssh"));
    Files.createSymbolicLink(root.resolve("link-in"), root.resolve("churn"));
    ArtifactSourcePolicy policy = ArtifactSourcePolicy.of(Optional.empty(), List.of(), root);

    assertThat(policy.locate(root.resolve("churn").toString()))
        .contains(new ArtifactSourcePolicy.LocalDirectory(root.resolve("churn").toRealPath()));
    assertThat(policy.locate(root.resolve("churn").toUri().toString())).isPresent();
    assertThat(policy.locate("file://localhost" + root.resolve("churn"))).isPresent();
    assertThat(policy.locate(root.resolve("link-in").toString()))
        .contains(new ArtifactSourcePolicy.LocalDirectory(root.resolve("churn").toRealPath()));
    assertThat(policy.locate(root.resolve("absent").toString())).as("nothing there: the URI is kept").isEmpty();
    for (String outside : List.of(root.resolve("link-out").toString(), root + "/../home/.ssh",
        root + "/churn/../../home/.ssh", dir.resolve("home/.ssh").toUri().toString(),
        root.resolve("link-out").toUri() + "/../../home", dir.resolve("models-evil").toString())) {
      assertThatThrownBy(() -> policy.locate(outside)).as(outside)
          .isInstanceOf(ArtifactSourcePolicy.Refused.class).hasMessageContaining("outside --artifact-root");
    }
  }

  @Test
  void anArtifactRootThatIsNoDirectory_isAUsageError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> ArtifactSourcePolicy.of(Optional.empty(), List.of(), file))
        .hasMessageContaining("--artifact-root").hasMessageContaining("not a directory");
    assertThatThrownBy(() -> ArtifactSourcePolicy.of(Optional.empty(), List.of(), dir.resolve("absent")))
        .hasMessageContaining("--artifact-root").hasMessageContaining("cannot be read");
  }
}
