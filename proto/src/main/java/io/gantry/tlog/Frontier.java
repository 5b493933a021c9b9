package io.gantry.tlog;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The right edge of a tree: the hashes of its complete subtrees, largest first, one for each set bit
 * of its size. It is all an appender needs to keep (the registry keeps it in one row) to append a leaf
 * and compute the new root without reading any other node, and {@link #append} reports the nodes each
 * leaf completes so they can be stored for {@link Proofs}.
 *
 * <p>Instances are immutable: the hashes are copied in and out.
 *
 * @param size the number of leaves
 * @param hashes the roots of the complete subtrees, {@code Long.bitCount(size)} of them, each
 *     {@value MerkleTree#HASH_SIZE} bytes
 */
public record Frontier(long size, List<byte[]> hashes) {

  private static final Frontier EMPTY = new Frontier(0, List.of());

  /**
   * @throws IllegalArgumentException if {@code size} is negative, or the hashes are not as many as the
   *     bits set in {@code size} or not all {@value MerkleTree#HASH_SIZE} bytes long
   */
  public Frontier {
    if (size < 0) {
      throw new IllegalArgumentException("frontier size must not be negative, got " + size);
    }
    Objects.requireNonNull(hashes, "hashes");
    if (hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException("a tree of size " + size + " has " + Long.bitCount(size)
          + " complete subtrees, got " + hashes.size() + " hashes");
    }
    hashes = copy(hashes);
  }

  /** The frontier of the empty tree. */
  public static Frontier empty() {
    return EMPTY;
  }

  /** The roots of the complete subtrees, largest first. */
  @Override
  public List<byte[]> hashes() {
    return copy(hashes);
  }

  /**
   * Appends the leaf with hash {@code leafHash} (see {@link MerkleTree#leafHash}).
   *
   * @return the frontier one leaf larger and the nodes the leaf completes, lowest first: the leaf itself
   *     at level 0, then one node per subtree of equal height it merges with
   * @throws IllegalArgumentException if {@code leafHash} is not {@value MerkleTree#HASH_SIZE} bytes
   * @throws IllegalStateException if the tree already has {@code Long.MAX_VALUE} leaves
   */
  public Appended append(byte[] leafHash) {
    MerkleTree.requireHash(leafHash, "leaf hash");
    if (size == Long.MAX_VALUE) {
      throw new IllegalStateException("the tree is full");
    }
    List<byte[]> next = new ArrayList<>(hashes);
    List<Node> newNodes = new ArrayList<>();
    byte[] hash = leafHash;
    newNodes.add(new Node(0, size, hash));
    // Like a binary increment: each trailing one bit of the size is a subtree of the height of the
    // new one, which the new one completes into a subtree twice as high.
    for (int level = 0; (size >>> level & 1) == 1; level++) {
      hash = MerkleTree.nodeHash(next.remove(next.size() - 1), hash);
      newNodes.add(new Node(level + 1, size >>> (level + 1), hash));
    }
    next.add(hash);
    return new Appended(new Frontier(size + 1, next), newNodes);
  }

  /** The root hash of the tree; for the empty tree, {@link MerkleTree#emptyRootHash()}. */
  public byte[] rootHash() {
    if (hashes.isEmpty()) {
      return MerkleTree.emptyRootHash();
    }
    byte[] root = hashes.get(hashes.size() - 1).clone();
    for (int i = hashes.size() - 2; i >= 0; i--) {
      root = MerkleTree.nodeHash(hashes.get(i), root);
    }
    return root;
  }

  /** The hashes concatenated, largest subtree first; {@link #decode} reads them back given the size. */
  public byte[] encode() {
    ByteBuffer bytes = ByteBuffer.allocate(hashes.size() * MerkleTree.HASH_SIZE);
    hashes.forEach(bytes::put);
    return bytes.array();
  }

  /**
   * The frontier of a tree of {@code size} leaves from its {@link #encode() encoding}.
   *
   * @throws IllegalArgumentException if {@code size} is negative or {@code bytes} is not
   *     {@code Long.bitCount(size)} hashes long
   */
  public static Frontier decode(long size, byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (size < 0) {
      throw new IllegalArgumentException("frontier size must not be negative, got " + size);
    }
    int expected = Long.bitCount(size) * MerkleTree.HASH_SIZE;
    if (bytes.length != expected) {
      throw new IllegalArgumentException("the frontier of a tree of size " + size + " is " + expected
          + " bytes long, got " + bytes.length);
    }
    List<byte[]> hashes = new ArrayList<>();
    for (int offset = 0; offset < bytes.length; offset += MerkleTree.HASH_SIZE) {
      hashes.add(Arrays.copyOfRange(bytes, offset, offset + MerkleTree.HASH_SIZE));
    }
    return new Frontier(size, hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frontier other && size == other.size && equalHashes(hashes, other.hashes);
  }

  @Override
  public int hashCode() {
    int result = Long.hashCode(size);
    for (byte[] hash : hashes) {
      result = 31 * result + Arrays.hashCode(hash);
    }
    return result;
  }

  @Override
  public String toString() {
    return "Frontier[size=" + size + ", hashes=" + hashes.stream().map(HexFormat.of()::formatHex).toList() + "]";
  }

  private static List<byte[]> copy(List<byte[]> hashes) {
    return hashes.stream().map(hash -> MerkleTree.requireHash(hash, "hash").clone()).toList();
  }

  private static boolean equalHashes(List<byte[]> a, List<byte[]> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The result of {@link Frontier#append}.
   *
   * @param next the frontier with the leaf appended
   * @param newNodes the complete subtrees the leaf completes, lowest first, starting with the leaf
   */
  public record Appended(Frontier next, List<Node> newNodes) {

    public Appended {
      Objects.requireNonNull(next, "next");
      newNodes = List.copyOf(newNodes);
    }
  }

  /**
   * A complete subtree: the node {@code (level, index)} of {@link SubtreeHashes}.
   *
   * @param level the height of the subtree, 0 for a leaf
   * @param index the position of the subtree among those of its level, from 0
   * @param hash its root hash, {@value MerkleTree#HASH_SIZE} bytes (copied in and out)
   */
  public record Node(int level, long index, byte[] hash) {

    /**
     * @throws IllegalArgumentException if the node cannot be in a tree of at most {@code Long.MAX_VALUE}
     *     leaves or the hash is not {@value MerkleTree#HASH_SIZE} bytes
     */
    public Node {
      if (level < 0 || level > Long.SIZE - 2 || index < 0 || index >= Long.MAX_VALUE >>> level) {
        throw new IllegalArgumentException("no node (" + level + ", " + index + ") in a tree");
      }
      hash = MerkleTree.requireHash(hash, "hash").clone();
    }

    @Override
    public byte[] hash() {
      return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Node other && level == other.level && index == other.index
          && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
      return Objects.hash(level, index, Arrays.hashCode(hash));
    }

    @Override
    public String toString() {
      return "Node[level=" + level + ", index=" + index + ", hash=" + HexFormat.of().formatHex(hash) + "]";
    }
  }
}
