package io.gantry.server.pinning;

import io.gantry.server.common.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a folder of the tracking server's artifact proxy into a scratch directory, as MLflow's client downloads
 * one (list, then each file, recursively), within bounds: at most so many files and bytes together, whatever the
 * listing claims, and names that stay inside the folder.
 */
final class ProxyCopy {

  /** One copied file: its path inside the folder, where its bytes are now, their size and SHA-256 (hex). */
  record CopiedFile(String path, Path file, long size, String sha256) {}

  private static final int BUFFER = 1 << 16;

  private final TrackingServer server;
  private final long maxBytes;
  private final int maxFiles;
  private final Runnable progress;
  private final List<CopiedFile> copied = new ArrayList<>();
  private long bytes;

  private ProxyCopy(TrackingServer server, long maxBytes, int maxFiles, Runnable progress) {
    this.server = server;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.progress = progress;
  }

  /**
   * Every file under the proxy folder {@code root}, copied into {@code scratch}; sorted by path.
   *
   * @param progress called whenever bytes or a listing arrive
   */
  static List<CopiedFile> copy(TrackingServer server, String root, Path scratch, long maxBytes, int maxFiles,
      Runnable progress) throws PinFailure, IOException {
    ProxyCopy copy = new ProxyCopy(server, maxBytes, maxFiles, progress);
    copy.folder(root, "", scratch);
    if (copy.copied.isEmpty()) {
      throw PinFailure.lasting("the tracking server lists no files under " + root + " (" + server.base()
          + TrackingServer.PROXY + "?path=" + root + "): a version holds at least one file");
    }
    copy.copied.sort((a, b) -> a.path().compareTo(b.path()));
    return copy.copied;
  }

  private void folder(String root, String relative, Path scratch) throws PinFailure, IOException {
    String listed = relative.isEmpty() ? root : root + "/" + relative;
    List<TrackingServer.Entry> entries = server.list(listed);
    progress.run();
    for (TrackingServer.Entry entry : entries) {
      // MLflow names an entry by its base name; a proxy that names it by its path under the root is read the same
      String name = entry.name().substring(entry.name().lastIndexOf('/') + 1);
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("\\")
          || name.codePoints().anyMatch(Character::isISOControl)) {
        throw PinFailure.lasting("the tracking server's listing of " + listed + " names '" + name
            + "', which is not a name inside it");
      }
      String child = relative.isEmpty() ? name : relative + "/" + name;
      if (entry.directory()) {
        folder(root, child, scratch);
      } else {
        file(root, child, entry.size(), scratch);
      }
    }
  }

  private void file(String root, String path, long listedSize, Path scratch) throws PinFailure, IOException {
    if (copied.size() >= maxFiles) {
      throw PinFailure.lasting("the model under " + root + " holds more than " + maxFiles + " files "
          + "(GANTRY_MLFLOW_PIN_MAX_FILES)");
    }
    if (listedSize > maxBytes - bytes) {
      throw tooLarge(root);
    }
    Path target = scratch.resolve("file-" + copied.size());
    MessageDigest sha256 = Digests.newSha256();
    long size = 0;
    try (InputStream in = server.download(root + "/" + path); OutputStream out = Files.newOutputStream(target)) {
      byte[] buffer = new byte[BUFFER];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        size += n;
        if (size > maxBytes - bytes) {
          throw tooLarge(root);
        }
        sha256.update(buffer, 0, n);
        out.write(buffer, 0, n);
        progress.run();
      }
    } catch (IOException e) {
      throw PinFailure.passing("reading " + root + "/" + path + " from the tracking server failed: "
          + e.getMessage(), e);
    }
    bytes += size;
    copied.add(new CopiedFile(path, target, size, Digests.hex(sha256)));
  }

  private PinFailure tooLarge(String root) {
    return PinFailure.lasting("the model under " + root + " is larger than " + maxBytes + " bytes "
        + "(GANTRY_MLFLOW_PIN_MAX_BYTES)");
  }
}
