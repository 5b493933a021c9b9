package io.gantry.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrontierTest {

  private static final int MAX_SIZE = 70;
  private static final InMemoryTree TREE = InMemoryTree.ofSize(MAX_SIZE);

  @Test
  void appendingLeafByLeafGivesTheMerkleTreeHashAtEverySize() {
    Frontier frontier = Frontier.empty();
    assertThat(frontier.rootHash()).isEqualTo(MerkleTree.rootHash(List.of()));
    for (int size = 1; size <= MAX_SIZE; size++) {
      frontier = frontier.append(TREE.hash(0, size - 1)).next();
      assertThat(frontier.size()).isEqualTo(size);
      assertThat(frontier.hashes()).hasSize(Integer.bitCount(size));
      assertThat(frontier.rootHash()).as("size %d", size).isEqualTo(MerkleTree.rootHash(TREE.leafHashes(size)));
    }
  }

  @Test
  void newNodesAreExactlyTheSubtreesTheLeafCompletes() {
    Frontier frontier = Frontier.empty();
    for (int size = 1; size <= MAX_SIZE; size++) {
      Frontier.Appended appended = frontier.append(TREE.hash(0, size - 1));
      // A subtree of 2^level leaves ends at this leaf exactly when 2^level divides the new size.
      List<Frontier.Node> expected = new ArrayList<>();
      for (int level = 0; size % (1 << level) == 0; level++) {
        long index = (size >> level) - 1;
        expected.add(new Frontier.Node(level, index, TREE.hash(level, index)));
      }
      assertThat(appended.newNodes()).as("leaf %d", size - 1).containsExactlyElementsOf(expected);
      frontier = appended.next();
    }
  }

  @Test
  void newNodesAreAllThatProofsNeed() {
    Map<String, byte[]> store = new HashMap<>();
    SubtreeHashes stored = (level, index) -> store.get(level + "/" + index);
    Frontier frontier = Frontier.empty();
    for (int size = 1; size <= MAX_SIZE; size++) {
      Frontier.Appended appended = frontier.append(TREE.hash(0, size - 1));
      appended.newNodes().forEach(node -> store.put(node.level() + "/" + node.index(), node.hash()));
      frontier = appended.next();

      assertThat(Proofs.rootHash(size, stored)).isEqualTo(frontier.rootHash());
      for (int index = 0; index < size; index++) {
        assertThat(Proofs.inclusion(index, size, stored))
            .containsExactlyElementsOf(Proofs.inclusion(index, size, TREE.completeIn(size)));
      }
      for (int size1 = 0; size1 <= size; size1++) {
        assertThat(Proofs.consistency(size1, size, stored))
            .containsExactlyElementsOf(Proofs.consistency(size1, size, TREE.completeIn(size)));
      }
    }
  }

  @Test
  void encodingIsTheHashesConcatenatedAndDecodesBack() {
    Frontier frontier = Frontier.empty();
    for (int size = 1; size <= MAX_SIZE; size++) {
      frontier = frontier.append(TREE.hash(0, size - 1)).next();
      byte[] encoded = frontier.encode();
      assertThat(encoded).hasSize(Integer.bitCount(size) * MerkleTree.HASH_SIZE);
      assertThat(encoded).startsWith(frontier.hashes().get(0));
      Frontier decoded = Frontier.decode(size, encoded);
      assertThat(decoded).isEqualTo(frontier).hasSameHashCodeAs(frontier);
      assertThat(decoded.rootHash()).isEqualTo(frontier.rootHash());
    }
    assertThat(Frontier.decode(0, new byte[0])).isEqualTo(Frontier.empty());
  }

  @Test
  void decodeRejectsTheWrongNumberOfBytes() {
    byte[] seven = Frontier.empty().append(TREE.hash(0, 0)).next().append(TREE.hash(0, 1)).next()
        .append(TREE.hash(0, 2)).next().encode();
    assertThat(seven).hasSize(64);
    assertThatThrownBy(() -> Frontier.decode(7, seven))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the frontier of a tree of size 7 is 96 bytes long, got 64");
    assertThatThrownBy(() -> Frontier.decode(3, new byte[63])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Frontier.decode(0, new byte[32])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Frontier.decode(-1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructorChecksTheHashes() {
    byte[] hash = TREE.hash(0, 0);
    assertThatThrownBy(() -> new Frontier(3, List.of(hash)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tree of size 3 has 2 complete subtrees, got 1 hashes");
    assertThatThrownBy(() -> new Frontier(1, List.of(new byte[31])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hash must be 32 bytes, got 31");
    assertThatThrownBy(() -> Frontier.empty().append(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isImmutable() {
    byte[] leaf = TREE.hash(0, 0).clone();
    Frontier.Appended appended = Frontier.empty().append(leaf);
    Frontier frontier = appended.next();
    leaf[0] ^= 1;
    frontier.hashes().get(0)[0] ^= 1;
    appended.newNodes().get(0).hash()[0] ^= 1;
    assertThat(frontier.rootHash()).isEqualTo(TREE.hash(0, 0));
    assertThat(appended.newNodes().get(0).hash()).isEqualTo(TREE.hash(0, 0));
  }

  @Test
  void appendsUpToTheLargestTree() {
    List<byte[]> hashes = new ArrayList<>();
    for (int level = 62; level >= 0; level--) {
      hashes.add(TREE.hash(0, level));
    }
    Frontier full = new Frontier(Long.MAX_VALUE, hashes);
    assertThatThrownBy(() -> full.append(TREE.hash(0, 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the tree is full");
    Frontier almostFull = new Frontier(Long.MAX_VALUE - 1, hashes.subList(0, 62));
    Frontier.Appended last = almostFull.append(hashes.get(62));
    assertThat(last.next()).isEqualTo(full);
    assertThat(last.newNodes()).containsExactly(new Frontier.Node(0, Long.MAX_VALUE - 1, hashes.get(62)));
  }

  @Test
  void nodesOutsideAnyTreeAreRejected() {
    byte[] hash = TREE.hash(0, 0);
    assertThat(new Frontier.Node(62, 0, hash).index()).isZero();
    assertThatThrownBy(() -> new Frontier.Node(62, 1, hash)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Frontier.Node(63, 0, hash)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Frontier.Node(0, -1, hash)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Frontier.Node(0, Long.MAX_VALUE, hash)).isInstanceOf(IllegalArgumentException.class);
  }
}
