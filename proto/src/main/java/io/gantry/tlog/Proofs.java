package io.gantry.tlog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Root hashes and proofs of a tree, computed from the hashes of its complete subtrees in
 * {@code O(log n)} lookups, so that a log can serve any tree size it ever had from one store of
 * nodes.
 *
 * <p>A tree of {@code n} leaves is the chain of its complete subtrees, one per set bit of {@code n},
 * largest first; only the hashes joining them along the right edge are not stored, and these are
 * recomputed here. The lists returned are unmodifiable and may hold the arrays {@code nodes} returned.
 *
 * @see MerkleTree for the verification of the proofs
 */
public final class Proofs {

  private Proofs() {}

  /**
   * The root hash of the tree of {@code treeSize} leaves.
   *
   * @throws IllegalArgumentException if {@code treeSize} is negative
   */
  public static byte[] rootHash(long treeSize, SubtreeHashes nodes) {
    Objects.requireNonNull(nodes, "nodes");
    if (treeSize < 0) {
      throw new IllegalArgumentException("tree size must not be negative, got " + treeSize);
    }
    return treeSize == 0 ? MerkleTree.emptyRootHash() : edgeHash(treeSize, Long.SIZE - 1, nodes);
  }

  /**
   * The audit path of RFC 6962 section 2.1.1 for leaf {@code index} in the tree of {@code treeSize}
   * leaves: the hashes of the siblings of the nodes from the leaf to the root, lowest first.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < treeSize}
   */
  public static List<byte[]> inclusion(long index, long treeSize, SubtreeHashes nodes) {
    Objects.requireNonNull(nodes, "nodes");
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException("leaf index " + index + " is not in a tree of size " + treeSize);
    }
    return Collections.unmodifiableList(path(0, index, treeSize, nodes));
  }

  /**
   * The consistency proof of RFC 6962 section 2.1.2 from the tree of {@code size1} leaves to the tree
   * of {@code size2} leaves. RFC 9162 defines it for {@code 0 < size1 < size2}; for {@code size1 == 0}
   * and {@code size1 == size2} there is nothing to prove and the proof is empty, which
   * {@link MerkleTree#verifyConsistency} accepts.
   *
   * @throws IllegalArgumentException unless {@code 0 <= size1 <= size2}
   */
  public static List<byte[]> consistency(long size1, long size2, SubtreeHashes nodes) {
    Objects.requireNonNull(nodes, "nodes");
    if (size1 < 0 || size1 > size2) {
      throw new IllegalArgumentException("no consistency proof from tree size " + size1 + " to " + size2);
    }
    if (size1 == 0 || size1 == size2) {
      return List.of();
    }
    // The proof is the path, in the second tree, of the first tree's last complete subtree, preceded
    // by that subtree's hash unless it is the whole first tree (whose root the verifier has).
    int level = Long.numberOfTrailingZeros(size1);
    long index = (size1 - 1) >>> level;
    List<byte[]> proof = path(level, index, size2, nodes);
    if (index != 0) {
      proof.add(0, lookup(nodes, level, index));
    }
    return Collections.unmodifiableList(proof);
  }

  /** The siblings of complete node {@code (level, index)} and of its ancestors in the tree of {@code treeSize}. */
  private static List<byte[]> path(int level, long index, long treeSize, SubtreeHashes nodes) {
    long firstLeaf = index << level;
    // The node is in the subtree of the chain whose bit is the highest where its first leaf and the tree
    // size differ. Up to that subtree's root the siblings are complete subtrees; above it come the hash
    // of the smaller subtrees to its right, if any, then the larger ones to its left.
    int top = Long.SIZE - 1 - Long.numberOfLeadingZeros(firstLeaf ^ treeSize);
    List<byte[]> path = new ArrayList<>(Long.SIZE);
    for (int l = level; l < top; l++) {
      path.add(lookup(nodes, l, (firstLeaf >>> l) ^ 1));
    }
    if ((treeSize & ((1L << top) - 1)) != 0) {
      path.add(edgeHash(treeSize, top, nodes));
    }
    for (int l = top + 1; l < Long.SIZE - 1; l++) {
      if ((treeSize >>> l & 1) == 1) {
        path.add(chainSubtree(treeSize, l, nodes));
      }
    }
    return path;
  }

  /**
   * The hash over the subtrees of the chain of the tree of {@code treeSize} below level {@code below},
   * which is a node of that tree; there must be at least one.
   */
  private static byte[] edgeHash(long treeSize, int below, SubtreeHashes nodes) {
    byte[] hash = null;
    for (int l = 0; l < below; l++) {
      if ((treeSize >>> l & 1) == 1) {
        byte[] subtree = chainSubtree(treeSize, l, nodes);
        hash = hash == null ? subtree : MerkleTree.nodeHash(subtree, hash);
      }
    }
    return hash;
  }

  /** The subtree of the chain of the tree of {@code treeSize} at {@code level}, whose bit must be set. */
  private static byte[] chainSubtree(long treeSize, int level, SubtreeHashes nodes) {
    // The larger subtrees before it hold (treeSize >>> level) - 1 subtrees of its height.
    return lookup(nodes, level, (treeSize >>> level) - 1);
  }

  private static byte[] lookup(SubtreeHashes nodes, int level, long index) {
    byte[] hash = nodes.hash(level, index);
    if (!MerkleTree.isHash(hash)) {
      throw new IllegalStateException("the hash of node (" + level + ", " + index + ") is "
          + (hash == null ? "missing" : hash.length + " bytes long, not " + MerkleTree.HASH_SIZE));
    }
    return hash;
  }
}
