package io.gantry.server.artifact.store;

import io.gantry.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the artifact store the server runs with. */
public final class ArtifactStores {

  private static final Logger log = LoggerFactory.getLogger(ArtifactStores.class);

  private ArtifactStores() {}

  /**
   * The S3 store when settings are given, otherwise files under {@code dataDir/artifacts}.
   *
   * @throws ConfigException in one line, when the store cannot be opened
   */
  public static ArtifactStore open(Optional<S3Settings> s3, Path dataDir) {
    ArtifactStore store = s3.isPresent() ? S3ArtifactStore.open(s3.get()) : filesystem(dataDir.resolve("artifacts"));
    log.info("Storing artifacts in {}", store.describe());
    return store;
  }

  private static ArtifactStore filesystem(Path root) {
    try {
      return new FilesystemArtifactStore(root);
    } catch (IOException e) {
      throw new ConfigException("cannot keep artifacts in " + root + ": " + e, e);
    }
  }
}
