package io.gantry.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An approval given to the promotion under evaluation. The registry only passes approvals that still count
 * (bound to this version, alias and policy set, not expired); policies decide whose approvals count.
 *
 * @param approver the principal who approved
 * @param time when the approval was given
 * @param comment what the approver wrote, possibly empty
 * @param memberships what else the approver was when approving: {@code group:NAME} for each group its credential
 *     named, {@code role:NAME} for each role it held on the promotion's model and alias
 */
public record Approval(String approver, Instant time, String comment, Set<String> memberships) {

  public Approval {
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(comment, "comment");
    memberships = Set.copyOf(memberships);
  }

  public Approval(String approver, Instant time, String comment) {
    this(approver, time, comment, Set.of());
  }
}
