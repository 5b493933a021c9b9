package io.gantry.server.promotion;

import static io.gantry.db.Tables.PROMOTION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.policy.PolicyRunner;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.common.Names.AliasRef;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.Promotion.State;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.server.version.VersionRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gated promotion: the only way an alias moves. A request is evaluated against every policy bound to the alias;
 * it is refused, waits for approvals, or applies at once. Applying re-evaluates against the state of that moment
 * and moves the alias with a compare-and-set on its revision, in the same transaction as the audit events.
 *
 * <p>This facade runs each call in two steps: the {@link PromotionEvaluator} judges a {@link Snapshot} before any
 * lock is taken (the artifact check reads the files then too: a slow policy or store never holds the alias), then
 * the {@link PromotionStateMachine} locks, checks that the {@link Basis} still holds and writes. If it changed
 * meanwhile, nothing is written and the evaluation runs again, at most {@link #MAX_EVALUATIONS} times, after which
 * the call is {@code ABORTED} ({@code ETAG_MISMATCH}) to be retried. Knows nothing of gRPC.
 */
public final class PromotionService {

  static final int MAX_COMMENT = 4096;
  private static final Logger log = LoggerFactory.getLogger(PromotionService.class);
  /** Evaluations of one call before it gives up on an alias that keeps changing under it. */
  static final int MAX_EVALUATIONS = 3;

  private final DSLContext dsl;
  private final PromotionRepository promotions;
  private final PromotionSnapshots snapshots;
  private final PromotionEvaluator evaluator;
  private final PromotionStateMachine machine;
  private final Clock clock;
  private final Duration ttl;
  private final PageTokens pageTokens;

  public PromotionService(DSLContext dsl, Transactions transactions, PromotionRepository promotions,
      AliasRepository aliases, VersionRepository versions, PolicyBindingService bindings, ArtifactService artifacts,
      Clock clock, Duration ttl, PageTokens pageTokens, PolicyRunner runner) {
    this.dsl = dsl;
    this.promotions = promotions;
    this.snapshots = new PromotionSnapshots(aliases, versions, bindings, artifacts);
    this.evaluator = new PromotionEvaluator(runner);
    this.machine = new PromotionStateMachine(dsl, transactions, promotions, aliases, versions, snapshots, clock, ttl);
    this.clock = clock;
    this.ttl = ttl;
    this.pageTokens = pageTokens;
  }

  /** Requests a promotion; with {@code dryRun} returns the verdicts and writes nothing. */
  public Promotion request(Draft draft, boolean dryRun, Optional<RequestKey> requestKey, String actor) {
    draft.check();
    if (!dryRun) {
      // a retried request answers what the first one made, without evaluating against the state it left behind
      Optional<Promotion> earlier = machine.madeEarlier(requestKey);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    for (int attempt = 1; ; attempt++) {
      // evaluated without a lock; the state machine only checks that what it saw still holds
      Alias seen = snapshots.alias(dsl, draft.modelId(), draft.alias());
      snapshots.requireModel(dsl, draft.modelId());
      Draft resolved = snapshots.resolveTarget(dsl, draft, seen);
      resolved.requireExpectedHolder(seen);
      Subject subject = new Subject(resolved, actor, clock.instant());
      Snapshot snapshot = snapshots.withArtifactCheck(snapshots.read(dsl, subject, seen));
      Evaluation evaluation = evaluate(subject, snapshot, List.of());
      if (dryRun) {
        State state = evaluation.state();
        return subject.promotion(UUID.randomUUID(), state, "dry run: " + evaluation.reason(), seen, evaluation, ttl,
            true);
      }
      try {
        return machine.create(new EvaluatedRequest(draft, resolved, subject, evaluation,
            Basis.of(seen, snapshot, List.of())), requestKey, actor);
      } catch (StaleEvaluation e) {
        giveUpAfter(attempt, seen);
      }
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
      Optional<EvaluatedApproval> approval = seen.state() == State.AWAITING_APPROVAL
          && !seen.requester().equals(actor) ? Optional.of(evaluateApproval(seen, comment, actor, memberships))
          : Optional.empty();
      try {
        return machine.approve(id, actor, approval);
      } catch (StaleEvaluation e) {
        giveUpAfter(attempt, snapshots.alias(dsl, seen.modelId(), seen.alias()));
      }
    }
  }

  private EvaluatedApproval evaluateApproval(Promotion seen, String comment, String actor, Memberships memberships) {
    Alias alias = snapshots.alias(dsl, seen.modelId(), seen.alias());
    Subject subject = Subject.of(seen);
    Snapshot snapshot = snapshots.withArtifactCheck(snapshots.read(dsl, subject, alias));
    Decision decision = new Decision(actor, true, comment, OffsetDateTime.now(clock),
        snapshot.contentDigest(), snapshot.effective().digest(), memberships.of(seen.modelId(), seen.alias()));
    List<Decision> decisions = new ArrayList<>(seen.decisions().stream()
        .filter(d -> !d.principal().equals(actor)).toList());
    decisions.add(decision);
    return new EvaluatedApproval(decision, evaluate(subject, snapshot, decisions),
        Basis.of(alias, snapshot, seen.decisions()));
  }

  /** Rejects a promotion awaiting approval. The requester withdraws with {@link #cancel} instead. */
  public Promotion reject(UUID id, String comment, String actor) {
    new Violations().text("comment", comment, MAX_COMMENT).throwIfAny();
    return machine.reject(id, comment, actor);
  }

  /** Withdraws a promotion awaiting approval; only its requester may. */
  public Promotion cancel(UUID id, String actor) {
    return machine.cancel(id, actor);
  }

  public Promotion get(UUID id) {
    return machine.get(id);
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
    int expired = machine.expireOverdue();
    if (expired > 0) {
      log.info("Expired {} promotion(s) that waited longer than {}", expired, ttl);
    }
    return expired;
  }

  /** The evaluator's verdicts, with the model's alias history and the time read now. */
  private Evaluation evaluate(Subject subject, Snapshot snapshot, List<Decision> decisions) {
    return evaluator.evaluate(subject, snapshot, decisions, snapshots.spans(dsl, subject.modelId()), clock.instant());
  }

  private static void giveUpAfter(int attempt, Alias alias) {
    if (attempt >= MAX_EVALUATIONS) {
      throw new GantryException(ErrorCode.ETAG_MISMATCH, "alias " + alias.name() + ", its version or its policies "
          + "changed while the policies were evaluated, " + attempt + " times in a row; try again");
    }
  }
}
