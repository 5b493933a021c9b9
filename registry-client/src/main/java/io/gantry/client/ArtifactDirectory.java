package io.gantry.client;

import io.gantry.v1.ArtifactFile;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * A local directory seen as the files of a version, both ways: every regular file under it becomes a file with a
 * relative, {@code /}-separated path ({@code model/model.pkl}), and a path of a manifest becomes a file under it,
 * never outside.
 */
public final class ArtifactDirectory {

  private ArtifactDirectory() {}

  /**
   * Every regular file under {@code directory}, hidden ones too, ordered by its path in the version. Symbolic links
   * are followed while they stay inside the directory.
   *
   * @throws IllegalArgumentException for anything that cannot be uploaded as it is, named: a symbolic link that
   *     points outside the directory, is broken or loops; a pipe, socket or device
   */
  public static List<Path> regularFiles(Path directory) throws IOException {
    Path root = directory.toRealPath();
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(directory, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
            requireInside(directory, root, dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            String path = artifactPath(directory, file);
            // Following links, the walk reports a link's own attributes only when its target cannot be read.
            if (attributes.isSymbolicLink()) {
              throw new IllegalArgumentException("'" + path + "' in " + directory + " is a broken symbolic link ("
                  + Files.readSymbolicLink(file) + "); remove it or make it point at a file inside the directory");
            }
            if (!attributes.isRegularFile()) {
              throw new IllegalArgumentException("'" + path + "' in " + directory + " is neither a regular file nor "
                  + "a directory (a pipe, socket or device); move it out of the directory");
            }
            requireInside(directory, root, file);
            files.add(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
            if (failure instanceof FileSystemLoopException) {
              throw new IllegalArgumentException("'" + artifactPath(directory, file) + "' in " + directory
                  + " is a symbolic link to a directory above it, a loop; remove the link");
            }
            throw failure;
          }
        });
    files.sort(Comparator.comparing(file -> artifactPath(directory, file)));
    return files;
  }

  /**
   * The headers of {@code files} under {@code directory}: path in the version, size, and SHA-256 from a read pass
   * that {@code hashing} hears, so that each header is known before its bytes are sent.
   */
  public static List<LocalArtifact> hash(Path directory, List<Path> files, TransferListener hashing)
      throws IOException {
    List<LocalArtifact> artifacts = new ArrayList<>();
    for (Path file : files) {
      String path = artifactPath(directory, file);
      long size = Files.size(file);
      hashing.fileStarted(path, size);
      String sha256 = Sha256.of(file, hashing);
      artifacts.add(new LocalArtifact(
          ArtifactFile.newBuilder().setPath(path).setSize(size).setSha256(sha256).build(), file));
    }
    return artifacts;
  }

  /** {@code directory/model/model.pkl} → {@code model/model.pkl}, whatever this system's separator. */
  public static String artifactPath(Path directory, Path file) {
    List<String> names = new ArrayList<>();
    directory.relativize(file).forEach(name -> names.add(name.toString()));
    return String.join("/", names);
  }

  /**
   * Where the file {@code path} of a manifest goes under {@code directory}. The server refuses such paths on upload;
   * this refuses them again before anything is written, so that no manifest can reach outside the directory.
   *
   * @throws IllegalArgumentException for an absolute path, an empty, {@code .} or {@code ..} segment, or a backslash
   */
  public static Path target(Path directory, String path) {
    if (path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      throw escapes(directory, path);
    }
    Path target = directory;
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw escapes(directory, path);
      }
      target = target.resolve(segment);
    }
    return target;
  }

  /**
   * Creates the folders of the manifest path {@code path} under {@code directory} (which exists), one at a time, so
   * that none is made outside it: each folder already there must really be inside, even if it is a symbolic link.
   *
   * @return the folder the file goes in
   */
  static Path createFolders(Path directory, String path) throws IOException {
    target(directory, path);
    Path root = directory.toRealPath();
    String[] segments = path.split("/");
    Path folder = directory;
    for (int i = 0; i < segments.length - 1; i++) {
      folder = folder.resolve(segments[i]);
      if (Files.notExists(folder, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(folder);
      }
      requireInside(directory, root, folder);
    }
    return folder;
  }

  /**
   * Refuses {@code path} (which exists) when its real location is outside {@code root}: a symbolic link, in it or
   * in one of its parents, that points out of the directory.
   */
  static void requireInside(Path directory, Path root, Path path) throws IOException {
    Path real = path.toRealPath();
    if (!real.startsWith(root)) {
      String relative = artifactPath(directory, path);
      throw new IllegalArgumentException("'" + (relative.isEmpty() ? "." : relative) + "' in " + directory
          + " is a symbolic link to " + real + ", outside the directory; copy what it points at into the directory, "
          + "or remove the link");
    }
  }

  private static IllegalArgumentException escapes(Path directory, String path) {
    return new IllegalArgumentException("the manifest path '" + path + "' is not a relative, normalized path and "
        + "could reach outside " + directory + "; refusing to write it");
  }
}
