package io.gantry.server.artifact;

import io.gantry.server.common.Names;
import io.gantry.server.error.GantryException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What a file path inside a version may be: relative and already normalized, so that one file has one name
 * and no name can reach outside the version when it is written to disk on download.
 */
public final class ArtifactPaths {

  static final int MAX_PATH_BYTES = 1024;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private ArtifactPaths() {}

  /** Refuses a path that is absolute, not normalized, escapes with {@code ..}, or holds control characters. */
  public static String check(String field, String path) {
    String problem = problem(path);
    if (problem != null) {
      throw GantryException.invalid(field, "'" + Names.printable(path) + "' " + problem);
    }
    return path;
  }

  /** Refuses anything but lower-case hex SHA-256. */
  public static String checkSha256(String field, String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      throw GantryException.invalid(field, "'" + Names.printable(sha256) + "' is not a lower-case hex SHA-256 "
          + "(64 characters 0-9a-f)");
    }
    return sha256;
  }

  private static String problem(String path) {
    if (path.isEmpty()) {
      return "is empty; a path is required";
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return "is longer than " + MAX_PATH_BYTES + " bytes";
    }
    if (path.startsWith("/")) {
      return "is absolute; paths are relative to the version";
    }
    if (path.indexOf('\\') >= 0) {
      return "contains a backslash; separate directories with '/'";
    }
    if (path.codePoints().anyMatch(Character::isISOControl)) {
      return "contains a control character";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        return "has an empty segment ('//' or a trailing '/')";
      }
      if (segment.equals("..")) {
        return "escapes the version with '..'";
      }
      if (segment.equals(".")) {
        return "is not normalized: it contains '.'";
      }
    }
    return null;
  }
}
