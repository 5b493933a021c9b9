package io.gantry.server.common;

import io.gantry.server.audit.Action;
import io.gantry.server.audit.AuditEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * One write transaction as a service sees it: the database, and the audit events of the change.
 * Every change records its events here; they are appended to the audit log in the same transaction.
 */
public final class Tx {

  private final DSLContext dsl;
  private final List<AuditEntry> entries = new ArrayList<>();
  private boolean unchanged;

  Tx(DSLContext dsl) {
    this.dsl = dsl;
  }

  public DSLContext dsl() {
    return dsl;
  }

  public void record(Action action, String resource, Map<String, Object> payload) {
    entries.add(new AuditEntry(action, resource, payload));
  }

  /** Declares that this write changed nothing (a retry, or a state already reached), so it has no event. */
  public void unchanged() {
    unchanged = true;
  }

  List<AuditEntry> entries() {
    return entries;
  }

  boolean isUnchanged() {
    return unchanged;
  }
}
