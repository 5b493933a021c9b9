package io.gantry.server.artifact.store;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a blob lives in every store: {@code blobs/sha256/ab/cdef…}, the first two hex digits of the digest naming a
 * fan-out folder so no folder (or S3 listing prefix) grows past 1/256 of the store. Uploads in progress live under
 * {@code uploads/}, outside the blob tree, so a listing of blobs never sees one.
 */
final class BlobLayout {

  static final String BLOB_ROOT = "blobs/sha256/";
  static final String UPLOAD_ROOT = "uploads/";
  /** An upload still in {@code uploads/} this long after it started belongs to a process that died. */
  static final Duration STALE_UPLOAD_AGE = Duration.ofHours(24);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BLOB_KEY = Pattern.compile("blobs/sha256/([0-9a-f]{2})/([0-9a-f]{62})");

  private BlobLayout() {}

  /** The blob's name relative to the store's root, with {@code /} separators. */
  static String blobKey(String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      // a digest becomes a path: anything else could point outside the blob tree
      throw new IllegalArgumentException("not a lower-case hex SHA-256 digest: '" + sha256 + "'");
    }
    return BLOB_ROOT + sha256.substring(0, 2) + "/" + sha256.substring(2);
  }

  /** The digest of the blob stored under {@code key}, or empty when the name is not a blob's. */
  static Optional<String> digestOf(String key) {
    Matcher matcher = BLOB_KEY.matcher(key);
    return matcher.matches() ? Optional.of(matcher.group(1) + matcher.group(2)) : Optional.empty();
  }
}
