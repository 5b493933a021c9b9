package io.gantry.client.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** A secret the server shows once (an API token's, a webhook's), written to a file only its owner can read. */
final class SecretFile {

  private SecretFile() {}

  /**
   * Makes {@code file} (owner-only, and new: a file in the way is refused before anything is made), then the
   * resource, and writes its secret there. A refused create leaves no file behind.
   *
   * @return what {@code create} made; empty when its secret could not be written (reported on stderr, naming the
   *     resource that now has a secret nobody knows)
   */
  static <T> Optional<T> create(CommonOptions common, Path file, Supplier<T> create, Function<T, String> secretOf,
      Function<T, String> nameOf) throws IOException {
    try (FileChannel channel = open(common, file)) {
      T created;
      try {
        created = create.get();
      } catch (RuntimeException refused) {
        Files.delete(file);
        throw refused;
      }
      try {
        channel.write(StandardCharsets.UTF_8.encode(secretOf.apply(created) + "\n"));
      } catch (IOException e) {
        common.fail(GantryCli.EXIT_OTHER, "cannot write the secret to " + file + ": " + e.getMessage() + "; nobody "
            + "knows the secret of " + nameOf.apply(created) + " now: delete it and create another");
        return Optional.empty();
      }
      return Optional.of(created);
    }
  }

  private static FileChannel open(CommonOptions common, Path file) {
    try {
      return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw common.usageError("--secret-file " + file + " exists; a secret is written to a new file only");
    } catch (UnsupportedOperationException e) {
      throw common.usageError("--secret-file " + file + " cannot be made readable by its owner only on "
          + "this file system");
    } catch (IOException e) {
      throw common.usageError("--secret-file " + file + " cannot be created: " + e);
    }
  }
}
