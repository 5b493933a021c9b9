package io.gantry.server.audit;

import static io.gantry.db.Tables.AUDIT_CHECKPOINT;
import static io.gantry.db.Tables.AUDIT_EVENT;
import static io.gantry.db.Tables.AUDIT_HEAD;
import static io.gantry.db.Tables.AUDIT_NODE;

import io.gantry.db.tables.records.AuditCheckpointRecord;
import io.gantry.db.tables.records.AuditEventRecord;
import io.gantry.server.query.ListQuery;
import io.gantry.tlog.Frontier;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.SubtreeHashes;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Reads of the audit log's tables. Nothing here writes events: only {@link AuditLog} appends. */
public final class AuditRepository {

  private static final int BATCH = 1000;

  private final DSLContext dsl;

  public AuditRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** The tree as it is now: size and right edge. */
  public Frontier head() {
    var head = dsl.select(AUDIT_HEAD.SIZE, AUDIT_HEAD.FRONTIER).from(AUDIT_HEAD).fetchSingle();
    return Frontier.decode(head.value1(), head.value2());
  }

  public ListQuery.Page<LoggedEvent> list(Condition filter, ListQuery query) {
    var rows = dsl.selectFrom(AUDIT_EVENT)
        .where(filter).and(query.condition())
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch();
    return query.page(rows, AuditRepository::toEvent);
  }

  /** Events with {@code seq} in [from, to), in order, in batches, without holding them all. */
  public void forEach(long from, long to, Consumer<List<LoggedEvent>> batch) {
    for (long next = from; next < to; ) {
      List<LoggedEvent> events = dsl.selectFrom(AUDIT_EVENT)
          .where(AUDIT_EVENT.SEQ.ge(next)).and(AUDIT_EVENT.SEQ.lt(to))
          .orderBy(AUDIT_EVENT.SEQ)
          .limit(BATCH)
          .fetch(AuditRepository::toEvent);
      if (events.isEmpty()) {
        return;
      }
      batch.accept(events);
      next = events.get(events.size() - 1).seq() + 1;
    }
  }

  /** Stored leaf hashes (level 0) of [from, to), by seq order. */
  public List<byte[]> leafHashes(long from, long to) {
    return dsl.select(AUDIT_NODE.HASH).from(AUDIT_NODE)
        .where(AUDIT_NODE.HEIGHT.eq((short) 0)).and(AUDIT_NODE.IDX.ge(from)).and(AUDIT_NODE.IDX.lt(to))
        .orderBy(AUDIT_NODE.IDX)
        .fetch(AUDIT_NODE.HASH);
  }

  /**
   * Runs a proof computation over the stored complete subtrees in two passes: the first learns which
   * nodes it reads (a proof's shape depends only on indices, never on hash values), one query fetches
   * them, the second computes. So a proof costs one round trip, not one per node.
   */
  public <T> T withNodes(Function<SubtreeHashes, T> proof) {
    Set<List<Long>> wanted = new LinkedHashSet<>();
    proof.apply((level, index) -> {
      wanted.add(List.of((long) level, index));
      return new byte[MerkleTree.HASH_SIZE];
    });
    Map<List<Long>, byte[]> stored = new HashMap<>();
    if (!wanted.isEmpty()) {
      dsl.select(AUDIT_NODE.HEIGHT, AUDIT_NODE.IDX, AUDIT_NODE.HASH).from(AUDIT_NODE)
          .where(DSL.row(AUDIT_NODE.HEIGHT, AUDIT_NODE.IDX).in(wanted.stream()
              .map(node -> DSL.row((short) (long) node.get(0), node.get(1))).toList()))
          .forEach(r -> stored.put(List.of((long) r.value1(), r.value2()), r.value3()));
    }
    return proof.apply((level, index) -> {
      byte[] hash = stored.get(List.of((long) level, index));
      if (hash == null) {
        throw new IllegalStateException("the audit tree has no node at height " + level + ", index " + index);
      }
      return hash;
    });
  }

  public Optional<SignedCheckpoint> latestCheckpoint() {
    return dsl.selectFrom(AUDIT_CHECKPOINT).orderBy(AUDIT_CHECKPOINT.TREE_SIZE.desc()).limit(1).fetchOptional()
        .map(AuditRepository::toCheckpoint);
  }

  public Optional<SignedCheckpoint> checkpoint(long treeSize) {
    return dsl.selectFrom(AUDIT_CHECKPOINT).where(AUDIT_CHECKPOINT.TREE_SIZE.eq(treeSize)).fetchOptional()
        .map(AuditRepository::toCheckpoint);
  }

  public List<SignedCheckpoint> checkpoints() {
    return dsl.selectFrom(AUDIT_CHECKPOINT).orderBy(AUDIT_CHECKPOINT.TREE_SIZE).fetch(AuditRepository::toCheckpoint);
  }

  /** Publishes a checkpoint; another replica may have published the same size first, which is fine. */
  public void insertCheckpoint(long treeSize, byte[] rootHash, String signedNote) {
    dsl.insertInto(AUDIT_CHECKPOINT)
        .set(AUDIT_CHECKPOINT.TREE_SIZE, treeSize)
        .set(AUDIT_CHECKPOINT.ROOT_HASH, rootHash)
        .set(AUDIT_CHECKPOINT.SIGNED_NOTE, signedNote)
        .onConflictDoNothing()
        .execute();
  }

  private static LoggedEvent toEvent(AuditEventRecord row) {
    return new LoggedEvent(row.getSeq(), row.getEventId(), row.getTime(), row.getActor(), row.getAction(),
        row.getResource(), row.getRequestId(), row.getCanonical());
  }

  private static SignedCheckpoint toCheckpoint(AuditCheckpointRecord row) {
    return new SignedCheckpoint(row.getTreeSize(), row.getRootHash(), row.getSignedNote(), row.getCreateTime());
  }
}
