package io.gantry.server.artifact.store;

import io.gantry.server.artifact.store.ArtifactStore.StoredBlob;
import io.gantry.server.common.Digests;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * What every store's upload does the same way: hash and count the bytes as they pass, refuse a commit whose
 * digest is not the announced one, keep an existing blob instead of storing it twice, and discard whatever was
 * written when the upload is closed without a commit or its commit fails. A store says only how bytes are appended,
 * how a finished upload becomes its blob, and how it is discarded.
 */
abstract class DigestingUpload implements ArtifactStore.BlobUpload {

  private final MessageDigest sha256 = Digests.newSha256();
  private long size;
  private boolean finished;

  /** Appends bytes to what this upload has written so far ({@code sizeSoFar} bytes). */
  protected abstract void append(byte[] bytes, int offset, int length, long sizeSoFar) throws IOException;

  protected abstract boolean alreadyStored(String sha256) throws IOException;

  /** Makes what was written the blob {@code sha256}, durable under its final name. */
  protected abstract void store(String sha256) throws IOException;

  /** Throws away what was written; called at most once. */
  protected abstract void discard() throws IOException;

  @Override
  public final void write(byte[] bytes, int offset, int length) throws IOException {
    requireOpen();
    append(bytes, offset, length, size);
    sha256.update(bytes, offset, length);
    size += length;
  }

  @Override
  public final long size() {
    return size;
  }

  @Override
  public final StoredBlob commit(String expectedSha256) throws IOException {
    requireOpen();
    String actual = Digests.hex(sha256);
    if (!actual.equals(expectedSha256)) {
      close();
      throw new DigestMismatchException(expectedSha256, actual);
    }
    if (alreadyStored(actual)) {
      close();
      return new StoredBlob(actual, size, true);
    }
    finished = true;
    try {
      store(actual);
    } catch (IOException | RuntimeException e) {
      try {
        discard();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new StoredBlob(actual, size, false);
  }

  @Override
  public final void close() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    discard();
  }

  private void requireOpen() {
    if (finished) {
      throw new IllegalStateException("upload already committed or closed");
    }
  }
}
