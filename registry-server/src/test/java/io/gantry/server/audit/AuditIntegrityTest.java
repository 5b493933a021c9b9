package io.gantry.server.audit;

import static io.gantry.db.Tables.AUDIT_CHECKPOINT;
import static io.gantry.db.Tables.AUDIT_EVENT;
import static io.gantry.db.Tables.AUDIT_HEAD;
import static io.gantry.db.Tables.AUDIT_NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.tlog.Checkpoint;
import io.gantry.tlog.Frontier;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteVerifier;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetConsistencyProofRequest;
import io.gantry.v1.GetInclusionProofRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.VerifyAuditLogResponse;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log's guarantees, and a database administrator trying to get around them. */
class AuditIntegrityTest {

  private Path dataDir;
  private GantryServer server;
  private ManagedChannel channel;
  private AuditGrpc.AuditBlockingStub audit;
  private ModelRegistryGrpc.ModelRegistryBlockingStub registry;

  @BeforeEach
  void startServer() {
    dataDir = TestRegistry.tempDir("gantry-audit");
    server = TestRegistry.start(dataDir, Map.of("GANTRY_CHECKPOINT_INTERVAL_EVENTS", "1"));
    channel = TestRegistry.connect(server);
    audit = AuditGrpc.newBlockingStub(channel);
    registry = TestRegistry.registry(channel, "ana");
    registry.createModel(CreateModelRequest.newBuilder().setModelId("fraud").build());
    for (int i = 0; i < 6; i++) {
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/fraud").build());
    }
  }

  @AfterEach
  void stopServer() {
    channel.shutdownNow();
    server.close();
    TestRegistry.deleteRecursively(dataDir);
  }

  @Test
  void auditTables_refuseUpdateDeleteAndTruncate() {
    DSLContext dsl = TestRegistry.dsl(server);

    assertThat(catchThrowable(() -> dsl.update(AUDIT_EVENT).set(AUDIT_EVENT.ACTOR, "mallory")
        .where(AUDIT_EVENT.SEQ.eq(0L)).execute())).hasMessageContaining("append-only");
    assertThat(catchThrowable(() -> dsl.deleteFrom(AUDIT_EVENT).where(AUDIT_EVENT.SEQ.eq(0L)).execute()))
        .hasMessageContaining("append-only");
    assertThat(catchThrowable(() -> dsl.truncate(AUDIT_EVENT).execute())).hasMessageContaining("append-only");
    assertThat(catchThrowable(() -> dsl.deleteFrom(AUDIT_NODE).execute())).hasMessageContaining("append-only");
    assertThat(catchThrowable(() -> dsl.truncate(AUDIT_CHECKPOINT).execute())).hasMessageContaining("append-only");
    assertThat(audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getOk()).isTrue();
  }

  @Test
  void everyInclusionAndConsistencyProof_checksAgainstTheSignedCheckpoint() throws Exception {
    var checkpoint = checkpointCovering(7);
    Checkpoint signed = NoteVerifier.parse(verifierKey()).verifyCheckpoint(checkpoint.getSignedNote());
    assertThat(signed.treeSize()).isEqualTo(7);
    assertThat(signed.rootHash()).isEqualTo(checkpoint.getRootHash().toByteArray());

    for (long seq = 0; seq < 7; seq++) {
      var proof = audit.getInclusionProof(GetInclusionProofRequest.newBuilder().setSeq(seq).setTreeSize(7).build());
      assertThat(MerkleTree.verifyInclusion(proof.getLeafHash().toByteArray(), seq, 7, AuditTesting.bytes(proof.getHashesList()),
          signed.rootHash())).as("inclusion of %d", seq).isTrue();
    }
    List<byte[]> leaves = AuditTesting.exportedLeaves(audit);
    for (int size = 1; size <= 7; size++) {
      byte[] earlierRoot = MerkleTree.rootHash(leaves.subList(0, size));
      var proof = audit.getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFirstTreeSize(size)
          .setSecondTreeSize(7).build());
      assertThat(MerkleTree.verifyConsistency(size, 7, earlierRoot, signed.rootHash(),
          AuditTesting.bytes(proof.getHashesList()))).as("consistency %d..7", size).isTrue();
    }
  }

  @Test
  void export_hashesToTheSignedRoot() {
    var checkpoint = checkpointCovering(7);

    List<byte[]> leaves = AuditTesting.exportedLeaves(audit);

    assertThat(leaves).hasSize(7);
    assertThat(MerkleTree.rootHash(leaves)).isEqualTo(checkpoint.getRootHash().toByteArray());
  }

  @Test
  void payloadEditedBySuperuser_isNamedBySeq() {
    asSuperuserWithoutTriggers(dsl -> dsl.update(AUDIT_EVENT)
        .set(AUDIT_EVENT.CANONICAL, DSL.replace(AUDIT_EVENT.CANONICAL, "\"ana\"", "\"bob\""))
        .set(AUDIT_EVENT.ACTOR, "bob")
        .where(AUDIT_EVENT.SEQ.eq(3L)).execute());

    VerifyAuditLogResponse verdict = audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());

    assertThat(verdict.getOk()).isFalse();
    assertThat(verdict.getFirstBadSeq()).isEqualTo(3);
    assertThat(verdict.getProblem()).contains("changed");
  }

  @Test
  void columnEditedBySuperuser_isNamedBySeq() {
    asSuperuserWithoutTriggers(dsl -> dsl.update(AUDIT_EVENT).set(AUDIT_EVENT.ACTOR, "bob")
        .where(AUDIT_EVENT.SEQ.eq(2L)).execute());

    VerifyAuditLogResponse verdict = audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());

    assertThat(verdict.getOk()).isFalse();
    assertThat(verdict.getFirstBadSeq()).isEqualTo(2);
  }

  @Test
  void deletedRow_isNamedBySeq() {
    asSuperuserWithoutTriggers(dsl -> dsl.deleteFrom(AUDIT_EVENT).where(AUDIT_EVENT.SEQ.eq(4L)).execute());

    VerifyAuditLogResponse verdict = audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());

    assertThat(verdict.getOk()).isFalse();
    assertThat(verdict.getFirstBadSeq()).isEqualTo(4);
    assertThat(verdict.getProblem()).contains("missing");
  }

  @Test
  void logRewrittenConsistently_isCaughtByTheOldCheckpointsConsistencyProof() {
    var old = checkpointCovering(7);
    // the administrator changes event 1 and rebuilds every hash, the head and the checkpoints to match
    asSuperuserWithoutTriggers(dsl -> {
      dsl.update(AUDIT_EVENT)
          .set(AUDIT_EVENT.CANONICAL, DSL.replace(AUDIT_EVENT.CANONICAL, "\"ana\"", "\"bob\""))
          .set(AUDIT_EVENT.ACTOR, "bob")
          .where(AUDIT_EVENT.SEQ.eq(1L)).execute();
      dsl.deleteFrom(AUDIT_NODE).execute();
      dsl.deleteFrom(AUDIT_CHECKPOINT).execute();
      Frontier tree = Frontier.empty();
      for (String canonical : dsl.select(AUDIT_EVENT.CANONICAL).from(AUDIT_EVENT).orderBy(AUDIT_EVENT.SEQ)
          .fetch(AUDIT_EVENT.CANONICAL)) {
        Frontier.Appended appended = tree.append(MerkleTree.leafHash(canonical.getBytes(StandardCharsets.UTF_8)));
        for (Frontier.Node node : appended.newNodes()) {
          dsl.insertInto(AUDIT_NODE).set(AUDIT_NODE.HEIGHT, (short) node.level()).set(AUDIT_NODE.IDX, node.index())
              .set(AUDIT_NODE.HASH, node.hash()).execute();
        }
        tree = appended.next();
      }
      dsl.update(AUDIT_HEAD).set(AUDIT_HEAD.FRONTIER, tree.encode()).execute();
      return 0;
    });
    registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/fraud").build());
    var current = checkpointCovering(8);

    var proof = audit.getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFirstTreeSize(7)
        .setSecondTreeSize(8).build());

    assertThat(audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getOk())
        .as("consistent on its own: only an old checkpoint can tell").isTrue();
    assertThat(MerkleTree.verifyConsistency(7, 8, old.getRootHash().toByteArray(),
        current.getRootHash().toByteArray(), AuditTesting.bytes(proof.getHashesList()))).isFalse();
  }

  private interface Tampering {
    int apply(DSLContext dsl);
  }

  /** What a superuser can do: switch the triggers off for a session, then change anything. */
  private void asSuperuserWithoutTriggers(Tampering tampering) {
    TestRegistry.dsl(server).transaction(configuration -> {
      DSLContext dsl = configuration.dsl();
      dsl.execute("set local session_replication_role = replica");
      tampering.apply(dsl);
    });
  }

  private io.gantry.v1.Checkpoint checkpointCovering(long size) {
    var checkpoint = await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
        .ignoreException(io.grpc.StatusRuntimeException.class)
        .until(() -> audit.getCheckpoint(GetCheckpointRequest.getDefaultInstance()), c -> c.getTreeSize() >= size);
    assertThat(checkpoint.getTreeSize()).isEqualTo(size);
    return checkpoint;
  }

  private String verifierKey() {
    return audit.getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()).getNoteKey();
  }
}
