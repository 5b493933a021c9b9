/**
 * The transparency log core of the registry's audit log: an RFC 6962 Merkle tree of events, C2SP
 * checkpoints that commit to its size and root, and C2SP signed notes that sign them with Ed25519.
 * The server appends, proves and signs with it; the CLI verifies with it, offline and without trusting
 * the server. It depends on nothing but the JDK, so that both, and anyone who audits the log, can run
 * the very same code.
 *
 * <h2>The tree</h2>
 *
 * {@link io.gantry.tlog.MerkleTree} holds the hash definitions of RFC 6962 (leaf and node hashes with
 * distinct prefixes, the tree hash over any number of leaves) and the proof verifiers of RFC 9162,
 * which return {@code false} for anything they cannot accept rather than throw. A log builds its tree
 * one leaf at a time with {@link io.gantry.tlog.Frontier}, the hashes of the tree's right edge: appending
 * a leaf needs nothing else, yields the new root, and lists the complete subtrees the leaf finishes.
 * Those never change, so a store keeps them, and {@link io.gantry.tlog.Proofs} reads them back through
 * {@link io.gantry.tlog.SubtreeHashes} to compute the root, inclusion proof and consistency proof of any
 * size the tree has had, in a logarithmic number of lookups.
 *
 * <h2>Checkpoints and notes</h2>
 *
 * A {@link io.gantry.tlog.Checkpoint} is the three-line text (origin, size, root hash) a log signs;
 * {@link io.gantry.tlog.NoteSigner} signs it into a note with one signature line, and
 * {@link io.gantry.tlog.NoteVerifier}, given the log's verifier key, returns the text only if a
 * signature by that key verifies. The formats are byte for byte those of c2sp.org/tlog-checkpoint and
 * c2sp.org/signed-note, so the keys and notes interoperate with Go's golang.org/x/mod/sumdb/note and the
 * transparency-dev tools. The parsers are strict (no leading zeros, no non-canonical base64, no
 * stray whitespace) and say what is wrong with what they reject.
 *
 * <p>A client checks the log in that order: it verifies a checkpoint note with the verifier key it was
 * given out of band, parses the text and compares the origin with the log it expects; only then does it
 * check inclusion proofs of the events it cares about against the checkpoint's root, and a consistency
 * proof from the last checkpoint it trusted.
 */
package io.gantry.tlog;
