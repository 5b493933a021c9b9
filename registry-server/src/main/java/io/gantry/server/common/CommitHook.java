package io.gantry.server.common;

import io.gantry.server.audit.AuditEntry;
import java.util.List;
import org.jooq.DSLContext;

/** What else happens when a write commits: the registry tells its replicas (and its own caches) what changed. */
public interface CommitHook {

  CommitHook NONE = new CommitHook() {
    @Override
    public void beforeCommit(DSLContext tx, List<AuditEntry> entries) {}

    @Override
    public void afterCommit(List<AuditEntry> entries) {}

    @Override
    public void mayHaveCommitted(List<AuditEntry> entries) {}
  };

  /** Runs inside the transaction, after its audit events are appended; a failure rolls the write back. */
  void beforeCommit(DSLContext tx, List<AuditEntry> entries);

  /** Runs once the transaction has committed, on the writing thread; must not block. */
  void afterCommit(List<AuditEntry> entries);

  /**
   * Runs when the transaction failed after {@link #beforeCommit}: the commit itself may have failed with the
   * change in place (a connection lost mid-commit), so whatever depends on it must be treated as changed.
   */
  void mayHaveCommitted(List<AuditEntry> entries);
}
