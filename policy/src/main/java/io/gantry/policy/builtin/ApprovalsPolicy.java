package io.gantry.policy.builtin;

import io.gantry.policy.Approval;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pending until enough distinct, eligible principals approved. Never fails: refusing a request is a person's
 * decision (RejectPromotion), not this gate's.
 *
 * @param approvers empty means any principal other than the requester and the creator may approve
 */
record ApprovalsPolicy(int count, Set<String> approvers) implements Policy {

  static final String TYPE = "approvals";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    String requester = input.request().requester();
    String creator = input.candidate().createdBy();
    Set<String> counted = new LinkedHashSet<>();
    Map<String, String> ignored = new LinkedHashMap<>();
    for (Approval approval : input.approvals()) {
      String approver = approval.approver();
      // The requester and the creator vouching for their own work is exactly what a second pair of eyes prevents.
      if (approver.equals(requester)) {
        ignored.put(approver, "the requester");
      } else if (approver.equals(creator)) {
        ignored.put(approver, "the creator of " + input.candidate().reference());
      } else if (!approvers.isEmpty() && !approvers.contains(approver)
          && approval.memberships().stream().noneMatch(approvers::contains)) {
        ignored.put(approver, "not an allowed approver");
      } else {
        counted.add(approver);
      }
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("required", count);
    facts.put("counted", List.copyOf(counted));
    facts.put("ignored", ignored);
    if (!approvers.isEmpty()) {
      facts.put("approvers", List.copyOf(approvers));
    }
    StringBuilder message = new StringBuilder()
        .append(counted.size()).append(" of ").append(count).append(count == 1 ? " approval" : " approvals");
    if (!counted.isEmpty()) {
      message.append(" (").append(String.join(", ", counted)).append(")");
    }
    if (!ignored.isEmpty()) {
      List<String> reasons = new ArrayList<>();
      ignored.forEach((approver, reason) -> reasons.add(approver + " (" + reason + ")"));
      message.append("; not counted: ").append(String.join(", ", reasons));
    }
    if (counted.size() >= count) {
      return Verdict.pass(TYPE, message.toString(), facts);
    }
    if (!approvers.isEmpty()) {
      message.append("; may approve: ").append(String.join(", ", approvers));
    }
    return Verdict.pending(TYPE, message.toString(), facts);
  }
}
