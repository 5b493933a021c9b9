package io.gantry.server.audit;

import java.time.OffsetDateTime;

/** A published checkpoint: the tree size and root it commits to, and the signed note that says so. */
public record SignedCheckpoint(long treeSize, byte[] rootHash, String signedNote, OffsetDateTime time) {}
