package io.gantry.tlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RFC 6962 test vectors that Certificate Transparency implementations share: eight leaves, the
 * roots of their first 1 to 8, and audit paths and consistency proofs between them. Copied from
 * github.com/transparency-dev/merkle, proof/verify_test.go (which took them from
 * certificate-transparency's merkle_tree_test.cc), where leaf numbers in the inclusion vectors are
 * 1-based; here they are the 0-based indexes.
 */
class Rfc6962VectorsTest {

  private static final List<byte[]> LEAVES = hex(
      "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f");

  /** The roots of the trees of the first 1, 2, ... 8 leaves. */
  private static final List<byte[]> ROOTS = hex(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  private record Inclusion(long index, long treeSize, List<byte[]> path) {}

  private record Consistency(long size1, long size2, List<byte[]> proof) {}

  private static final List<Inclusion> INCLUSIONS = List.of(
      new Inclusion(0, 1, List.of()),
      new Inclusion(0, 8, hex(
          "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
      new Inclusion(5, 8, hex(
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
      new Inclusion(2, 3, hex(
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
      new Inclusion(1, 5, hex(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));

  private static final List<Consistency> CONSISTENCIES = List.of(
      new Consistency(1, 1, List.of()),
      new Consistency(1, 8, hex(
          "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
      new Consistency(6, 8, hex(
          "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
      new Consistency(2, 5, hex(
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
      new Consistency(6, 7, hex(
          "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));

  private static final InMemoryTree TREE = new InMemoryTree(LEAVES.stream().map(MerkleTree::leafHash).toList());

  @Test
  void emptyTreeHashIsSha256OfNothing() {
    byte[] expected = HexFormat.of().parseHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(MerkleTree.emptyRootHash()).isEqualTo(expected);
    assertThat(MerkleTree.rootHash(List.of())).isEqualTo(expected);
    assertThat(Proofs.rootHash(0, TREE)).isEqualTo(expected);
    assertThat(Frontier.empty().rootHash()).isEqualTo(expected);
  }

  @Test
  void rootsOfTheFirstOneToEightLeavesAreThePublishedOnes() {
    Frontier frontier = Frontier.empty();
    for (int size = 1; size <= LEAVES.size(); size++) {
      byte[] expected = ROOTS.get(size - 1);
      assertThat(MerkleTree.rootHash(TREE.leafHashes(size))).as("MerkleTree, size %d", size).isEqualTo(expected);
      assertThat(Proofs.rootHash(size, TREE.completeIn(size))).as("Proofs, size %d", size).isEqualTo(expected);
      frontier = frontier.append(MerkleTree.leafHash(LEAVES.get(size - 1))).next();
      assertThat(frontier.rootHash()).as("Frontier, size %d", size).isEqualTo(expected);
    }
  }

  @Test
  void inclusionProofsAreThePublishedOnesAndVerify() {
    for (Inclusion vector : INCLUSIONS) {
      byte[] leafHash = MerkleTree.leafHash(LEAVES.get((int) vector.index()));
      byte[] root = ROOTS.get((int) vector.treeSize() - 1);
      assertThat(Proofs.inclusion(vector.index(), vector.treeSize(), TREE.completeIn(vector.treeSize())))
          .as("%s", vector)
          .containsExactlyElementsOf(vector.path());
      assertThat(MerkleTree.verifyInclusion(leafHash, vector.index(), vector.treeSize(), vector.path(), root))
          .as("%s", vector)
          .isTrue();
    }
  }

  @Test
  void consistencyProofsAreThePublishedOnesAndVerify() {
    for (Consistency vector : CONSISTENCIES) {
      byte[] root1 = ROOTS.get((int) vector.size1() - 1);
      byte[] root2 = ROOTS.get((int) vector.size2() - 1);
      assertThat(Proofs.consistency(vector.size1(), vector.size2(), TREE.completeIn(vector.size2())))
          .as("%s", vector)
          .containsExactlyElementsOf(vector.proof());
      assertThat(MerkleTree.verifyConsistency(vector.size1(), vector.size2(), root1, root2, vector.proof()))
          .as("%s", vector)
          .isTrue();
    }
  }

  @Test
  void publishedProofsFailForAnyOtherClaim() {
    for (Inclusion vector : INCLUSIONS) {
      byte[] leafHash = MerkleTree.leafHash(LEAVES.get((int) vector.index()));
      byte[] root = ROOTS.get((int) vector.treeSize() - 1);
      for (List<byte[]> path : Corrupt.proofs(vector.path())) {
        assertThat(MerkleTree.verifyInclusion(leafHash, vector.index(), vector.treeSize(), path, root)).isFalse();
      }
      Stream.of(vector.index() - 1, vector.index() + 1, vector.index() ^ 2).forEach(index ->
          assertThat(MerkleTree.verifyInclusion(leafHash, index, vector.treeSize(), vector.path(), root)).isFalse());
      Stream.of(vector.treeSize() * 2, vector.treeSize() / 2).forEach(size ->
          assertThat(MerkleTree.verifyInclusion(leafHash, vector.index(), size, vector.path(), root)).isFalse());
      assertThat(MerkleTree.verifyInclusion(MerkleTree.leafHash(new byte[] {1}), vector.index(), vector.treeSize(),
          vector.path(), root)).isFalse();
      assertThat(MerkleTree.verifyInclusion(leafHash, vector.index(), vector.treeSize(), vector.path(),
          MerkleTree.emptyRootHash())).isFalse();
    }
    for (Consistency vector : CONSISTENCIES.subList(1, CONSISTENCIES.size())) {
      byte[] root1 = ROOTS.get((int) vector.size1() - 1);
      byte[] root2 = ROOTS.get((int) vector.size2() - 1);
      for (List<byte[]> proof : Corrupt.proofs(vector.proof())) {
        assertThat(MerkleTree.verifyConsistency(vector.size1(), vector.size2(), root1, root2, proof)).isFalse();
      }
      Stream.of(vector.size1() - 1, vector.size1() + 1, vector.size1() ^ 2).forEach(size1 ->
          assertThat(MerkleTree.verifyConsistency(size1, vector.size2(), root1, root2, vector.proof())).isFalse());
      Stream.of(vector.size2() * 2, vector.size2() / 2).forEach(size2 ->
          assertThat(MerkleTree.verifyConsistency(vector.size1(), size2, root1, root2, vector.proof())).isFalse());
      assertThat(MerkleTree.verifyConsistency(vector.size1(), vector.size2(), root2, root1, vector.proof())).isFalse();
    }
  }

  static List<byte[]> hex(String... hashes) {
    List<byte[]> bytes = new ArrayList<>();
    for (String hash : hashes) {
      bytes.add(HexFormat.of().parseHex(hash));
    }
    return bytes;
  }
}
