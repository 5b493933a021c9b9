package io.gantry.tlog;

/**
 * Read access to the hashes of a tree's complete, aligned subtrees, as a log's store keeps them.
 *
 * <p>Node {@code (level, index)} is the root of the complete subtree over leaves
 * {@code [index * 2^level, (index + 1) * 2^level)}: level 0 holds the leaf hashes, and
 * {@code (level + 1, i)} is {@link MerkleTree#nodeHash nodeHash}{@code ((level, 2i), (level, 2i + 1))}.
 * Such a node never changes once its last leaf is appended, which is what makes it storable; the
 * hashes of incomplete subtrees along a tree's right edge depend on the tree size and are computed
 * by {@link Proofs} instead. {@link Frontier.Appended#newNodes()} lists the nodes to store as each
 * leaf is appended.
 */
@FunctionalInterface
public interface SubtreeHashes {

  /**
   * The {@value MerkleTree#HASH_SIZE}-byte hash of node {@code (level, index)}. {@link Proofs} asks
   * only for nodes that are complete in the tree it works on; the returned array is not modified.
   */
  byte[] hash(int level, long index);
}
