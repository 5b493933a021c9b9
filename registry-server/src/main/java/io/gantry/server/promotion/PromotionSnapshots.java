package io.gantry.server.promotion;

import io.gantry.policy.AliasSpan;
import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMove;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Reads what a promotion is evaluated on. Takes no lock: ahead of the lock it feeds the {@link PromotionEvaluator};
 * under the lock the {@link PromotionStateMachine} reads the same cheap facts again to see whether they still hold.
 */
final class PromotionSnapshots {

  private final AliasRepository aliases;
  private final VersionRepository versions;
  private final PolicyBindingService bindings;
  private final ArtifactService artifacts;

  PromotionSnapshots(AliasRepository aliases, VersionRepository versions, PolicyBindingService bindings,
      ArtifactService artifacts) {
    this.aliases = aliases;
    this.versions = versions;
    this.bindings = bindings;
    this.artifacts = artifacts;
  }

  Alias alias(DSLContext ctx, String modelId, String alias) {
    return aliases.current(ctx, modelId, alias);
  }

  void requireModel(DSLContext ctx, String modelId) {
    VersionService.requireModel(versions, ctx, modelId);
  }

  List<AliasSpan> spans(DSLContext ctx, String modelId) {
    return aliases.spans(ctx, modelId);
  }

  /** The policy set, the candidate and the holder; without the artifact check, which is too slow for a lock. */
  Snapshot read(DSLContext ctx, Subject subject, Alias alias) {
    EffectivePolicy effective = bindings.effective(ctx, subject.modelId(), subject.alias(),
        Promotion.purposeOf(subject.kind()));
    Optional<Version> holder = alias.version().flatMap(v -> versions.find(ctx, subject.modelId(), v));
    // a removal's candidate is the holder it removes: approvals and expressions still have a version to look at
    Version candidate = subject.version()
        .map(v -> versions.find(ctx, subject.modelId(), v).orElseThrow(() -> VersionService.notFound(versions, ctx,
            new VersionRef(subject.modelId(), v))))
        .orElseGet(() -> holder.orElseThrow(() -> aliasNotFound(subject.modelId(), subject.alias())));
    return new Snapshot(effective, candidate, holder, CandidateMapper.contentDigest(candidate), Optional.empty());
  }

  /**
   * The snapshot with the candidate's files read back and hashed, when a policy asks for it. Never called under a
   * lock: re-reading every stored file costs a full read of the model, so only a set that asks for it pays.
   */
  Snapshot withArtifactCheck(Snapshot snapshot) {
    return snapshot.needsArtifactCheck() ? snapshot.with(artifacts.verify(snapshot.candidate())) : snapshot;
  }

  /** A rollback's target is the holder before the alias's last move. */
  Draft resolveTarget(DSLContext ctx, Draft draft, Alias alias) {
    if (draft.kind() != Kind.ROLLBACK) {
      return draft;
    }
    int previous = aliases.lastMove(ctx, draft.modelId(), draft.alias())
        .flatMap(AliasMove::fromVersion)
        .orElseThrow(() -> new GantryException(ErrorCode.NO_PREVIOUS_HOLDER, "alias " + alias.name()
            + " has no previous holder in its history to roll back to"));
    return draft.rollingBackTo(previous, alias);
  }

  private static GantryException aliasNotFound(String modelId, String alias) {
    return new GantryException(ErrorCode.ALIAS_NOT_FOUND, "model '" + modelId + "' has no alias '" + alias + "'");
  }
}
