package io.gantry.server.common;

import io.gantry.server.audit.AuditEntry;
import io.gantry.server.audit.LoggedEvent;
import java.util.List;
import org.jooq.DSLContext;

/**
 * What else happens when a write commits: the registry tells its replicas (and its own caches) what changed, and
 * queues the webhooks that want to hear of it.
 */
public interface CommitHook {

  CommitHook NONE = all(List.of());

  /**
   * Runs inside the transaction, after its audit events are appended; a failure rolls the write back.
   *
   * @param logged the entries as the audit log appended them (seq, event id, time), in the same order
   */
  void beforeCommit(DSLContext tx, List<AuditEntry> entries, List<LoggedEvent> logged);

  /** Runs once the transaction has committed, on the writing thread; must not block. */
  void afterCommit(List<AuditEntry> entries);

  /**
   * Runs when the transaction failed after {@link #beforeCommit}: the commit itself may have failed with the
   * change in place (a connection lost mid-commit), so whatever depends on it must be treated as changed.
   */
  void mayHaveCommitted(List<AuditEntry> entries);

  /** Every hook of {@code hooks}, in order. */
  static CommitHook all(List<CommitHook> hooks) {
    return new CommitHook() {
      @Override
      public void beforeCommit(DSLContext tx, List<AuditEntry> entries, List<LoggedEvent> logged) {
        hooks.forEach(hook -> hook.beforeCommit(tx, entries, logged));
      }

      @Override
      public void afterCommit(List<AuditEntry> entries) {
        hooks.forEach(hook -> hook.afterCommit(entries));
      }

      @Override
      public void mayHaveCommitted(List<AuditEntry> entries) {
        hooks.forEach(hook -> hook.mayHaveCommitted(entries));
      }
    };
  }
}
