package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The way between manifest paths and a local directory; the server's own checks are not relied on here. */
class ArtifactDirectoryTest {

  @TempDir
  Path directory;

  @Test
  void aManifestPathBecomesAFileUnderTheDirectory_andBack() {
    Path target = ArtifactDirectory.target(directory, "model/data/model.pkl");

    assertThat(target).isEqualTo(directory.resolve("model").resolve("data").resolve("model.pkl"));
    assertThat(ArtifactDirectory.artifactPath(directory, target)).isEqualTo("model/data/model.pkl");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../outside", "model/../../outside", "/etc/passwd", "a//b", "a/./b", "a/", "", "a\\..\\b"})
  void aManifestPathThatCouldLeaveTheDirectory_isRefused(String path) {
    assertThatThrownBy(() -> ArtifactDirectory.target(directory, path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("could reach outside " + directory);
  }

  @Test
  void folders_areNotCreatedThroughALinkThatLeavesTheDirectory(@TempDir Path elsewhere) throws Exception {
    Files.createSymbolicLink(directory.resolve("model"), elsewhere);

    assertThatThrownBy(() -> ArtifactDirectory.createFolders(directory, "model/nested/model.pkl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'model'").hasMessageContaining("outside the directory");
    assertThat(elsewhere.resolve("nested")).doesNotExist();
  }

  @Test
  void folders_areCreatedOneByOne_insideTheDirectory() throws Exception {
    Path folder = ArtifactDirectory.createFolders(directory, "model/nested/model.pkl");

    assertThat(folder).isEqualTo(directory.resolve("model").resolve("nested")).isDirectory();
    assertThat(ArtifactDirectory.createFolders(directory, "MLmodel")).isEqualTo(directory);
  }
}
