package io.gantry.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Proofs} against the definitions of {@link MerkleTree}, over every small tree and some huge ones. */
class ProofsTest {

  private static final int MAX_SIZE = 70;
  private static final InMemoryTree TREE = InMemoryTree.ofSize(MAX_SIZE);

  @Test
  void rootHashIsTheMerkleTreeHashAtEverySize() {
    for (int size = 0; size <= MAX_SIZE; size++) {
      assertThat(Proofs.rootHash(size, TREE.completeIn(size)))
          .as("size %d", size)
          .isEqualTo(MerkleTree.rootHash(TREE.leafHashes(size)));
    }
  }

  @Test
  void everyInclusionProofVerifiesAndNoCorruptedOneDoes() {
    for (int size = 1; size <= MAX_SIZE; size++) {
      byte[] root = MerkleTree.rootHash(TREE.leafHashes(size));
      for (int index = 0; index < size; index++) {
        byte[] leaf = TREE.hash(0, index);
        List<byte[]> proof = Proofs.inclusion(index, size, TREE.completeIn(size));
        assertThat(MerkleTree.verifyInclusion(leaf, index, size, proof, root))
            .as("leaf %d of %d", index, size)
            .isTrue();

        for (List<byte[]> corrupted : Corrupt.proofs(proof)) {
          assertThat(MerkleTree.verifyInclusion(leaf, index, size, corrupted, root)).isFalse();
        }
        for (long otherIndex : new long[] {index - 1, index + 1, index ^ 2}) {
          assertThat(MerkleTree.verifyInclusion(leaf, otherIndex, size, proof, root))
              .as("leaf %d of %d as leaf %d", index, size, otherIndex)
              .isFalse();
        }
        for (long otherSize : new long[] {size * 2L, size / 2}) {
          assertThat(MerkleTree.verifyInclusion(leaf, index, otherSize, proof, root))
              .as("leaf %d of %d in size %d", index, size, otherSize)
              .isFalse();
        }
        byte[] otherLeaf = TREE.hash(0, (index + 1) % MAX_SIZE);
        assertThat(MerkleTree.verifyInclusion(otherLeaf, index, size, proof, root)).isFalse();
      }
    }
  }

  @Test
  void everyConsistencyProofVerifiesAndNoCorruptedOneDoes() {
    for (int size2 = 0; size2 <= MAX_SIZE; size2++) {
      byte[] root2 = MerkleTree.rootHash(TREE.leafHashes(size2));
      for (int size1 = 0; size1 <= size2; size1++) {
        byte[] root1 = MerkleTree.rootHash(TREE.leafHashes(size1));
        List<byte[]> proof = Proofs.consistency(size1, size2, TREE.completeIn(size2));
        assertThat(MerkleTree.verifyConsistency(size1, size2, root1, root2, proof))
            .as("from %d to %d", size1, size2)
            .isTrue();
        if (size1 == 0 || size1 == size2) {
          assertThat(proof).isEmpty();
          continue;
        }
        for (List<byte[]> corrupted : Corrupt.proofs(proof)) {
          assertThat(MerkleTree.verifyConsistency(size1, size2, root1, root2, corrupted)).isFalse();
        }
        for (long otherSize1 : new long[] {size1 - 1, size1 + 1, size1 ^ 2}) {
          assertThat(MerkleTree.verifyConsistency(otherSize1, size2, root1, root2, proof))
              .as("from %d (as %d) to %d", size1, otherSize1, size2)
              .isFalse();
        }
        for (long otherSize2 : new long[] {size2 * 2L, size2 / 2}) {
          assertThat(MerkleTree.verifyConsistency(size1, otherSize2, root1, root2, proof))
              .as("from %d to %d (as %d)", size1, size2, otherSize2)
              .isFalse();
        }
        assertThat(MerkleTree.verifyConsistency(size1, size2, root2, root1, proof)).isFalse();
      }
    }
  }

  @Test
  void trivialConsistencyNeedsMatchingRoots() {
    byte[] root = MerkleTree.rootHash(TREE.leafHashes(5));
    byte[] other = MerkleTree.rootHash(TREE.leafHashes(6));
    assertThat(MerkleTree.verifyConsistency(5, 5, root, root, List.of())).isTrue();
    assertThat(MerkleTree.verifyConsistency(5, 5, root, other, List.of())).isFalse();
    assertThat(MerkleTree.verifyConsistency(5, 5, root, root, List.of(root))).isFalse();
    assertThat(MerkleTree.verifyConsistency(0, 5, MerkleTree.emptyRootHash(), root, List.of())).isTrue();
    assertThat(MerkleTree.verifyConsistency(0, 5, other, root, List.of())).isFalse();
    assertThat(MerkleTree.verifyConsistency(0, 5, MerkleTree.emptyRootHash(), root, List.of(root))).isFalse();
    assertThat(MerkleTree.verifyConsistency(6, 5, other, root, List.of())).isFalse();
  }

  @Test
  void proofsOfHugeTreesVerify() {
    Random random = new Random(6962);
    for (int round = 0; round < 8; round++) {
      long size2 = 1 + (random.nextLong() >>> (2 + random.nextInt(40)));
      long size1 = 1 + Math.floorMod(random.nextLong(), size2);
      long index = Math.floorMod(random.nextLong(), size2);
      SparseTree tree = new SparseTree(Set.of(index, size1 - 1, size2 - 1, Math.floorMod(random.nextLong(), size2)));
      byte[] root1 = tree.rootHash(0, size1);
      byte[] root2 = tree.rootHash(0, size2);
      assertThat(Proofs.rootHash(size2, tree)).isEqualTo(root2);

      List<byte[]> inclusion = Proofs.inclusion(index, size2, tree);
      assertThat(MerkleTree.verifyInclusion(tree.leafHash(index), index, size2, inclusion, root2))
          .as("leaf %d of %d", index, size2)
          .isTrue();
      for (List<byte[]> corrupted : Corrupt.proofs(inclusion)) {
        assertThat(MerkleTree.verifyInclusion(tree.leafHash(index), index, size2, corrupted, root2)).isFalse();
      }

      List<byte[]> consistency = Proofs.consistency(size1, size2, tree);
      assertThat(MerkleTree.verifyConsistency(size1, size2, root1, root2, consistency))
          .as("from %d to %d", size1, size2)
          .isTrue();
      if (size1 < size2) {
        for (List<byte[]> corrupted : Corrupt.proofs(consistency)) {
          assertThat(MerkleTree.verifyConsistency(size1, size2, root1, root2, corrupted)).isFalse();
        }
      }
    }
  }

  @Test
  void proofsOfTheLargestTreeVerify() {
    long size = Long.MAX_VALUE;
    long index = size - 1;
    SparseTree tree = new SparseTree(Set.of(0L, index));
    byte[] root = tree.rootHash(0, size);
    List<byte[]> inclusion = Proofs.inclusion(index, size, tree);
    assertThat(inclusion).hasSize(62);
    assertThat(MerkleTree.verifyInclusion(tree.leafHash(index), index, size, inclusion, root)).isTrue();
    List<byte[]> consistency = Proofs.consistency(1, size, tree);
    assertThat(MerkleTree.verifyConsistency(1, size, tree.leafHash(0), root, consistency)).isTrue();
  }

  @Test
  void proofsUseLogarithmicallyManyLookups() {
    long size = (1L << 40) - 1; // 40 complete subtrees: the most lookups for a root of this height
    List<String> lookups = new ArrayList<>();
    SparseTree tree = new SparseTree(Set.of(12345L));
    SubtreeHashes counting = (level, index) -> {
      lookups.add(level + "/" + index);
      return tree.hash(level, index);
    };
    Proofs.rootHash(size, counting);
    assertThat(lookups).hasSize(40);
    lookups.clear();
    Proofs.inclusion(12345, size, counting);
    assertThat(lookups).hasSizeLessThanOrEqualTo(2 * 40);
    lookups.clear();
    Proofs.consistency(12345, size, counting);
    assertThat(lookups).hasSizeLessThanOrEqualTo(2 * 40 + 1);
  }

  @Test
  void rejectsSizesAndIndexesOutsideTheTree() {
    assertThatThrownBy(() -> Proofs.rootHash(-1, TREE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Proofs.inclusion(5, 5, TREE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaf index 5 is not in a tree of size 5");
    assertThatThrownBy(() -> Proofs.inclusion(-1, 5, TREE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Proofs.consistency(6, 5, TREE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no consistency proof from tree size 6 to 5");
    assertThatThrownBy(() -> Proofs.consistency(-1, 5, TREE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStoreReturningABadHashIsReported() {
    assertThatThrownBy(() -> Proofs.rootHash(3, (level, index) -> new byte[31]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the hash of node (0, 2) is 31 bytes long, not 32");
    assertThatThrownBy(() -> Proofs.inclusion(0, 3, (level, index) -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the hash of node (0, 1) is missing");
  }

  @Test
  void verifiersRejectMalformedInputWithoutThrowing() {
    byte[] root = MerkleTree.rootHash(TREE.leafHashes(4));
    byte[] leaf = TREE.hash(0, 0);
    List<byte[]> proof = Proofs.inclusion(0, 4, TREE);
    assertThat(MerkleTree.verifyInclusion(new byte[31], 0, 4, proof, root)).isFalse();
    assertThat(MerkleTree.verifyInclusion(leaf, 0, 4, proof, new byte[33])).isFalse();
    assertThat(MerkleTree.verifyInclusion(leaf, 0, -4, proof, root)).isFalse();
    assertThat(MerkleTree.verifyInclusion(leaf, Long.MIN_VALUE, Long.MAX_VALUE, proof, root)).isFalse();
    List<byte[]> withNull = new ArrayList<>(proof);
    withNull.set(1, null);
    assertThat(MerkleTree.verifyInclusion(leaf, 0, 4, withNull, root)).isFalse();
    assertThat(MerkleTree.verifyConsistency(-1, 4, root, root, List.of())).isFalse();
    assertThat(MerkleTree.verifyConsistency(4, 4, new byte[0], new byte[0], List.of())).isFalse();
  }
}
