package io.gantry.server.artifact.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Blobs as files under a root folder (the embedded default: {@code $GANTRY_DATA_DIR/artifacts}).
 *
 * <p>An upload is written to a temporary file in {@code uploads/}, on the same file system as the blobs, hashed as
 * the bytes pass. On commit the file is flushed to disk and renamed atomically to its final name, then the folder
 * holding it is flushed too, so after a crash a blob is either whole under its name or absent. Temporary files
 * left by a process that died are removed when the store is next opened.
 */
public final class FilesystemArtifactStore implements ArtifactStore {

  private final Path root;
  private final Path blobs;
  private final Path uploads;

  /**
   * Opens (creating when missing) the store under {@code root}, and removes uploads older than a day, which
   * belong to a process that died.
   */
  public FilesystemArtifactStore(Path root) throws IOException {
    this.root = root.toAbsolutePath();
    this.blobs = this.root.resolve(BlobLayout.BLOB_ROOT);
    this.uploads = this.root.resolve(BlobLayout.UPLOAD_ROOT);
    Files.createDirectories(uploads);
    createFanOutFolders();
    removeStaleUploads();
  }

  // made (and flushed, up to the root) once here, so a commit only ever has to flush the folder it renames into
  private void createFanOutFolders() throws IOException {
    HexFormat hex = HexFormat.of();
    for (int prefix = 0; prefix < 256; prefix++) {
      Files.createDirectories(blobs.resolve(hex.toHexDigits((byte) prefix)));
    }
    for (Path folder = blobs; folder.startsWith(root); folder = folder.getParent()) {
      flushFolder(folder);
    }
  }

  private void removeStaleUploads() throws IOException {
    Instant staleBefore = Instant.now().minus(BlobLayout.STALE_UPLOAD_AGE);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(uploads)) {
      for (Path file : files) {
        if (Files.getLastModifiedTime(file).toInstant().isBefore(staleBefore)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  @Override
  public BlobUpload begin() throws IOException {
    Path file = Files.createTempFile(uploads, "upload-", ".part");
    try {
      return new FileUpload(file, FileChannel.open(file, StandardOpenOption.WRITE));
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  private final class FileUpload extends DigestingUpload {

    private final Path file;
    private final FileChannel channel;

    FileUpload(Path file, FileChannel channel) {
      this.file = file;
      this.channel = channel;
    }

    @Override
    protected void append(byte[] bytes, int offset, int length, long sizeSoFar) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    @Override
    protected boolean alreadyStored(String sha256) {
      return exists(sha256);
    }

    @Override
    protected void store(String sha256) throws IOException {
      Path target = root.resolve(BlobLayout.blobKey(sha256));
      channel.force(true);
      channel.close();
      // best effort: a blob never changes, and a read-only file says so to anyone looking at the folder
      file.toFile().setReadOnly();
      // two commits of the same bytes may race here; the later rename replaces an identical file, which is harmless
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      flushFolder(target.getParent());
    }

    @Override
    protected void discard() throws IOException {
      channel.close();
      Files.deleteIfExists(file);
    }
  }

  /** Makes the folder's entries (a rename into it) durable. */
  private static void flushFolder(Path folder) throws IOException {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows cannot open a folder as a channel; there the rename is as durable as the file system makes it
      if (!System.getProperty("os.name").startsWith("Windows")) {
        throw e;
      }
    }
  }

  @Override
  public boolean exists(String sha256) {
    return Files.isRegularFile(blobPath(sha256));
  }

  @Override
  public InputStream open(String sha256) throws IOException {
    try {
      return Files.newInputStream(blobPath(sha256));
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(sha256);
    }
  }

  @Override
  public void delete(String sha256) throws IOException {
    Files.deleteIfExists(blobPath(sha256));
  }

  @Override
  public void forEachBlob(Consumer<BlobInfo> action) throws IOException {
    Files.walkFileTree(blobs, Set.of(), 2, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        Optional<String> digest = BlobLayout.digestOf(root.relativize(file).toString().replace('\\', '/'));
        if (attributes.isRegularFile() && digest.isPresent()) {
          action.accept(new BlobInfo(digest.get(), attributes.size(), attributes.lastModifiedTime().toInstant()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // deleted while the walk went by
        }
        throw e;
      }
    });
  }

  /** Always empty: a file has no URL a client could fetch without the server. */
  @Override
  public Optional<URI> presignedDownload(String sha256, Duration ttl, String fileName) {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "filesystem " + root;
  }

  /** Nothing to release: every upload and stream holds its own file handle. */
  @Override
  public void close() {}

  private Path blobPath(String sha256) {
    return root.resolve(BlobLayout.blobKey(sha256));
  }
}
