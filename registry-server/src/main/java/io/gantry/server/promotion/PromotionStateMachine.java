package io.gantry.server.promotion;

import static io.gantry.server.promotion.Promotion.describe;

import io.gantry.policy.Approval;
import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMove;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Tx;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.model.ModelService;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.Promotion.State;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The writing half of a promotion: every state change, each in one transaction with its audit events. A request or
 * approval comes in evaluated ahead of the lock ({@link PromotionEvaluator}); under the lock the machine reads the
 * cheap facts again and writes only if they still equal the evaluation's {@link Basis}, else throws
 * {@link StaleEvaluation} and writes nothing. The alias itself moves with a compare-and-set on its revision in the
 * update's {@code WHERE} ({@link AliasRepository#move}).
 *
 * <p>Locks are always taken alias first, then promotions, then versions, so concurrent promotions, approvals and
 * expiries of one alias queue instead of deadlocking.
 */
final class PromotionStateMachine {

  /** Who expires promotions in the audit log. */
  static final String SYSTEM = "system:expiry";
  private static final int EXPIRY_BATCH = 100;

  private final DSLContext dsl;
  private final Transactions transactions;
  private final PromotionRepository promotions;
  private final AliasRepository aliases;
  private final VersionRepository versions;
  private final PromotionSnapshots snapshots;
  private final Clock clock;
  private final Duration ttl;

  PromotionStateMachine(DSLContext dsl, Transactions transactions, PromotionRepository promotions,
      AliasRepository aliases, VersionRepository versions, PromotionSnapshots snapshots, Clock clock, Duration ttl) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.promotions = promotions;
    this.aliases = aliases;
    this.versions = versions;
    this.snapshots = snapshots;
    this.clock = clock;
    this.ttl = ttl;
  }

  Promotion get(UUID id) {
    return promotions.find(dsl, id).orElseThrow(() -> notFound(id));
  }

  /** What an earlier request with the same key made, answered without evaluating against the state it left. */
  Optional<Promotion> madeEarlier(Optional<RequestKey> requestKey) {
    return transactions.madeEarlier(requestKey, this::existing);
  }

  /** Stores a request and settles it: refused, waiting for approvals, or applied. */
  Promotion create(EvaluatedRequest pre, Optional<RequestKey> requestKey, String actor) {
    Draft draft = pre.draft();
    return transactions.createOnce(actor, requestKey,
        tx -> {
          Alias alias = aliases.lockOrCreate(tx.dsl(), draft.modelId(), draft.alias(), actor)
              .orElseThrow(() -> ModelService.notFound(draft.modelId()));
          Draft locked = snapshots.resolveTarget(tx.dsl(), draft, alias);
          locked.requireExpectedHolder(alias);
          locked.version().ifPresent(v -> versions.lock(tx.dsl(), locked.modelId(), v));
          if (!locked.version().equals(pre.resolved().version())
              || !pre.basis().equals(Basis.of(alias, snapshots.read(tx.dsl(), pre.subject(), alias), List.of()))) {
            throw new StaleEvaluation();
          }
          Promotion promotion = pre.subject().promotion(UUID.randomUUID(), State.AWAITING_APPROVAL, "", alias,
              pre.evaluation(), ttl, false);
          promotions.insert(tx.dsl(), promotion);
          settle(tx, promotion, alias, pre.evaluation(), actor, true);
          return promotions.find(tx.dsl(), promotion.id()).orElseThrow();
        },
        Promotion::name, this::existing);
  }

  /**
   * Adds an approval and settles the promotion again. Approving twice changes nothing; the requester may not approve
   * (refused and audited).
   *
   * @param pre the approval evaluated ahead of the lock; empty when the promotion was not one the actor could approve
   */
  Promotion approve(UUID id, String actor, Optional<EvaluatedApproval> pre) {
    return decide(id, actor, (tx, alias, promotion) -> {
      if (promotion.requester().equals(actor)) {
        return refuse(tx, promotion, actor, "ApprovePromotion", "the requester of a promotion may not approve it");
      }
      promotion.version().ifPresent(v -> versions.lock(tx.dsl(), promotion.modelId(), v));
      EvaluatedApproval approval = pre.orElseThrow(StaleEvaluation::new);
      Snapshot snapshot = snapshots.read(tx.dsl(), Subject.of(promotion), alias);
      if (!approval.basis().equals(Basis.of(alias, snapshot, promotion.decisions()))) {
        throw new StaleEvaluation();
      }
      return approve(tx, alias, promotion, snapshot, approval);
    });
  }

  private Step approve(Tx tx, Alias alias, Promotion promotion, Snapshot snapshot, EvaluatedApproval approval) {
    Decision decision = approval.decision();
    Optional<Decision> earlier = promotion.decisions().stream()
        .filter(d -> d.principal().equals(decision.principal())).findFirst();
    // approving again changes nothing, unless the earlier approval was given under another content or policy set
    if (earlier.isPresent() && earlier.get().countsFor(snapshot.contentDigest(), snapshot.effective().digest())) {
      tx.unchanged();
      return Step.done(promotion);
    }
    promotions.replaceDecision(tx.dsl(), promotion.id(), decision);
    tx.record(Action.PROMOTION_APPROVED, promotion.name(), Payload.of(
        "model", promotion.modelId(), "alias", promotion.alias(), "version", promotion.version().orElse(null),
        "comment", decision.comment(), "content_digest", decision.contentDigest(),
        "policy_set_digest", decision.policySetDigest()));
    settle(tx, promotion, alias, approval.evaluation(), decision.principal(), false);
    return Step.done(promotions.find(tx.dsl(), promotion.id()).orElseThrow());
  }

  Promotion reject(UUID id, String comment, String actor) {
    return decide(id, actor, (tx, alias, promotion) -> {
      if (promotion.requester().equals(actor)) {
        return refuse(tx, promotion, actor, "RejectPromotion",
            "the requester of a promotion does not reject it; cancel it instead");
      }
      Decision decision = new Decision(actor, false, comment, OffsetDateTime.now(clock), promotion.contentDigest(),
          promotion.policySetDigest(), Set.of());
      promotions.replaceDecision(tx.dsl(), id, decision);
      String reason = "rejected by " + actor + (comment.isEmpty() ? "" : ": " + comment);
      promotions.setState(tx.dsl(), id, State.REJECTED, reason);
      tx.record(Action.PROMOTION_REJECTED, promotion.name(), Payload.of(
          "model", promotion.modelId(), "alias", promotion.alias(), "version", promotion.version().orElse(null),
          "comment", comment));
      return Step.done(promotions.find(tx.dsl(), id).orElseThrow());
    });
  }

  Promotion cancel(UUID id, String actor) {
    return decide(id, actor, (tx, alias, promotion) -> {
      if (!promotion.requester().equals(actor)) {
        return refuse(tx, promotion, actor, "CancelPromotion",
            "only the requester (" + promotion.requester() + ") may cancel a promotion; reject it instead");
      }
      promotions.setState(tx.dsl(), id, State.CANCELLED, "cancelled by " + actor);
      tx.record(Action.PROMOTION_CANCELLED, promotion.name(), Payload.of(
          "model", promotion.modelId(), "alias", promotion.alias(), "version", promotion.version().orElse(null)));
      return Step.done(promotions.find(tx.dsl(), id).orElseThrow());
    });
  }

  /**
   * Expires every promotion whose time to live ran out, each in its own audited transaction.
   *
   * @return how many expired
   */
  int expireOverdue() {
    int expired = 0;
    List<UUID> overdue;
    do {
      overdue = promotions.overdue(dsl, clock.instant(), EXPIRY_BATCH);
      for (UUID id : overdue) {
        boolean changed = transactions.write(SYSTEM, tx -> {
          Promotion promotion = promotions.lock(tx.dsl(), id).orElseThrow();
          if (promotion.state() != State.AWAITING_APPROVAL || !isOverdue(promotion)) {
            tx.unchanged();
            return false;
          }
          expire(tx, promotion);
          return true;
        });
        expired += changed ? 1 : 0;
      }
    } while (overdue.size() == EXPIRY_BATCH);
    return expired;
  }

  /** A decision on a pending promotion, taken with the alias and the promotion locked. */
  private interface DecisionStep {
    Step apply(Tx tx, Alias alias, Promotion promotion);
  }

  /** What a decision returns: the promotion, and an error to raise after the transaction committed. */
  private record Step(Promotion promotion, Optional<GantryException> failure) {
    static Step done(Promotion promotion) {
      return new Step(promotion, Optional.empty());
    }
  }

  private Promotion decide(UUID id, String actor, DecisionStep step) {
    Promotion seen = get(id);
    Step result = transactions.write(actor, tx -> {
      Alias alias = aliases.lockOrCreate(tx.dsl(), seen.modelId(), seen.alias(), actor)
          .orElseThrow(() -> notFound(id));
      Promotion promotion = promotions.lock(tx.dsl(), id).orElseThrow(() -> notFound(id));
      if (promotion.state() == State.AWAITING_APPROVAL && isOverdue(promotion)) {
        Promotion expired = expire(tx, promotion);
        return new Step(expired, Optional.of(notPending(expired)));
      }
      if (promotion.state() != State.AWAITING_APPROVAL) {
        throw notPending(promotion);
      }
      return step.apply(tx, alias, promotion);
    });
    if (result.failure().isPresent()) {
      throw result.failure().get();
    }
    return result.promotion();
  }

  /** Records a refused call in the audit log; the caller gets the error once that is committed. */
  private static Step refuse(Tx tx, Promotion promotion, String actor, String method, String why) {
    tx.record(Action.PERMISSION_DENIED, promotion.name(), Payload.of("method", method, "reason", why));
    return new Step(promotion, Optional.of(new GantryException(ErrorCode.NOT_ALLOWED,
        actor + " may not do this: " + why)));
  }

  private Promotion expire(Tx tx, Promotion promotion) {
    String reason = "expired at " + promotion.expireTime().toInstant() + " after waiting " + ttl
        + " for approval";
    promotions.setState(tx.dsl(), promotion.id(), State.EXPIRED, reason);
    tx.record(Action.PROMOTION_EXPIRED, promotion.name(), Payload.of("model", promotion.modelId(),
        "alias", promotion.alias(), "version", promotion.version().orElse(null)));
    return promotions.find(tx.dsl(), promotion.id()).orElseThrow();
  }

  /**
   * Writes the outcome of an evaluation: refused, still waiting, or applied. A promotion whose alias moved since
   * it was requested is superseded whatever its verdicts.
   */
  private void settle(Tx tx, Promotion promotion, Alias alias, Evaluation evaluation, String actor, boolean isNew) {
    if (alias.revision() != promotion.aliasRevision()) {
      supersede(tx, promotion, "alias " + alias.name() + " moved to " + describe(alias.version()) + " (revision "
          + alias.revision() + ") after this promotion was requested");
      return;
    }
    String reason = evaluation.reason();
    Map<String, Object> payload = Payload.of(
        "model", promotion.modelId(), "alias", promotion.alias(), "kind", promotion.kind().name(),
        "version", promotion.version().orElse(null), "current_version", alias.version().orElse(null),
        "justification", promotion.justification(),
        "verdicts", evaluation.verdicts().stream()
            .map(v -> Payload.of("policy", v.policy(), "outcome", v.outcome().name(), "message", v.message()))
            .toList(),
        "policy_set_digest", evaluation.effective().digest(), "content_digest", evaluation.contentDigest());
    switch (evaluation.outcome()) {
      case FAIL -> {
        promotions.settle(tx.dsl(), promotion.id(), State.REJECTED, reason, evaluation.verdicts(),
            evaluation.effective().digest(), evaluation.contentDigest());
        tx.record(Action.PROMOTION_REFUSED, promotion.name(), payload);
      }
      case PENDING -> {
        promotions.settle(tx.dsl(), promotion.id(), State.AWAITING_APPROVAL, reason, evaluation.verdicts(),
            evaluation.effective().digest(), evaluation.contentDigest());
        if (isNew) {
          tx.record(Action.PROMOTION_REQUESTED, promotion.name(), payload);
        }
      }
      case PASS -> {
        AliasMove move = aliases.move(tx.dsl(), alias, promotion.version(), actor, promotion.id());
        move.fromVersion().ifPresent(v -> versions.aliasMoved(tx.dsl(), promotion.modelId(), v, actor));
        move.toVersion().filter(v -> !move.fromVersion().equals(Optional.of(v)))
            .ifPresent(v -> versions.aliasMoved(tx.dsl(), promotion.modelId(), v, actor));
        String applied = promotion.kind() == Kind.REMOVE ? "alias removed; it pointed at "
            + describe(move.fromVersion()) : "alias moved from " + describe(move.fromVersion()) + " to "
            + describe(move.toVersion());
        promotions.settle(tx.dsl(), promotion.id(), State.APPLIED, applied + " (revision " + move.revision() + ")",
            evaluation.verdicts(), evaluation.effective().digest(), evaluation.contentDigest());
        payload.put("approvals", evaluation.approvals().stream().map(Approval::approver).toList());
        tx.record(Action.PROMOTION_APPLIED, promotion.name(), payload);
        tx.record(Action.ALIAS_MOVED, alias.name(), Payload.of(
            "from", move.fromVersion().orElse(null), "to", move.toVersion().orElse(null),
            "revision", move.revision(), "promotion", promotion.name()));
        for (Promotion pending : promotions.lockPending(tx.dsl(), promotion.modelId(), promotion.alias(),
            promotion.id())) {
          supersede(tx, pending, "alias " + alias.name() + " moved to " + describe(move.toVersion()) + " by "
              + promotion.name());
        }
        if (promotion.archivePrevious()) {
          move.fromVersion().filter(from -> !move.toVersion().equals(Optional.of(from)))
              .ifPresent(from -> archive(tx, promotion, from, actor));
        }
      }
      default -> throw new IllegalStateException("unknown outcome " + evaluation.outcome());
    }
  }

  /** Archives the version that lost the alias, unless it holds another alias or is no longer READY. */
  private void archive(Tx tx, Promotion promotion, int version, String actor) {
    if (!aliases.aliasesOf(tx.dsl(), promotion.modelId(), version, promotion.alias()).isEmpty()) {
      return;
    }
    var row = versions.lock(tx.dsl(), promotion.modelId(), version).orElseThrow();
    if (!Version.Status.READY.name().equals(row.getStatus())) {
      return;
    }
    versions.setStatus(tx.dsl(), row.getId(), Version.Status.ARCHIVED);
    versions.touch(tx.dsl(), row.getId(), actor);
    tx.record(Action.VERSION_ARCHIVED, Names.versionName(promotion.modelId(), version), Payload.of(
        "before", Payload.of("status", row.getStatus()), "after", Payload.of("status", "ARCHIVED"),
        "promotion", promotion.name()));
  }

  private void supersede(Tx tx, Promotion promotion, String reason) {
    promotions.setState(tx.dsl(), promotion.id(), State.SUPERSEDED, reason);
    tx.record(Action.PROMOTION_SUPERSEDED, promotion.name(), Payload.of("model", promotion.modelId(),
        "alias", promotion.alias(), "version", promotion.version().orElse(null), "reason", reason));
  }

  private Promotion existing(DSLContext ctx, String name) {
    return promotions.find(ctx, Names.parsePromotionName("name", name)).orElseThrow();
  }

  private boolean isOverdue(Promotion promotion) {
    return !promotion.expireTime().toInstant().isAfter(clock.instant());
  }

  private static GantryException notPending(Promotion promotion) {
    return new GantryException(ErrorCode.PROMOTION_NOT_PENDING, "promotion " + promotion.name() + " is "
        + promotion.state() + (promotion.stateReason().isEmpty() ? "" : " (" + promotion.stateReason() + ")")
        + "; only a promotion awaiting approval can be decided");
  }

  private static GantryException notFound(UUID id) {
    return new GantryException(ErrorCode.PROMOTION_NOT_FOUND, "there is no promotion " + Names.promotionName(id));
  }
}
