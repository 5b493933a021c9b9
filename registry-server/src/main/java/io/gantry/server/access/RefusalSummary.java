package io.gantry.server.access;

import io.gantry.server.audit.Payload;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refused credentials of one key (peer address and credential fingerprint) not yet written: how many, from when to
 * when, and the first {@value #LISTED} distinct methods and reasons, so a flood cannot make one event large.
 */
final class RefusalSummary {

  static final int LISTED = 8;

  private long count;
  private Instant first;
  private Instant last;
  private final Set<String> methods = new LinkedHashSet<>();
  private final Set<String> reasons = new LinkedHashSet<>();

  static RefusalSummary of(String method, String reason, Instant at) {
    RefusalSummary summary = new RefusalSummary();
    summary.add(method, reason, at);
    return summary;
  }

  void add(String method, String reason, Instant at) {
    count++;
    if (first == null) {
      first = at;
    }
    last = at;
    if (methods.size() < LISTED) {
      methods.add(method);
    }
    if (reasons.size() < LISTED) {
      reasons.add(reason);
    }
  }

  long count() {
    return count;
  }

  /** The {@code CREDENTIAL_REJECTED} payload; see docs/audit.md. */
  Map<String, Object> payload(String peer, String credential) {
    return Payload.of("peer", peer, "credential", credential, "count", count, "first_time", first.toString(),
        "last_time", last.toString(), "methods", List.copyOf(methods), "reasons", List.copyOf(reasons));
  }
}
