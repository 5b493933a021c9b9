package io.gantry.policy.builtin;

import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code approvals}: the promotion waits (pending) until enough distinct principals approved it. Neither the
 * requester nor the version's creator ever counts.
 *
 * <ul>
 *   <li>{@code count} (whole number ≥ 1, required): how many distinct approvals are needed
 *   <li>{@code approvers} (list, optional): only these may approve: principals, {@code group:NAME} (a group the
 *       approver's credential names) and {@code role:NAME} (a role the approver holds on the model and alias, e.g.
 *       {@code role:approver}); when absent, anyone else may
 *       (the registry's roles still decide who can call ApprovePromotion at all)
 * </ul>
 */
public final class ApprovalsPolicyFactory implements PolicyFactory {

  @Override
  public String type() {
    return ApprovalsPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    int count = p.optionalInteger("count").orElseThrow(() -> p.invalid("count", "is required"));
    if (count < 1) {
      throw p.invalid("count", "must be at least 1, got " + count);
    }
    List<String> approvers = p.optionalStringList("approvers").orElse(List.of());
    boolean onlyPrincipals = approvers.stream().noneMatch(a -> a.startsWith("group:") || a.startsWith("role:"));
    if (!approvers.isEmpty() && onlyPrincipals && approvers.size() < count) {
      throw p.invalid("approvers", "lists " + approvers.size() + " principals, fewer than the " + count
          + " approvals required");
    }
    p.rejectUnknown();
    // A LinkedHashSet keeps the configured order for messages.
    Set<String> allowed = new LinkedHashSet<>(approvers);
    return new ApprovalsPolicy(count, Collections.unmodifiableSet(allowed));
  }
}
