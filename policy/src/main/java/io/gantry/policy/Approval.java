package io.gantry.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * An approval given to the promotion under evaluation. The registry only passes approvals that still count
 * (bound to this version, alias and policy set, not expired); policies decide whose approvals count.
 *
 * @param approver the principal who approved
 * @param time when the approval was given
 * @param comment what the approver wrote, possibly empty
 */
public record Approval(String approver, Instant time, String comment) {

  public Approval {
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(comment, "comment");
  }
}
