package io.gantry.server.promotion;

import static io.gantry.db.Tables.PROMOTION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.policy.Approval;
import io.gantry.policy.ArtifactCheck;
import io.gantry.policy.Candidate;
import io.gantry.policy.Outcome;
import io.gantry.policy.PolicyRunner;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PromotionRequest;
import io.gantry.policy.Verdict;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMove;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names.AliasRef;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.common.Names;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Tx;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.model.ModelService;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.Promotion.State;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gated promotion: the only way an alias moves. A request is evaluated against every policy bound to the alias;
 * it is refused, waits for approvals, or applies at once. Applying re-evaluates against the state of that moment
 * and moves the alias with a compare-and-set on its revision, in the same transaction as the audit events.
 *
 * <p>Policies are evaluated before any lock is taken, each within its budget ({@link PolicyRunner}), and the
 * artifact check reads the files then too: a slow or runaway policy, or a slow store, never holds the alias. The
 * locking transaction only re-reads the cheap facts the verdicts were computed from (a {@link Basis}: the alias's
 * revision and holder, the policy set, the candidate's content digest, which is its manifest digest when it has
 * files, and the decisions); if any changed meanwhile, nothing is written and the evaluation runs again, at most
 * {@link #MAX_EVALUATIONS} times, after which the call is {@code ABORTED} ({@code ETAG_MISMATCH}) to be retried.
 *
 * <p>Locks are always taken alias first, then promotions, then versions, so concurrent promotions, approvals and
 * expiries of one alias queue instead of deadlocking. Knows nothing of gRPC.
 */
public final class PromotionService {

  static final int MAX_JUSTIFICATION = 4096;
  static final int MAX_COMMENT = 4096;
  /** Who expires promotions in the audit log. */
  static final String SYSTEM = "system:expiry";
  private static final Logger log = LoggerFactory.getLogger(PromotionService.class);
  private static final int EXPIRY_BATCH = 100;
  /** The policy type whose snapshot needs the candidate's files read back. */
  private static final String ARTIFACT_INTEGRITY = "artifact-integrity";
  /** Evaluations of one call before it gives up on an alias that keeps changing under it. */
  static final int MAX_EVALUATIONS = 3;

  private final DSLContext dsl;
  private final Transactions transactions;
  private final PromotionRepository promotions;
  private final AliasRepository aliases;
  private final VersionRepository versions;
  private final PolicyBindingService bindings;
  private final ArtifactService artifacts;
  private final Clock clock;
  private final Duration ttl;
  private final PageTokens pageTokens;
  private final PolicyRunner runner;

  public PromotionService(DSLContext dsl, Transactions transactions, PromotionRepository promotions,
      AliasRepository aliases, VersionRepository versions, PolicyBindingService bindings, ArtifactService artifacts,
      Clock clock, Duration ttl, PageTokens pageTokens, PolicyRunner runner) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.promotions = promotions;
    this.aliases = aliases;
    this.versions = versions;
    this.bindings = bindings;
    this.artifacts = artifacts;
    this.clock = clock;
    this.ttl = ttl;
    this.pageTokens = pageTokens;
    this.runner = runner;
  }

  /**
   * What a requester asks for.
   *
   * @param version the version to point at; empty for a removal, and for a rollback (found in the history)
   * @param expectedCurrentVersion the holder the requester expects; 0 means no holder
   */
  public record Draft(String modelId, String alias, Kind kind, Optional<Integer> version, String justification,
      Optional<Integer> expectedCurrentVersion, boolean archivePrevious) {}

  /** Requests a promotion; with {@code dryRun} returns the verdicts and writes nothing. */
  public Promotion request(Draft draft, boolean dryRun, Optional<RequestKey> requestKey, String actor) {
    check(draft);
    BiFunction<DSLContext, String, Promotion> loadExisting =
        (ctx, name) -> promotions.find(ctx, Names.parsePromotionName("name", name)).orElseThrow();
    if (!dryRun) {
      // a retried request answers what the first one made, without evaluating against the state it left behind
      Optional<Promotion> earlier = transactions.madeEarlier(requestKey, loadExisting);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    for (int attempt = 1; ; attempt++) {
      // evaluated without a lock; the transaction below only checks that what it saw still holds
      Alias seen = aliases.current(dsl, draft.modelId(), draft.alias());
      VersionService.requireModel(versions, dsl, draft.modelId());
      Draft resolved = resolveTarget(dsl, draft, seen);
      checkExpected(resolved, seen);
      Subject subject = new Subject(resolved, actor, now());
      Context context = withArtifactCheck(context(dsl, subject, seen));
      Evaluation evaluation = judge(dsl, subject, context, List.of());
      if (dryRun) {
        State state = outcomeState(evaluation);
        return subject.promotion(UUID.randomUUID(), state, "dry run: " + reason(state, evaluation), seen,
            evaluation, ttl, true);
      }
      Basis basis = Basis.of(seen, context, List.of());
      try {
        return transactions.createOnce(actor, requestKey,
            tx -> {
              Alias alias = aliases.lockOrCreate(tx.dsl(), draft.modelId(), draft.alias(), actor)
                  .orElseThrow(() -> ModelService.notFound(draft.modelId()));
              Draft locked = resolveTarget(tx.dsl(), draft, alias);
              checkExpected(locked, alias);
              locked.version().ifPresent(v -> versions.lock(tx.dsl(), locked.modelId(), v));
              if (!locked.version().equals(resolved.version())
                  || !basis.equals(Basis.of(alias, context(tx.dsl(), subject, alias), List.of()))) {
                throw new StaleEvaluation();
              }
              Promotion promotion = subject.promotion(UUID.randomUUID(), State.AWAITING_APPROVAL, "", alias,
                  evaluation, ttl, false);
              promotions.insert(tx.dsl(), promotion);
              settle(tx, promotion, alias, evaluation, actor, true);
              return promotions.find(tx.dsl(), promotion.id()).orElseThrow();
            },
            Promotion::name, loadExisting);
      } catch (StaleEvaluation e) {
        giveUpAfter(attempt, seen);
      }
    }
  }

  /** Thrown inside a locking transaction, rolling it back, when what an evaluation saw has changed since. */
  private static final class StaleEvaluation extends RuntimeException {
    StaleEvaluation() {
      super("the evaluation's basis changed", null, false, false);
    }
  }

  private static void giveUpAfter(int attempt, Alias alias) {
    if (attempt >= MAX_EVALUATIONS) {
      throw new GantryException(ErrorCode.ETAG_MISMATCH, "alias " + alias.name() + ", its version or its policies "
          + "changed while the policies were evaluated, " + attempt + " times in a row; try again");
    }
  }

  /** Requests the alias's previous holder, from its history. */
  public Promotion rollback(AliasRef ref, String justification, boolean archivePrevious, boolean dryRun,
      Optional<RequestKey> requestKey, String actor) {
    return request(new Draft(ref.model(), ref.alias(), Kind.ROLLBACK, Optional.empty(), justification,
        Optional.empty(), archivePrevious), dryRun, requestKey, actor);
  }

  /** What an approver is besides its name, for the {@code approvals} policy: groups and roles on model and alias. */
  @FunctionalInterface
  public interface Memberships {
    Set<String> of(String modelId, String alias);
  }

  /**
   * Approves a promotion awaiting approval, then evaluates it again: with enough approvals it applies.
   * Approving twice changes nothing; the requester may not approve (refused and audited).
   */
  public Promotion approve(UUID id, String comment, String actor, Memberships memberships) {
    new Violations().text("comment", comment, MAX_COMMENT).throwIfAny();
    for (int attempt = 1; ; attempt++) {
      Promotion seen = get(id);
      Optional<Approving> approving = seen.state() == State.AWAITING_APPROVAL && !seen.requester().equals(actor)
          ? Optional.of(approving(seen, comment, actor, memberships)) : Optional.empty();
      try {
        return decide(id, actor, (tx, alias, promotion) -> {
          if (promotion.requester().equals(actor)) {
            return refuse(tx, promotion, actor, "ApprovePromotion",
                "the requester of a promotion may not approve it");
          }
          promotion.version().ifPresent(v -> versions.lock(tx.dsl(), promotion.modelId(), v));
          Approving pre = approving.orElseThrow(StaleEvaluation::new);
          Context context = context(tx.dsl(), Subject.of(promotion), alias);
          if (!pre.basis().equals(Basis.of(alias, context, promotion.decisions()))) {
            throw new StaleEvaluation();
          }
          return approve(tx, alias, promotion, context, pre);
        });
      } catch (StaleEvaluation e) {
        giveUpAfter(attempt, aliases.current(dsl, seen.modelId(), seen.alias()));
      }
    }
  }

  /** An approval evaluated ahead of the lock: the decision it adds, the verdicts with it, and what they saw. */
  private record Approving(Decision decision, Evaluation evaluation, Basis basis) {}

  private Approving approving(Promotion seen, String comment, String actor, Memberships memberships) {
    Alias alias = aliases.current(dsl, seen.modelId(), seen.alias());
    Subject subject = Subject.of(seen);
    Context context = withArtifactCheck(context(dsl, subject, alias));
    Decision decision = new Decision(actor, true, comment, OffsetDateTime.now(clock),
        context.contentDigest(), context.effective().digest(), memberships.of(seen.modelId(), seen.alias()));
    List<Decision> decisions = new ArrayList<>(seen.decisions().stream()
        .filter(d -> !d.principal().equals(actor)).toList());
    decisions.add(decision);
    return new Approving(decision, judge(dsl, subject, context, decisions), Basis.of(alias, context, seen.decisions()));
  }

  private Step approve(Tx tx, Alias alias, Promotion promotion, Context context, Approving pre) {
    Decision decision = pre.decision();
    Optional<Decision> earlier = promotion.decisions().stream()
        .filter(d -> d.principal().equals(decision.principal())).findFirst();
    // approving again changes nothing, unless the earlier approval was given under another content or policy set
    if (earlier.isPresent() && earlier.get().countsFor(context.contentDigest(), context.effective().digest())) {
      tx.unchanged();
      return Step.done(promotion);
    }
    promotions.replaceDecision(tx.dsl(), promotion.id(), decision);
    tx.record(Action.PROMOTION_APPROVED, promotion.name(), Payload.of(
        "model", promotion.modelId(), "alias", promotion.alias(), "version", promotion.version().orElse(null),
        "comment", decision.comment(), "content_digest", decision.contentDigest(),
        "policy_set_digest", decision.policySetDigest()));
    settle(tx, promotion, alias, pre.evaluation(), decision.principal(), false);
    return Step.done(promotions.find(tx.dsl(), promotion.id()).orElseThrow());
  }

  /** Rejects a promotion awaiting approval. The requester withdraws with {@link #cancel} instead. */
  public Promotion reject(UUID id, String comment, String actor) {
    new Violations().text("comment", comment, MAX_COMMENT).throwIfAny();
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

  /** Withdraws a promotion awaiting approval; only its requester may. */
  public Promotion cancel(UUID id, String actor) {
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

  public Promotion get(UUID id) {
    return promotions.find(dsl, id).orElseThrow(() -> notFound(id));
  }

  /** Lists the promotions of the models {@code readable} holds. */
  public ListQuery.Page<Promotion> list(ListQuery.Request request, ReadableModels readable) {
    ListQuery query = ListQuery.of(request, PromotionRepository.FILTER, PromotionRepository.SORT_KEYS,
        "create_time desc", PROMOTION.SEQ, pageTokens);
    return promotions.list(dsl, query, readable.condition(REGISTERED_MODEL.NAME));
  }

  /**
   * Expires every promotion whose time to live ran out, each in its own audited transaction.
   *
   * @return how many expired
   */
  public int expireOverdue() {
    int expired = 0;
    List<UUID> overdue;
    do {
      overdue = promotions.overdue(dsl, now(), EXPIRY_BATCH);
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
    if (expired > 0) {
      log.info("Expired {} promotion(s) that waited longer than {}", expired, ttl);
    }
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
    String reason = reason(outcomeState(evaluation), evaluation);
    Map<String, Object> payload = Payload.of(
        "model", promotion.modelId(), "alias", promotion.alias(), "kind", promotion.kind().name(),
        "version", promotion.version().orElse(null), "current_version", alias.version().orElse(null),
        "justification", promotion.justification(),
        "verdicts", evaluation.verdicts().stream().map(PromotionService::verdictSummary).toList(),
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

  /** The promotion as evaluated: who asks for what, when. */
  private record Subject(String modelId, String alias, Kind kind, Optional<Integer> version, String requester,
      String justification, Optional<Integer> expectedCurrentVersion, boolean archivePrevious, Instant requestedAt) {

    Subject(Draft draft, String requester, Instant requestedAt) {
      this(draft.modelId(), draft.alias(), draft.kind(), draft.version(), requester, draft.justification(),
          draft.expectedCurrentVersion(), draft.archivePrevious(), requestedAt);
    }

    static Subject of(Promotion p) {
      return new Subject(p.modelId(), p.alias(), p.kind(), p.version(), p.requester(), p.justification(),
          p.expectedCurrentVersion(), p.archivePrevious(), p.createTime().toInstant());
    }

    Promotion promotion(UUID id, State state, String reason, Alias alias, Evaluation evaluation, Duration ttl,
        boolean dryRun) {
      OffsetDateTime created = requestedAt.atOffset(ZoneOffset.UTC);
      return new Promotion(id, modelId, this.alias, version, kind, state, reason, requester, justification,
          expectedCurrentVersion, archivePrevious, alias.version(), alias.revision(), evaluation.verdicts(),
          evaluation.effective().digest(), evaluation.contentDigest(), List.of(), created, created,
          created.plus(ttl), dryRun);
    }
  }

  /** What an evaluation looks at besides the decisions. */
  private record Context(EffectivePolicy effective, Version candidate, Optional<Version> holder,
      String contentDigest, Optional<ArtifactCheck> artifactCheck) {}

  /** The verdicts of one evaluation, and what they were computed from. */
  private record Evaluation(EffectivePolicy effective, List<Verdict> verdicts, Outcome outcome,
      String contentDigest, List<Approval> approvals) {}

  /**
   * What the verdicts were computed from, all of it cheap to read again under the lock. The content digest is the
   * manifest digest for a version with files, so an artifact check stays bound to the manifest it verified.
   */
  private record Basis(long aliasRevision, Optional<Integer> holder, String policySetDigest, int candidate,
      String contentDigest, Version.Status status, List<Decision> decisions) {

    static Basis of(Alias alias, Context context, List<Decision> decisions) {
      return new Basis(alias.revision(), alias.version(), context.effective().digest(),
          context.candidate().version(), context.contentDigest(), context.candidate().status(),
          List.copyOf(decisions));
    }
  }

  private Context context(DSLContext ctx, Subject subject, Alias alias) {
    EffectivePolicy effective = bindings.effective(ctx, subject.modelId(), subject.alias(),
        Promotion.purposeOf(subject.kind()));
    Optional<Version> holder = alias.version().flatMap(v -> versions.find(ctx, subject.modelId(), v));
    // a removal's candidate is the holder it removes: approvals and expressions still have a version to look at
    Version candidate = subject.version()
        .map(v -> versions.find(ctx, subject.modelId(), v).orElseThrow(() -> VersionService.notFound(versions, ctx,
            new VersionRef(subject.modelId(), v))))
        .orElseGet(() -> holder.orElseThrow(() -> aliasNotFound(subject.modelId(), subject.alias())));
    return new Context(effective, candidate, holder, CandidateMapper.contentDigest(candidate), Optional.empty());
  }

  /**
   * The context with the candidate's files read back and hashed, when a policy asks for it. Never called under a
   * lock: re-reading every stored file costs a full read of the model, so only a set that asks for it pays.
   */
  private Context withArtifactCheck(Context context) {
    if (context.effective().policies().stream().noneMatch(policy -> policy.type().equals(ARTIFACT_INTEGRITY))) {
      return context;
    }
    return new Context(context.effective(), context.candidate(), context.holder(), context.contentDigest(),
        Optional.of(artifacts.verify(context.candidate())));
  }

  private Evaluation judge(DSLContext ctx, Subject subject, Context context, List<Decision> decisions) {
    List<Approval> approvals = decisions.stream()
        .filter(d -> d.countsFor(context.contentDigest(), context.effective().digest()))
        .map(d -> new Approval(d.principal(), d.time().toInstant(), d.comment(), d.memberships()))
        .toList();
    Candidate candidate = CandidateMapper.toCandidate(context.candidate(), context.artifactCheck());
    PolicyInput input = new PolicyInput(candidate, context.holder().map(CandidateMapper::toCandidate),
        new PromotionRequest(subject.requester(), subject.alias(), subject.justification(), subject.requestedAt()),
        approvals, aliases.spans(ctx, subject.modelId()), now());
    List<Verdict> verdicts = new ArrayList<>();
    if (subject.kind() != Kind.REMOVE && context.candidate().status() != Version.Status.READY) {
      verdicts.add(Verdict.fail("version-ready", "version " + candidate.reference() + " is "
          + context.candidate().status() + "; only READY versions can be promoted",
          Map.of("status", context.candidate().status().name())));
    }
    verdicts.addAll(runner.evaluate(context.effective().policies(), input));
    Outcome outcome = verdicts.stream().anyMatch(v -> v.outcome() == Outcome.FAIL) ? Outcome.FAIL
        : verdicts.stream().anyMatch(v -> v.outcome() == Outcome.PENDING) ? Outcome.PENDING : Outcome.PASS;
    return new Evaluation(context.effective(), List.copyOf(verdicts), outcome, context.contentDigest(), approvals);
  }

  /** A rollback's target is the holder before the alias's last move. */
  private Draft resolveTarget(DSLContext ctx, Draft draft, Alias alias) {
    if (draft.kind() != Kind.ROLLBACK) {
      return draft;
    }
    int previous = aliases.lastMove(ctx, draft.modelId(), draft.alias())
        .flatMap(AliasMove::fromVersion)
        .orElseThrow(() -> new GantryException(ErrorCode.NO_PREVIOUS_HOLDER, "alias " + alias.name()
            + " has no previous holder in its history to roll back to"));
    return new Draft(draft.modelId(), draft.alias(), draft.kind(), Optional.of(previous), draft.justification(),
        alias.version().or(() -> Optional.of(0)), draft.archivePrevious());
  }

  private static void checkExpected(Draft draft, Alias alias) {
    if (draft.expectedCurrentVersion().isPresent()
        && !draft.expectedCurrentVersion().get().equals(alias.version().orElse(0))) {
      throw new GantryException(ErrorCode.CURRENT_VERSION_MISMATCH, "alias " + alias.name() + " points at "
          + describe(alias.version()) + ", not at " + describe(draft.expectedCurrentVersion().filter(v -> v > 0))
          + " as expected_current_version says");
    }
  }

  private static void check(Draft draft) {
    Names.checkAlias("alias", draft.alias());
    if (Names.LATEST.equals(draft.alias())) {
      throw GantryException.invalid("alias", "'latest' is computed (the highest READY version) and cannot be moved");
    }
    Violations violations = new Violations().text("justification", draft.justification(), MAX_JUSTIFICATION);
    if (draft.kind() == Kind.MOVE && draft.version().isEmpty()) {
      violations.add("version", "is required (a positive version number), unless remove_alias is set");
    }
    if (draft.kind() == Kind.REMOVE && draft.version().isPresent()) {
      violations.add("version", "must be 0 when remove_alias is set");
    }
    draft.expectedCurrentVersion().filter(v -> v < 0).ifPresent(v ->
        violations.add("expected_current_version", "must be 0 (no holder) or a version number, got " + v));
    violations.throwIfAny();
  }

  private boolean isOverdue(Promotion promotion) {
    return !promotion.expireTime().toInstant().isAfter(now());
  }

  private Instant now() {
    return clock.instant();
  }

  private static State outcomeState(Evaluation evaluation) {
    return switch (evaluation.outcome()) {
      case FAIL -> State.REJECTED;
      case PENDING -> State.AWAITING_APPROVAL;
      case PASS -> State.APPLIED;
    };
  }

  /** One sentence: the first failing, else the first pending, verdict. */
  private static String reason(State state, Evaluation evaluation) {
    Outcome deciding = state == State.REJECTED ? Outcome.FAIL : Outcome.PENDING;
    return switch (state) {
      case REJECTED, AWAITING_APPROVAL -> evaluation.verdicts().stream()
          .filter(v -> v.outcome() == deciding)
          .findFirst()
          .map(v -> (state == State.REJECTED ? "refused by " : "waiting for ") + v.policy() + ": " + v.message())
          .orElseThrow();
      default -> "every policy passed (" + evaluation.verdicts().size() + ")";
    };
  }

  private static Map<String, Object> verdictSummary(Verdict verdict) {
    return Payload.of("policy", verdict.policy(), "outcome", verdict.outcome().name(), "message", verdict.message());
  }

  private static String describe(Optional<Integer> version) {
    return version.map(v -> "version " + v).orElse("no version");
  }

  private static GantryException notPending(Promotion promotion) {
    return new GantryException(ErrorCode.PROMOTION_NOT_PENDING, "promotion " + promotion.name() + " is "
        + promotion.state() + (promotion.stateReason().isEmpty() ? "" : " (" + promotion.stateReason() + ")")
        + "; only a promotion awaiting approval can be decided");
  }

  private static GantryException notFound(UUID id) {
    return new GantryException(ErrorCode.PROMOTION_NOT_FOUND, "there is no promotion " + Names.promotionName(id));
  }

  private static GantryException aliasNotFound(String modelId, String alias) {
    return new GantryException(ErrorCode.ALIAS_NOT_FOUND, "model '" + modelId + "' has no alias '" + alias + "'");
  }
}
