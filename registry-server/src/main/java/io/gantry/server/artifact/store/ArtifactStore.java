package io.gantry.server.artifact.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where artifact bytes live: content-addressed blobs under {@code blobs/sha256/ab/cdef…} (the first two hex
 * digits, then the rest), written once and never changed. A blob is stored under its final name only once all
 * of it is stored and its digest checked, so a crash or a failed upload never leaves a partial blob there.
 *
 * <p>Implementations are thread-safe. Digests are lower-case hex SHA-256.
 */
public interface ArtifactStore extends AutoCloseable {

  /** Starts storing one blob; the caller writes its bytes, then commits or aborts. */
  BlobUpload begin() throws IOException;

  /** One blob being written. Not thread-safe; used by one upload at a time. */
  interface BlobUpload extends AutoCloseable {

    /** Appends bytes; the digest is computed as they pass. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Bytes written so far. */
    long size();

    /**
     * Stores the blob under its digest if it matches {@code expectedSha256}; if a blob with that digest already
     * exists, the bytes just written are discarded and the existing blob is kept.
     *
     * @return what was stored
     * @throws DigestMismatchException when the bytes do not hash to {@code expectedSha256}; nothing is stored
     */
    StoredBlob commit(String expectedSha256) throws IOException;

    /** Discards what was written; idempotent, and a no-op after commit. */
    @Override
    void close() throws IOException;
  }

  /**
   * A blob as stored.
   *
   * @param deduplicated true when a blob with the same digest was already there, so nothing new was stored
   */
  record StoredBlob(String sha256, long size, boolean deduplicated) {}

  /** A blob found in the store, for the janitor. */
  record BlobInfo(String sha256, long size, Instant lastModified) {}

  boolean exists(String sha256) throws IOException;

  /**
   * Opens a blob for reading. The stream returns the stored bytes as they are; callers verify the digest
   * while reading (a corrupted blob must be detected, never served silently).
   *
   * @throws BlobNotFoundException when there is no blob with that digest
   */
  InputStream open(String sha256) throws IOException;

  /** Deletes a blob; deleting a missing blob is not an error. */
  void delete(String sha256) throws IOException;

  /** Every blob in the store. */
  void forEachBlob(Consumer<BlobInfo> action) throws IOException;

  /**
   * A URL that downloads the blob without credentials until {@code ttl} has passed, when the store can make one.
   *
   * @param fileName the name the download should be saved as (Content-Disposition)
   * @return empty when this kind of store cannot presign (the filesystem store)
   */
  Optional<URI> presignedDownload(String sha256, Duration ttl, String fileName) throws IOException;

  /** One line for logs and errors: {@code filesystem /data/artifacts} or {@code s3 http://host:9000 bucket}. */
  String describe();

  @Override
  void close() throws IOException;
}
