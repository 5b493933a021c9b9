package io.gantry.tlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * The Merkle tree hash of RFC 6962 (as restated in RFC 9162 section 2.1) with SHA-256, and the
 * verification of its inclusion and consistency proofs.
 *
 * <p>Leaves and interior nodes are hashed with different prefixes (0x00 and 0x01) so that no leaf
 * can pass for a node. A tree of {@code n > 1} leaves splits at the largest power of two {@code k < n}:
 * its hash is {@code nodeHash(MTH(D[0:k]), MTH(D[k:n]))}. So a tree is a chain of complete subtrees,
 * one per set bit of {@code n}, largest first, joined from the right:
 * {@code nodeHash(S1, nodeHash(S2, ... nodeHash(Sk-1, Sk)))}.
 *
 * <p>The verifiers take proofs from an untrusted source: they never throw on bad values (negative
 * sizes, hashes of the wrong length, proofs too short or too long) but return {@code false}.
 */
public final class MerkleTree {

  /** The length in bytes of every hash in the tree (SHA-256). */
  public static final int HASH_SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private MerkleTree() {}

  /** {@code SHA-256(0x00 || leafData)}: the hash of a leaf. */
  public static byte[] leafHash(byte[] leafData) {
    Objects.requireNonNull(leafData, "leafData");
    MessageDigest sha256 = sha256();
    sha256.update(LEAF_PREFIX);
    sha256.update(leafData);
    return sha256.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}: the hash of an interior node. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    requireHash(left, "left");
    requireHash(right, "right");
    MessageDigest sha256 = sha256();
    sha256.update(NODE_PREFIX);
    sha256.update(left);
    sha256.update(right);
    return sha256.digest();
  }

  /** The hash of the empty tree, {@code SHA-256("")}. */
  public static byte[] emptyRootHash() {
    return sha256().digest();
  }

  /**
   * The Merkle tree hash of the given leaf hashes, straight from the recursive definition; it reads
   * every leaf, so it is meant for small trees and as the reference the incremental forms
   * ({@link Proofs}, {@link Frontier}) are tested against.
   *
   * @throws IllegalArgumentException if a leaf hash is not {@value #HASH_SIZE} bytes long
   */
  public static byte[] rootHash(List<byte[]> leafHashes) {
    leafHashes.forEach(hash -> requireHash(hash, "leaf hash"));
    return leafHashes.isEmpty() ? emptyRootHash() : rootHash(leafHashes, 0, leafHashes.size());
  }

  private static byte[] rootHash(List<byte[]> leafHashes, int start, int end) {
    if (end - start == 1) {
      return leafHashes.get(start).clone();
    }
    int split = start + Integer.highestOneBit(end - start - 1);
    return nodeHash(rootHash(leafHashes, start, split), rootHash(leafHashes, split, end));
  }

  /**
   * Whether {@code proof} shows that the leaf with hash {@code leafHash} is at {@code index} in the
   * tree of {@code treeSize} leaves whose root hash is {@code rootHash}: the algorithm of RFC 9162
   * section 2.1.3.2. The proof is the audit path of RFC 6962 section 2.1.1, from the leaf up.
   */
  public static boolean verifyInclusion(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof, byte[] rootHash) {
    Objects.requireNonNull(leafHash, "leafHash");
    Objects.requireNonNull(proof, "proof");
    Objects.requireNonNull(rootHash, "rootHash");
    if (index < 0 || index >= treeSize || !isHash(leafHash) || !isHash(rootHash) || !allHashes(proof)) {
      return false;
    }
    // The names are those of RFC 9162, to compare the steps with it.
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        // Climb past the levels where this node has no right sibling and is promoted unchanged.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, rootHash);
  }

  /**
   * Whether {@code proof} shows that the tree of {@code size1} leaves with root {@code root1} is a
   * prefix of the tree of {@code size2} leaves with root {@code root2}: the algorithm of RFC 9162
   * section 2.1.4.2 for {@code 0 < size1 < size2}, where the proof is that of RFC 6962 section 2.1.2.
   *
   * <p>RFC 9162 defines no proof for the other sizes; as {@link Proofs#consistency} returns an empty
   * proof for them, this accepts an empty proof when {@code size1 == size2} and the roots are equal, or
   * when {@code size1 == 0} and {@code root1} is the empty tree's hash (any tree extends the empty one).
   */
  public static boolean verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
    Objects.requireNonNull(root1, "root1");
    Objects.requireNonNull(root2, "root2");
    Objects.requireNonNull(proof, "proof");
    if (size1 < 0 || size2 < size1 || !isHash(root1) || !isHash(root2) || !allHashes(proof)) {
      return false;
    }
    if (size1 == size2) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, root2);
    }
    if (size1 == 0) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, emptyRootHash());
    }
    if (proof.isEmpty()) {
      return false;
    }
    // A first tree that is one complete subtree is its own root: the proof leaves it out.
    boolean firstIsComplete = Long.bitCount(size1) == 1;
    int start = firstIsComplete ? 0 : 1;
    byte[] fr = firstIsComplete ? root1 : proof.get(0);
    byte[] sr = fr;
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    for (byte[] c : proof.subList(start, proof.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, root1) && MessageDigest.isEqual(sr, root2);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }

  static boolean isHash(byte[] hash) {
    return hash != null && hash.length == HASH_SIZE;
  }

  static byte[] requireHash(byte[] hash, String what) {
    Objects.requireNonNull(hash, what);
    if (hash.length != HASH_SIZE) {
      throw new IllegalArgumentException(what + " must be " + HASH_SIZE + " bytes, got " + hash.length);
    }
    return hash;
  }

  private static boolean allHashes(List<byte[]> proof) {
    for (byte[] hash : proof) {
      if (!isHash(hash)) {
        return false;
      }
    }
    return true;
  }
}
