package io.gantry.tlog;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A tree too large to hold, up to 2^62 leaves: every leaf hash is the same except a few, so a
 * subtree without any of those has a hash that depends only on its level, and the others are
 * computed down to the distinct leaves on demand.
 */
final class SparseTree implements SubtreeHashes {

  private final NavigableMap<Long, byte[]> distinctLeaves = new TreeMap<>();
  private final List<byte[]> uniform = new ArrayList<>();

  SparseTree(Iterable<Long> distinctIndexes) {
    byte[] hash = MerkleTree.leafHash(new byte[] {'-'});
    for (int level = 0; level < Long.SIZE - 1; level++) {
      uniform.add(hash);
      hash = MerkleTree.nodeHash(hash, hash);
    }
    distinctIndexes.forEach(i -> distinctLeaves.put(i, MerkleTree.leafHash(Long.toString(i).getBytes())));
  }

  byte[] leafHash(long index) {
    return hash(0, index);
  }

  @Override
  public byte[] hash(int level, long index) {
    long first = index << level;
    if (distinctLeaves.subMap(first, true, first + ((1L << level) - 1), true).isEmpty()) {
      return uniform.get(level);
    }
    if (level == 0) {
      return distinctLeaves.get(index);
    }
    return MerkleTree.nodeHash(hash(level - 1, 2 * index), hash(level - 1, 2 * index + 1));
  }

  /** The Merkle tree hash of leaves {@code [start, end)}, by the recursive definition of RFC 6962. */
  byte[] rootHash(long start, long end) {
    long size = end - start;
    if (Long.bitCount(size) == 1) {
      return hash(Long.numberOfTrailingZeros(size), start / size);
    }
    long split = Long.highestOneBit(size - 1);
    return MerkleTree.nodeHash(rootHash(start, start + split), rootHash(start + split, end));
  }
}
