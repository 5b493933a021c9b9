package io.gantry.server.artifact.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store the server starts with; the S3 choice is exercised by {@link S3StoreContractTest}. */
class ArtifactStoresTest {

  @TempDir
  Path dataDir;

  @Test
  void withoutS3Settings_artifactsAreFilesUnderTheDataDirectory() throws Exception {
    try (ArtifactStore store = ArtifactStores.open(Optional.empty(), dataDir)) {
      assertThat(store).isInstanceOf(FilesystemArtifactStore.class);
      assertThat(store.describe()).isEqualTo("filesystem " + dataDir.resolve("artifacts"));
      assertThat(dataDir.resolve("artifacts/blobs/sha256/ab")).isDirectory();
      assertThat(dataDir.resolve("artifacts/uploads")).isDirectory();
    }
  }

  @Test
  void artifactFolderThatCannotBeMade_failsStartWithOneLineNamingIt() throws Exception {
    Files.writeString(dataDir.resolve("artifacts"), "a file where the folder should be");

    assertThatThrownBy(() -> ArtifactStores.open(Optional.empty(), dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot keep artifacts in " + dataDir.resolve("artifacts") + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void s3Settings_neverShowTheSecretKey() {
    S3Settings settings = new S3Settings("http://minio:9000", "models", "gantry", "s3cr3t", "");

    assertThat(settings.toString()).contains("http://minio:9000", "models", "gantry").doesNotContain("s3cr3t");
  }
}
