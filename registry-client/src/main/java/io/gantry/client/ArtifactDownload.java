package io.gantry.client;

import com.google.protobuf.ByteString;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.DownloadArtifactResponse;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Downloads a file of a finalized version with {@code DownloadArtifact}, so that a file on disk is always whole: the
 * bytes go to a temporary file beside the target, are counted and hashed while written, must match the manifest's
 * size and SHA-256 once the stream has completed, are flushed to disk, and only then renamed onto the target in one
 * step. A stream that fails (DATA_LOSS when the server finds its stored copy corrupted, which it can only tell at the
 * end) leaves the target as it was and no temporary file behind.
 */
public final class ArtifactDownload {

  private ArtifactDownload() {}

  /**
   * Downloads {@code expected}, a file of {@code versionName}'s manifest, to its path under {@code directory},
   * creating the folders it needs and replacing a file already there.
   *
   * @return where the file was written
   * @throws IllegalArgumentException when the manifest path, or a folder on the way to it, would lead outside
   *     {@code directory}
   * @throws ArtifactTransferException naming the file, when the call failed or the bytes did not match
   */
  public static Path download(GantryClient client, String versionName, ArtifactFile expected, Path directory,
      TransferListener listener) {
    String path = expected.getPath();
    Path target = ArtifactDirectory.target(directory, path);
    Path temporary = null;
    try (CancellableStream<DownloadArtifactResponse> stream = CancellableStream.open(() -> client.artifacts()
        .withDeadlineAfter(GantryClient.transferTimeout(expected.getSize()).toMillis(), TimeUnit.MILLISECONDS)
        .downloadArtifact(DownloadArtifactRequest.newBuilder().setVersion(versionName).setPath(path).build()))) {
      ArtifactFile announced = stream.next().getFile();
      if (!announced.equals(expected)) {
        throw failed(path, "the server describes it as " + describe(announced) + ", the manifest as "
            + describe(expected), null);
      }
      Path folder = ArtifactDirectory.createFolders(directory, path);
      // A name of its own, not the target's plus a suffix, which could pass the file system's length limit.
      temporary = folder.resolve(".gantry-download-" + UUID.randomUUID() + ".partial");
      listener.fileStarted(path, expected.getSize());
      receive(stream, expected, temporary, listener);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      temporary = null;
      flushEntries(folder);
      return target;
    } catch (StatusRuntimeException | IOException e) {
      throw discarding(temporary, failed(path, ArtifactTransferException.describe(e), e));
    } catch (RuntimeException e) {
      throw discarding(temporary, e);
    }
  }

  /**
   * Whether {@code file} is already what {@code expected} describes: a regular file (not a link to one) of the same
   * size and SHA-256.
   */
  public static boolean isIdentical(Path file, ArtifactFile expected) throws IOException {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        && Files.size(file) == expected.getSize()
        && Sha256.of(file, TransferListener.NONE).equals(expected.getSha256());
  }

  private static void receive(CancellableStream<DownloadArtifactResponse> stream, ArtifactFile expected,
      Path temporary, TransferListener listener) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    long received = 0;
    // Not Files.createTempFile: its owner-only permissions would stay on the file once renamed.
    try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (stream.hasNext()) {
        ByteString chunk = stream.next().getChunk();
        received += chunk.size();
        if (received > expected.getSize()) {
          throw failed(expected.getPath(), "the server sent more than the " + expected.getSize()
              + " bytes of the manifest", null);
        }
        for (ByteBuffer bytes : chunk.asReadOnlyByteBufferList()) {
          digest.update(bytes.duplicate());
          while (bytes.hasRemaining()) {
            out.write(bytes);
          }
        }
        listener.transferred(chunk.size());
      }
      String sha256 = Sha256.hex(digest);
      if (received != expected.getSize() || !sha256.equals(expected.getSha256())) {
        throw failed(expected.getPath(), "received " + received + " bytes hashing to " + sha256 + ", the manifest "
            + "says " + describe(expected), null);
      }
      out.force(true);
    }
  }

  /** Makes a rename in {@code folder} durable, where the platform can open a folder (not Windows). */
  private static void flushEntries(Path folder) {
    try (FileChannel entries = FileChannel.open(folder, StandardOpenOption.READ)) {
      entries.force(true);
    } catch (IOException e) {
      // The file itself is flushed and renamed; only the rename might not survive a power cut.
    }
  }

  /** Removes what a failed download wrote; failing that as well is added to {@code failure}, the one to report. */
  private static RuntimeException discarding(Path temporary, RuntimeException failure) {
    if (temporary != null) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
    }
    return failure;
  }

  private static String describe(ArtifactFile file) {
    return file.getSize() + " bytes sha256 " + file.getSha256();
  }

  private static ArtifactTransferException failed(String path, String why, Throwable cause) {
    return new ArtifactTransferException(path, "download of '" + path + "' failed: " + why + "; nothing was written "
        + "for it", cause);
  }
}
