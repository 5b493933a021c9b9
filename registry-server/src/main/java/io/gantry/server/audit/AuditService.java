package io.gantry.server.audit;

import static io.gantry.db.Tables.AUDIT_EVENT;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.server.query.SortKey;
import io.gantry.tlog.Checkpoint;
import io.gantry.tlog.Frontier;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteVerifier;
import io.gantry.tlog.Proofs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.impl.DSL;

/** Reading, proving and verifying the audit log. Knows nothing of gRPC. */
public final class AuditService {

  private static final Map<String, SortKey<?>> BY_SEQ = SortKey.byName(SortKey.number("seq", AUDIT_EVENT.SEQ));

  private final AuditRepository audit;
  private final Checkpointer checkpointer;
  private final PageTokens pageTokens;

  public AuditService(AuditRepository audit, Checkpointer checkpointer, PageTokens pageTokens) {
    this.audit = audit;
    this.checkpointer = checkpointer;
    this.pageTokens = pageTokens;
  }

  /** What a list call filters on; empty values do not filter. */
  public record EventFilter(String resourcePrefix, String actor, Optional<Action> action,
      Optional<OffsetDateTime> start, Optional<OffsetDateTime> end) {}

  /** @param caller who asks: only they may turn the page */
  public ListQuery.Page<LoggedEvent> list(EventFilter filter, String caller, int pageSize, String pageToken) {
    Condition condition = DSL.noCondition();
    if (!filter.resourcePrefix().isEmpty()) {
      String prefix = filter.resourcePrefix().replaceAll("/+$", "");
      condition = condition.and(AUDIT_EVENT.RESOURCE.eq(prefix).or(AUDIT_EVENT.RESOURCE.startsWith(prefix + "/")));
    }
    if (!filter.actor().isEmpty()) {
      condition = condition.and(AUDIT_EVENT.ACTOR.eq(filter.actor()));
    }
    if (filter.action().isPresent()) {
      condition = condition.and(AUDIT_EVENT.ACTION.eq(filter.action().get().name()));
    }
    if (filter.start().isPresent()) {
      condition = condition.and(AUDIT_EVENT.TIME.ge(filter.start().get()));
    }
    if (filter.end().isPresent()) {
      condition = condition.and(AUDIT_EVENT.TIME.lt(filter.end().get()));
    }
    ListQuery query = ListQuery.of(new ListQuery.Request(filter.toString(), caller, pageSize, pageToken, "", ""),
        new FilterSchema(), BY_SEQ, "seq", AUDIT_EVENT.SEQ, pageTokens);
    return audit.list(condition, query);
  }

  /** Calls {@code batch} with the events from {@code from} up to the current end (or {@code to}, exclusive). */
  public long forEach(long from, long to, Consumer<List<LoggedEvent>> batch) {
    if (from < 0 || to < 0) {
      throw GantryException.invalid(from < 0 ? "start_seq" : "end_seq", "must not be negative");
    }
    long end = to == 0 ? audit.head().size() : to;
    audit.forEach(from, end, batch);
    return end;
  }

  /**
   * The checkpoint published at {@code treeSize}, or for 0 the latest; asking for the latest first
   * publishes one of the current log if it has grown, so a reviewer never waits for the next interval.
   */
  public SignedCheckpoint checkpoint(long treeSize) {
    if (treeSize == 0) {
      checkpointer.publish();
    }
    Optional<SignedCheckpoint> checkpoint = treeSize == 0 ? audit.latestCheckpoint() : audit.checkpoint(treeSize);
    return checkpoint.orElseThrow(() -> new GantryException(ErrorCode.CHECKPOINT_NOT_FOUND, treeSize == 0
        ? "no checkpoint has been published yet" : "no checkpoint was published at tree size " + treeSize));
  }

  /** The leaf hash and audit path of event {@code seq} in the tree of {@code treeSize} (0: latest checkpoint). */
  public Proof inclusion(long seq, long treeSize) {
    long size = treeSize == 0 ? checkpoint(0).treeSize() : treeSize;
    long current = audit.head().size();
    if (size > current) {
      throw GantryException.invalid("tree_size", "is " + size + " but the log holds " + current + " events");
    }
    if (seq < 0 || seq >= size) {
      throw GantryException.invalid("seq", size == 0 ? "the log is empty"
          : "must be from 0 to " + (size - 1) + " in a tree of size " + size);
    }
    return audit.withNodes(nodes -> new Proof(seq, size, nodes.hash(0, seq), Proofs.inclusion(seq, size, nodes)));
  }

  public record Proof(long seq, long treeSize, byte[] leafHash, List<byte[]> hashes) {}

  /** A consistency proof between two tree sizes (RFC 6962 section 2.1.2). */
  public record Consistency(long firstSize, long secondSize, List<byte[]> hashes) {}

  /** The consistency proof from {@code firstSize} to {@code secondSize} (0: the latest checkpoint's size). */
  public Consistency consistency(long firstSize, long secondSize) {
    long second = secondSize == 0 ? checkpoint(0).treeSize() : secondSize;
    long current = audit.head().size();
    if (second > current) {
      throw GantryException.invalid("second_tree_size", "is " + second + " but the log holds " + current + " events");
    }
    if (firstSize < 1 || firstSize > second) {
      throw GantryException.invalid("first_tree_size", "must be from 1 to " + second);
    }
    return new Consistency(firstSize, second, audit.withNodes(nodes -> Proofs.consistency(firstSize, second, nodes)));
  }

  public String origin() {
    return checkpointer.origin();
  }

  public String verifierKey() {
    return checkpointer.verifierKey();
  }

  /** The outcome of a verification; {@code firstBadSeq} is -1 when ok or when no single event is to blame. */
  public record Verdict(boolean ok, long eventsChecked, long treeSize, byte[] rootHash, long firstBadSeq,
      String problem) {}

  /**
   * Recomputes every event of [from, to) from its canonical bytes and compares it with its columns,
   * its stored leaf, and, when starting at 0, the roots of every signed checkpoint in range and the
   * tree head.
   */
  public Verdict verify(long from, long to) {
    Frontier head = audit.head();
    long end = to == 0 ? head.size() : Math.min(to, head.size());
    if (from < 0 || from > end) {
      throw GantryException.invalid("start_seq", "must be from 0 to " + end);
    }
    Verification run = new Verification(from, from == 0 ? checkpointsUpTo(end) : new ArrayDeque<>());
    try {
      audit.forEach(from, end, run::check);
      if (run.next != end) {
        throw run.bad(run.next, "event " + run.next + " is missing (deleted?)");
      }
      run.checkCheckpoints();
      if (from == 0 && end == head.size() && !Arrays.equals(run.tree.rootHash(), head.rootHash())) {
        throw run.bad(-1, "the stored tree head does not match the events");
      }
    } catch (Failed failed) {
      return new Verdict(false, run.next - from, end, run.tree.rootHash(), failed.seq, failed.getMessage());
    }
    return new Verdict(true, end - from, end, from == 0 ? run.tree.rootHash() : new byte[0], -1, "");
  }

  private Deque<SignedCheckpoint> checkpointsUpTo(long end) {
    Deque<SignedCheckpoint> due = new ArrayDeque<>();
    audit.checkpoints().stream().filter(c -> c.treeSize() <= end).forEach(due::add);
    return due;
  }

  private static final class Failed extends RuntimeException {
    final long seq;

    Failed(long seq, String problem) {
      super(problem, null, false, false);
      this.seq = seq;
    }
  }

  /** The running state of one verification. */
  private final class Verification {
    private final long from;
    private final Deque<SignedCheckpoint> checkpoints;
    private final NoteVerifier verifier = NoteVerifier.parse(checkpointer.verifierKey());
    long next;
    Frontier tree = Frontier.empty();

    Verification(long from, Deque<SignedCheckpoint> checkpoints) {
      this.from = from;
      this.next = from;
      this.checkpoints = checkpoints;
    }

    void check(List<LoggedEvent> batch) {
      long first = batch.get(0).seq();
      List<byte[]> stored = audit.leafHashes(first, batch.get(batch.size() - 1).seq() + 1);
      for (LoggedEvent event : batch) {
        if (event.seq() != next) {
          throw bad(next, "event " + next + " is missing (deleted?)");
        }
        checkColumns(event);
        byte[] leaf = MerkleTree.leafHash(event.canonical().getBytes(StandardCharsets.UTF_8));
        int at = (int) (event.seq() - first);
        if (at >= stored.size() || !Arrays.equals(leaf, stored.get(at))) {
          throw bad(event.seq(), "event " + event.seq() + " no longer matches its leaf hash: it was changed");
        }
        if (from == 0) {
          tree = tree.append(leaf).next();
          checkCheckpoints();
        }
        next++;
      }
    }

    /** Each checkpoint whose size the recomputed tree has reached must sign exactly its root. */
    void checkCheckpoints() {
      while (!checkpoints.isEmpty() && checkpoints.peekFirst().treeSize() <= tree.size()) {
        SignedCheckpoint checkpoint = checkpoints.pollFirst();
        if (checkpoint.treeSize() < tree.size()) {
          continue; // only reachable for size 0, before the first event
        }
        Checkpoint signed;
        try {
          signed = verifier.verifyCheckpoint(checkpoint.signedNote());
        } catch (SignatureException e) {
          throw bad(-1, "the checkpoint at size " + checkpoint.treeSize() + " is not validly signed: "
              + e.getMessage());
        }
        if (signed.treeSize() != tree.size() || !Arrays.equals(signed.rootHash(), tree.rootHash())) {
          throw bad(-1, "the first " + tree.size() + " events no longer match the checkpoint signed at that size:"
              + " events before it were rewritten");
        }
      }
    }

    private void checkColumns(LoggedEvent event) {
      JsonNode canonical;
      try {
        canonical = CanonicalEvent.JSON.readTree(event.canonical());
      } catch (IOException e) {
        throw bad(event.seq(), "event " + event.seq() + " is not valid JSON");
      }
      boolean same = canonical.path("seq").asLong(-1) == event.seq()
          && canonical.path("event_id").asText().equals(event.eventId().toString())
          && canonical.path("time").asText().equals(CanonicalEvent.time(event.time()))
          && canonical.path("actor").asText().equals(event.actor())
          && canonical.path("action").asText().equals(event.action())
          && canonical.path("resource").asText().equals(event.resource())
          && canonical.path("request_id").asText().equals(event.requestId());
      if (!same) {
        throw bad(event.seq(), "the columns of event " + event.seq() + " differ from what was logged");
      }
    }

    Failed bad(long seq, String problem) {
      return new Failed(seq, problem);
    }
  }
}
