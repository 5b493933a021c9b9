package io.gantry.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.tlog.Checkpoint;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteVerifier;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetConsistencyProofRequest;
import io.gantry.v1.GetInclusionProofRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.VerifyAuditLogRequest;
import io.grpc.ManagedChannel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two server replicas on one database build one tree. */
class AuditReplicasTest {

  private static final int WRITERS = 8;
  private static final int VERSIONS_EACH = 10;

  @Test
  void eightWritersOverTwoReplicas_buildOneTree_whoseEveryProofChecks() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-replicas");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Map<String, String> env = Map.of(
          "GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
          "GANTRY_DB_USER", "postgres",
          "GANTRY_DATA_DIR", dir.toString(),
          "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString(),
          "GANTRY_CHECKPOINT_INTERVAL_EVENTS", "5");
      try (GantryServer first = TestRegistry.start(dir, env); GantryServer second = TestRegistry.start(dir, env)) {
        List<ManagedChannel> channels = List.of(TestRegistry.connect(first), TestRegistry.connect(second));
        TestRegistry.registry(channels.get(0), "setup").createModel(
            CreateModelRequest.newBuilder().setModelId("shared").build());

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          var registry = TestRegistry.registry(channels.get(w % 2), "writer-" + w);
          writers.add(pool.submit(() -> {
            for (int i = 0; i < VERSIONS_EACH; i++) {
              registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/shared").build());
            }
          }));
        }
        for (Future<?> writer : writers) {
          writer.get();
        }
        pool.shutdown();

        long size = 1 + WRITERS * VERSIONS_EACH;
        var audit = AuditGrpc.newBlockingStub(channels.get(1));
        assertThat(audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getOk()).isTrue();
        second.close(); // the other replica publishes the final checkpoint
        audit = AuditGrpc.newBlockingStub(channels.get(0));
        var checkpoint = awaitCheckpoint(audit, size);
        Checkpoint signed = NoteVerifier.parse(
            audit.getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()).getNoteKey())
            .verifyCheckpoint(checkpoint.getSignedNote());

        List<byte[]> leaves = AuditTesting.exportedLeaves(audit);
        assertThat(leaves).hasSize((int) size);
        assertThat(MerkleTree.rootHash(leaves)).isEqualTo(signed.rootHash());
        for (long seq = 0; seq < size; seq++) {
          var proof = audit.getInclusionProof(GetInclusionProofRequest.newBuilder().setSeq(seq).setTreeSize(size)
              .build());
          assertThat(MerkleTree.verifyInclusion(leaves.get((int) seq), seq, size, AuditTesting.bytes(proof.getHashesList()),
              signed.rootHash())).as("inclusion of %d", seq).isTrue();
        }
        for (int earlier = 1; earlier <= size; earlier++) {
          var proof = audit.getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFirstTreeSize(earlier)
              .setSecondTreeSize(size).build());
          assertThat(MerkleTree.verifyConsistency(earlier, size, MerkleTree.rootHash(leaves.subList(0, earlier)),
              signed.rootHash(), AuditTesting.bytes(proof.getHashesList()))).as("consistency %d..%d", earlier, size).isTrue();
        }
        channels.forEach(ManagedChannel::shutdownNow);
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }

  private static io.gantry.v1.Checkpoint awaitCheckpoint(AuditGrpc.AuditBlockingStub audit, long size) {
    io.gantry.v1.Checkpoint checkpoint = await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> audit.getCheckpoint(GetCheckpointRequest.getDefaultInstance()), c -> c.getTreeSize() >= size);
    assertThat(checkpoint.getTreeSize()).isEqualTo(size);
    return checkpoint;
  }
}
