package io.gantry.server.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
