package io.gantry.tlog;

import java.util.ArrayList;
import java.util.List;

/** Every complete subtree of a tree held in memory, computed level by level from the leaf hashes. */
final class InMemoryTree implements SubtreeHashes {

  private final List<List<byte[]>> levels = new ArrayList<>();

  InMemoryTree(List<byte[]> leafHashes) {
    levels.add(List.copyOf(leafHashes));
    for (List<byte[]> level = levels.get(0); level.size() > 1; level = levels.get(levels.size() - 1)) {
      List<byte[]> up = new ArrayList<>();
      for (int i = 0; i + 1 < level.size(); i += 2) {
        up.add(MerkleTree.nodeHash(level.get(i), level.get(i + 1)));
      }
      levels.add(up);
    }
  }

  /** A tree of {@code size} distinct leaves, leaf {@code i} being the decimal digits of {@code i}. */
  static InMemoryTree ofSize(int size) {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      leaves.add(MerkleTree.leafHash(Integer.toString(i).getBytes()));
    }
    return new InMemoryTree(leaves);
  }

  List<byte[]> leafHashes(int count) {
    return levels.get(0).subList(0, count);
  }

  /** This tree's nodes, failing the test on a node not complete in a tree of {@code size} leaves. */
  SubtreeHashes completeIn(long size) {
    return (level, index) -> {
      if ((index + 1) << level > size) {
        throw new AssertionError("node (" + level + ", " + index + ") is not complete in a tree of size " + size);
      }
      return hash(level, index);
    };
  }

  @Override
  public byte[] hash(int level, long index) {
    if (level >= levels.size() || index >= levels.get(level).size()) {
      throw new AssertionError("node (" + level + ", " + index + ") is not complete");
    }
    return levels.get(level).get((int) index);
  }
}
