package io.gantry.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable snapshot a policy decides on. It holds everything a policy may look at, the clock included, so
 * the same snapshot always yields the same verdict and can be recorded next to it.
 *
 * @param candidate the version the request wants the alias to point at
 * @param current the version the alias points at now, if any
 * @param request the promotion request
 * @param approvals the approvals that still count for this request, oldest first
 * @param aliasHistory every alias span of the candidate's model, oldest first
 * @param now the instant of evaluation
 */
public record PolicyInput(
    Candidate candidate,
    Optional<Candidate> current,
    PromotionRequest request,
    List<Approval> approvals,
    List<AliasSpan> aliasHistory,
    Instant now) {

  public PolicyInput {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(now, "now");
    approvals = List.copyOf(approvals);
    aliasHistory = List.copyOf(aliasHistory);
  }
}
