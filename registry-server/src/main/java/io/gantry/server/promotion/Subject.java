package io.gantry.server.promotion;

import io.gantry.server.alias.Alias;
import io.gantry.server.promotion.Promotion.Kind;
import io.gantry.server.promotion.Promotion.State;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The promotion as evaluated: who asks for what, when. */
record Subject(String modelId, String alias, Kind kind, Optional<Integer> version, String requester,
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
