package io.gantry.server.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold a secret (a signing key, a token): readable by their owner only from the moment they exist. */
public final class SecretFiles {

  private SecretFiles() {}

  /**
   * Creates {@code file} (and its directory), empty and owner-only; a file system without POSIX permissions leaves
   * that to the directory.
   *
   * @throws java.nio.file.FileAlreadyExistsException when it exists
   */
  public static void create(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }

  /**
   * Writes {@code content} to {@code file} (owner-only, replacing it) so that a crash leaves either the old file or
   * the whole new one, never a part: the content goes to disk in a sibling first, which then takes the file's name.
   */
  public static void writeWhole(Path file, String content) throws IOException {
    Path sibling = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(sibling); // left by a crash before the move
    create(sibling);
    try (FileChannel channel = FileChannel.open(sibling, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    Files.move(sibling, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
