package io.gantry.client.cli;

import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import java.util.Locale;
import java.util.Set;

/**
 * How the commands that request or approve a promotion end: they print it, and exit {@link GantryCli#EXIT_OK}
 * when it applied or awaits approval, {@link GantryCli#EXIT_REJECTED} when it ended without applying (a policy or
 * a reviewer rejected it), so that a pipeline can branch on the exit code alone. A dry run ends as the real
 * request would.
 */
final class PromotionOutcome {

  private static final Set<PromotionState> GOING_AHEAD = Set.of(
      PromotionState.PROMOTION_STATE_APPLIED, PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);

  private PromotionOutcome() {}

  static int print(Promotion promotion, CommonOptions common) {
    PromotionView.outcome(common.printer(), promotion);
    if (GOING_AHEAD.contains(promotion.getState())) {
      return GantryCli.EXIT_OK;
    }
    // On stderr too: a pipeline's log shows why it stopped even when stdout went to a file or to jq.
    common.err().println(PromotionView.state(promotion.getState()).toLowerCase(Locale.ROOT) + ": "
        + promotion.getStateReason());
    return GantryCli.EXIT_REJECTED;
  }
}
