package io.gantry.server.artifact;

import io.gantry.server.common.Digests;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Reads one stored file and checks it while reading: the last read, instead of reporting the end, fails with
 * ARTIFACT_CORRUPTED when the bytes were not the ones the manifest names. A caller that streams chunks as it
 * reads them must therefore treat everything it sent as unconfirmed until the end is reached.
 */
public final class ArtifactReader implements AutoCloseable {

  private final String version;
  private final ArtifactFile file;
  private final InputStream in;
  private final MessageDigest digest;
  private long read;

  ArtifactReader(String version, ArtifactFile file, InputStream in) {
    this.version = version;
    this.file = file;
    this.in = in;
    this.digest = Digests.newSha256();
  }

  public ArtifactFile file() {
    return file;
  }

  /**
   * Reads up to {@code buffer.length} bytes.
   *
   * @return how many were read, or -1 at the end once the size and digest are confirmed
   * @throws GantryException ARTIFACT_CORRUPTED when the stored bytes differ; STORE_UNAVAILABLE when the store fails
   */
  public int read(byte[] buffer) {
    int n;
    try {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      throw ArtifactService.storeFailure(e);
    }
    if (n == 0 && buffer.length > 0) {
      verify();
      return -1;
    }
    read += n;
    if (read > file.size()) {
      throw corrupted("the stored blob is longer than the " + file.size() + " bytes of the manifest");
    }
    digest.update(buffer, 0, n);
    return n;
  }

  private void verify() {
    if (read != file.size()) {
      throw corrupted("the stored blob has " + read + " bytes, the manifest says " + file.size());
    }
    String actual = Digests.hex(digest);
    if (!actual.equals(file.sha256())) {
      throw corrupted("the stored bytes hash to " + actual + ", the manifest says " + file.sha256());
    }
  }

  private GantryException corrupted(String why) {
    return new GantryException(ErrorCode.ARTIFACT_CORRUPTED, version + " file '" + file.path() + "' is corrupted in "
        + "the artifact store and was not served: " + why);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // nothing was left to read
    }
  }
}
