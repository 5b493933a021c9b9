package io.gantry.server.artifact.store;

import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.artifact.store.ArtifactStore.StoredBlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the filesystem store, and what only files can show: the layout on disk and what a restart cleans. */
class FilesystemStoreContractTest extends ArtifactStoreContractTest {

  @TempDir
  Path dataDir;

  private Path root() {
    return dataDir.resolve("artifacts");
  }

  @Override
  protected ArtifactStore openStore() {
    return ArtifactStores.open(Optional.empty(), dataDir);
  }

  @Override
  protected List<String> uploadLeftovers() throws IOException {
    try (Stream<Path> files = Files.list(root().resolve("uploads"))) {
      return files.map(Path::toString).toList();
    }
  }

  @Override
  protected boolean presigns() {
    return false;
  }

  @Test
  void blob_isAReadOnlyFileNamedByItsDigest() throws Exception {
    StoredBlob stored = storeBlob("model bytes".getBytes(StandardCharsets.UTF_8));

    Path file = root().resolve("blobs/sha256").resolve(stored.sha256().substring(0, 2))
        .resolve(stored.sha256().substring(2));
    assertThat(file).hasContent("model bytes");
    assertThat(Files.getPosixFilePermissions(file)).doesNotContain(OWNER_WRITE, GROUP_WRITE, OTHERS_WRITE);
    assertThat(store.describe()).isEqualTo("filesystem " + root());
  }

  @Test
  void blobDamagedOnDisk_isServedAsItIsNow_forTheReaderToDetect() throws Exception {
    StoredBlob stored = storeBlob("weights v1".getBytes(StandardCharsets.UTF_8));
    Path file = root().resolve(BlobLayout.blobKey(stored.sha256()));
    file.toFile().setWritable(true);
    Files.writeString(file, "weights v2");

    assertThat(read(stored.sha256())).asString(StandardCharsets.UTF_8).isEqualTo("weights v2");
  }

  @Test
  void reopening_removesUploadsLeftADayAgo_andKeepsRecentOnes() throws Exception {
    Path uploads = root().resolve("uploads");
    Path abandoned = Files.writeString(uploads.resolve("upload-1.part"), "half a file");
    Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
    Path recent = Files.writeString(uploads.resolve("upload-2.part"), "still arriving");

    new FilesystemArtifactStore(root()).close();

    assertThat(abandoned).doesNotExist();
    assertThat(recent).exists();
  }
}
