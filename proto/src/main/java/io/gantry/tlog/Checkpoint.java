package io.gantry.tlog;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A C2SP tlog-checkpoint: the text a log signs (as a {@link NoteSigner signed note}) to commit to its
 * size and root hash. The text is the origin line, the tree size in decimal, the root hash in base64
 * and any extension lines, each line non-empty and ending in a newline:
 *
 * <pre>
 * gantry.example/audit
 * 20852163
 * CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
 * </pre>
 *
 * <p>Instances are immutable: the root hash is copied in and out.
 *
 * @param origin the log's identity, e.g. {@code gantry.example/audit}; clients compare it with the one
 *     they expect before trusting anything else in the checkpoint
 * @param treeSize the number of leaves
 * @param rootHash the RFC 6962 root hash of the tree, {@value MerkleTree#HASH_SIZE} bytes
 * @param extensions the opaque lines after the root hash, usually none
 * @see <a href="https://c2sp.org/tlog-checkpoint">c2sp.org/tlog-checkpoint</a>
 */
public record Checkpoint(String origin, long treeSize, byte[] rootHash, List<String> extensions) {

  private static final Pattern TREE_SIZE = Pattern.compile("0|[1-9][0-9]*");

  /**
   * @throws IllegalArgumentException if a line would be empty or hold a newline or another control
   *     character, the size is negative or the hash is not {@value MerkleTree#HASH_SIZE} bytes
   */
  public Checkpoint {
    requireLine(origin, "origin");
    if (treeSize < 0) {
      throw new IllegalArgumentException("tree size must not be negative, got " + treeSize);
    }
    rootHash = MerkleTree.requireHash(rootHash, "root hash").clone();
    extensions = List.copyOf(extensions);
    extensions.forEach(line -> requireLine(line, "extension line"));
  }

  /** A checkpoint without extension lines. */
  public Checkpoint(String origin, long treeSize, byte[] rootHash) {
    this(origin, treeSize, rootHash, List.of());
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The checkpoint text, each line ending in a newline: what {@link NoteSigner#sign} signs. */
  public String body() {
    StringBuilder body = new StringBuilder()
        .append(origin).append('\n')
        .append(treeSize).append('\n')
        .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
    extensions.forEach(line -> body.append(line).append('\n'));
    return body.toString();
  }

  /**
   * Parses a checkpoint text, such as {@link NoteVerifier#verify} returns. Only the one spelling
   * {@link #body()} produces is accepted: no leading zeros, no missing base64 padding, no empty lines.
   *
   * @throws IllegalArgumentException naming what is wrong, if {@code body} is not a checkpoint
   */
  public static Checkpoint parse(String body) {
    Objects.requireNonNull(body, "body");
    if (!body.endsWith("\n")) {
      throw new IllegalArgumentException("checkpoint must end with a newline");
    }
    String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new IllegalArgumentException(
          "checkpoint must have an origin, a tree size and a root hash line, got " + lines.length + " line(s)");
    }
    if (!TREE_SIZE.matcher(lines[1]).matches()) {
      throw new IllegalArgumentException("tree size must be a decimal number without leading zeros, got '"
          + lines[1] + "'");
    }
    long treeSize;
    try {
      treeSize = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tree size " + lines[1] + " is too large", e);
    }
    byte[] rootHash;
    try {
      rootHash = NoteFormat.decodeBase64(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("root hash must be base64, got '" + lines[2] + "'", e);
    }
    if (rootHash.length != MerkleTree.HASH_SIZE) {
      throw new IllegalArgumentException(
          "root hash must be " + MerkleTree.HASH_SIZE + " bytes, got " + rootHash.length);
    }
    return new Checkpoint(lines[0], treeSize, rootHash, Arrays.asList(lines).subList(3, lines.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint other && origin.equals(other.origin) && treeSize == other.treeSize
        && Arrays.equals(rootHash, other.rootHash) && extensions.equals(other.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, treeSize, Arrays.hashCode(rootHash), extensions);
  }

  @Override
  public String toString() {
    return "Checkpoint[origin=" + origin + ", treeSize=" + treeSize + ", rootHash="
        + HexFormat.of().formatHex(rootHash) + ", extensions=" + extensions + "]";
  }

  private static void requireLine(String line, String what) {
    Objects.requireNonNull(line, what);
    if (line.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (!NoteFormat.isNoteText(line) || line.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(what + " must be one line of text without control characters, got '"
          + line + "'");
    }
  }
}
