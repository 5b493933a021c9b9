package io.gantry.server.promotion;

import io.gantry.policy.AliasSpan;
import io.gantry.policy.Approval;
import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PolicyRunner;
import io.gantry.policy.PromotionRequest;
import io.gantry.policy.Verdict;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.version.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pure half of a promotion: a snapshot and the decisions in, the verdicts out. Reads no database and takes no
 * lock, so it runs before any: each policy within its budget ({@link PolicyRunner}), a slow or runaway one never
 * holding the alias. {@link PromotionStateMachine} writes what it decides.
 */
final class PromotionEvaluator {

  private final PolicyRunner runner;

  PromotionEvaluator(PolicyRunner runner) {
    this.runner = runner;
  }

  /**
   * @param decisions every decision so far; only approvals given under the snapshot's content and policy set count
   * @param spans the model's alias history, for policies that look at what held an alias when
   */
  Evaluation evaluate(Subject subject, Snapshot snapshot, List<Decision> decisions, List<AliasSpan> spans,
      Instant now) {
    List<Approval> approvals = decisions.stream()
        .filter(d -> d.countsFor(snapshot.contentDigest(), snapshot.effective().digest()))
        .map(d -> new Approval(d.principal(), d.time().toInstant(), d.comment(), d.memberships()))
        .toList();
    Candidate candidate = CandidateMapper.toCandidate(snapshot.candidate(), snapshot.artifactCheck());
    PolicyInput input = new PolicyInput(candidate, snapshot.holder().map(CandidateMapper::toCandidate),
        new PromotionRequest(subject.requester(), subject.alias(), subject.justification(), subject.requestedAt()),
        approvals, spans, now);
    List<Verdict> verdicts = new ArrayList<>();
    if (subject.kind() != Kind.REMOVE && snapshot.candidate().status() != Version.Status.READY) {
      verdicts.add(Verdict.fail("version-ready", "version " + candidate.reference() + " is "
          + snapshot.candidate().status() + "; only READY versions can be promoted",
          Map.of("status", snapshot.candidate().status().name())));
    }
    verdicts.addAll(runner.evaluate(snapshot.effective().policies(), input));
    Outcome outcome = verdicts.stream().anyMatch(v -> v.outcome() == Outcome.FAIL) ? Outcome.FAIL
        : verdicts.stream().anyMatch(v -> v.outcome() == Outcome.PENDING) ? Outcome.PENDING : Outcome.PASS;
    return new Evaluation(snapshot.effective(), List.copyOf(verdicts), outcome, snapshot.contentDigest(), approvals);
  }
}
