package io.gantry.tlog;

import java.util.ArrayList;
import java.util.List;

/** Ways to spoil a proof, each of which a verifier must notice. */
final class Corrupt {

  private Corrupt() {}

  /** The proof with one bit flipped in each of its hashes in turn, and with a hash dropped, added or moved. */
  static List<List<byte[]>> proofs(List<byte[]> proof) {
    List<List<byte[]>> corrupted = new ArrayList<>();
    for (int i = 0; i < proof.size(); i++) {
      for (int bit : new int[] {0, 7 * 8 + 3, MerkleTree.HASH_SIZE * 8 - 1}) {
        List<byte[]> copy = new ArrayList<>(proof);
        byte[] hash = copy.get(i).clone();
        hash[bit / 8] ^= (byte) (1 << (bit % 8));
        copy.set(i, hash);
        corrupted.add(copy);
      }
    }
    byte[] other = MerkleTree.leafHash(new byte[] {42});
    if (!proof.isEmpty()) {
      corrupted.add(proof.subList(0, proof.size() - 1));
      corrupted.add(proof.subList(1, proof.size()));
      corrupted.add(with(proof, 0, proof.get(0)));
    }
    corrupted.add(with(proof, proof.size(), other));
    corrupted.add(with(proof, 0, other));
    corrupted.add(with(proof, proof.size(), new byte[0]));
    if (proof.size() > 1) {
      List<byte[]> swapped = new ArrayList<>(proof);
      swapped.set(0, proof.get(1));
      swapped.set(1, proof.get(0));
      corrupted.add(swapped);
    }
    return corrupted;
  }

  private static List<byte[]> with(List<byte[]> proof, int position, byte[] hash) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.add(position, hash);
    return copy;
  }
}
