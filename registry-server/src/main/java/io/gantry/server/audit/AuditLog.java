package io.gantry.server.audit;

import static io.gantry.db.Tables.AUDIT_EVENT;
import static io.gantry.db.Tables.AUDIT_HEAD;
import static io.gantry.db.Tables.AUDIT_NODE;

import io.gantry.tlog.Frontier;
import io.gantry.tlog.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Appends audit events, in the transaction of the change they record. The single {@code audit_head}
 * row holds the tree's size and right edge; locking it serializes appenders in the database, so
 * every server replica extends the same tree, and an append reads one row and writes the leaf and
 * the subtrees it completes (O(log n)).
 */
public final class AuditLog {

  // the time of the append itself, so event times follow seq (now() is the transaction's start)
  private static final Field<OffsetDateTime> CLOCK =
      DSL.function("clock_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE(6));

  private final IntConsumer afterCommit;

  /** @param afterCommit told how many events each committed append added (checkpoints are published from there) */
  public AuditLog(IntConsumer afterCommit) {
    this.afterCommit = afterCommit;
  }

  /** @return the events as appended, in order */
  public List<LoggedEvent> append(DSLContext tx, String actor, String requestId, List<AuditEntry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    List<LoggedEvent> logged = new ArrayList<>(entries.size());
    var head = tx.select(AUDIT_HEAD.SIZE, AUDIT_HEAD.FRONTIER, CLOCK).from(AUDIT_HEAD).forUpdate().fetchSingle();
    Frontier frontier = Frontier.decode(head.value1(), head.value2());
    OffsetDateTime time = head.value3();
    var events = tx.insertInto(AUDIT_EVENT, AUDIT_EVENT.SEQ, AUDIT_EVENT.EVENT_ID, AUDIT_EVENT.TIME,
        AUDIT_EVENT.ACTOR, AUDIT_EVENT.ACTION, AUDIT_EVENT.RESOURCE, AUDIT_EVENT.REQUEST_ID, AUDIT_EVENT.CANONICAL);
    var nodes = tx.insertInto(AUDIT_NODE, AUDIT_NODE.HEIGHT, AUDIT_NODE.IDX, AUDIT_NODE.HASH);
    for (AuditEntry entry : entries) {
      long seq = frontier.size();
      UUID eventId = UUID.randomUUID();
      String canonical = CanonicalEvent.encode(seq, eventId, time, actor, requestId, entry);
      Frontier.Appended appended = frontier.append(MerkleTree.leafHash(canonical.getBytes(StandardCharsets.UTF_8)));
      events = events.values(seq, eventId, time, actor, entry.action().name(), entry.resource(), requestId, canonical);
      logged.add(new LoggedEvent(seq, eventId, time, actor, entry.action().name(), entry.resource(), requestId,
          canonical));
      for (Frontier.Node node : appended.newNodes()) {
        nodes = nodes.values((short) node.level(), node.index(), node.hash());
      }
      frontier = appended.next();
    }
    // one statement, so the head stays locked for one round trip before the commit
    tx.with("appended_events").as(events.returningResult(AUDIT_EVENT.SEQ))
        .with("appended_nodes").as(nodes.returningResult(AUDIT_NODE.IDX))
        .update(AUDIT_HEAD)
        .set(AUDIT_HEAD.SIZE, frontier.size())
        .set(AUDIT_HEAD.FRONTIER, frontier.encode())
        .execute();
    return logged;
  }

  /** Called once the transaction that appended {@code events} events has committed. */
  public void committed(int events) {
    if (events > 0) {
      afterCommit.accept(events);
    }
  }
}
