package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.versionCell;

import io.gantry.client.ResourceNames;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.PolicyVerdict;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionDecision;
import io.gantry.v1.PromotionState;
import java.io.PrintWriter;

/**
 * How a promotion shows: what a request or a decision came to ({@code gantry promote}, {@code rollback},
 * {@code approve}, {@code reject}, {@code cancel}), and {@code gantry promotions}.
 */
final class PromotionView {

  private PromotionView() {
  }

  /** What a request or a decision came to: the state and why, then every verdict and decision. */
  static void outcome(Printer printer, Promotion promotion) {
    printer.print(promotion, out -> {
      header(promotion)
          .field("dry_run", promotion.getDryRun() ? "true: nothing was written" : "")
          .print(out);
      verdictsAndDecisions(out, promotion);
    });
  }

  /** Every field of a promotion, then every verdict and decision. */
  static void promotion(Printer printer, Promotion promotion) {
    printer.print(promotion, out -> {
      header(promotion)
          .field("requester", promotion.getRequester())
          .field("justification", promotion.getJustification())
          .row("current_version", Long.toString(promotion.getCurrentVersion()))
          .field("expected_current_version",
              promotion.hasExpectedCurrentVersion() ? Long.toString(promotion.getExpectedCurrentVersion()) : "")
          .row("alias_revision", Long.toString(promotion.getAliasRevision()))
          .row("archive_previous", Boolean.toString(promotion.getArchivePrevious()))
          .field("policy_set_digest", promotion.getPolicySetDigest())
          .field("content_digest", promotion.getContentDigest())
          .field("created", time(promotion.getCreateTime()))
          .field("updated", time(promotion.getUpdateTime()))
          .field("expires", time(promotion.getExpireTime()))
          .field("dry_run", promotion.getDryRun() ? "true: nothing was written" : "")
          .print(out);
      verdictsAndDecisions(out, promotion);
    });
  }

  static void promotions(Printer printer, ListPromotionsResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable()
          .row("ID", "MODEL", "ALIAS", "KIND", "VERSION", "STATE", "REQUESTER", "CREATED", "REASON");
      for (Promotion promotion : page.getPromotionsList()) {
        table.row(promotion.getName().substring(promotion.getName().indexOf('/') + 1),
            ResourceNames.modelId(promotion.getModel()), promotion.getAlias(), kind(promotion),
            versionCell(promotion.getVersion()), state(promotion.getState()), promotion.getRequester(),
            time(promotion.getCreateTime()), promotion.getStateReason());
      }
      return table;
    });
  }

  static String state(PromotionState state) {
    return state.name().replace("PROMOTION_STATE_", "");
  }

  /** What it asks for and where it stands; a dry run has no name, as nothing was stored. */
  private static TextTable header(Promotion promotion) {
    return new TextTable()
        .field("name", promotion.getName())
        .row("kind", kind(promotion))
        .row("model", promotion.getModel())
        .row("alias", promotion.getAlias())
        // Version 0 stands for none (a removal's target): the block leaves it out.
        .field("version", promotion.getVersion() == 0 ? "" : Long.toString(promotion.getVersion()))
        .row("state", state(promotion.getState()))
        .field("state_reason", promotion.getStateReason());
  }

  private static void verdictsAndDecisions(PrintWriter out, Promotion promotion) {
    if (promotion.getVerdictsCount() > 0) {
      TextTable verdicts = new TextTable().row("POLICY", "OUTCOME", "MESSAGE");
      for (PolicyVerdict verdict : promotion.getVerdictsList()) {
        verdicts.row(verdict.getPolicy(), verdict.getOutcome().name().replace("VERDICT_OUTCOME_", ""),
            verdict.getMessage());
      }
      out.println();
      verdicts.print(out);
    }
    if (promotion.getDecisionsCount() > 0) {
      TextTable decisions = new TextTable().row("PRINCIPAL", "DECISION", "COUNTS", "TIME", "COMMENT");
      for (PromotionDecision decision : promotion.getDecisionsList()) {
        decisions.row(decision.getPrincipal(), decision.getApproved() ? "approved" : "rejected",
            decision.getCounts() ? "yes" : "no: given to other content or policies", time(decision.getCreateTime()),
            decision.getComment());
      }
      out.println();
      decisions.print(out);
    }
  }

  private static String kind(Promotion promotion) {
    return promotion.getKind().name().replace("PROMOTION_KIND_", "");
  }
}
