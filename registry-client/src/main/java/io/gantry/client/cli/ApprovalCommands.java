package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.CancelPromotionRequest;
import io.gantry.v1.RejectPromotionRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The decisions on a promotion awaiting approval: approve, reject, cancel. */
final class ApprovalCommands {

  static final String ID_LABEL = "ID";
  static final String ID_DESCRIPTION = "The promotion: its id, or promotions/ID.";

  private ApprovalCommands() {}

  @Command(name = "approve",
      description = "Approve a promotion awaiting approval. With enough approvals it is evaluated again and applies "
          + "(exit 0), or is rejected (exit 7). Its requester may not approve it.")
  static final class Approve implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = ID_LABEL, description = ID_DESCRIPTION)
    String promotion;

    @Option(names = "--comment", paramLabel = "TEXT", defaultValue = "",
        description = "Why, kept with the decision.")
    String comment;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.promotion(promotion));
      try (GantryClient client = common.connect()) {
        return PromotionOutcome.print(client.promotions().approvePromotion(
            ApprovePromotionRequest.newBuilder().setName(name).setComment(comment).build()), common);
      }
    }
  }

  @Command(name = "reject",
      description = "Reject a promotion awaiting approval; it will not apply. Its requester cancels instead.")
  static final class Reject implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = ID_LABEL, description = ID_DESCRIPTION)
    String promotion;

    @Option(names = "--comment", paramLabel = "TEXT", defaultValue = "", description = "Why; shown to the requester.")
    String comment;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.promotion(promotion));
      try (GantryClient client = common.connect()) {
        PromotionView.outcome(common.printer(), client.promotions().rejectPromotion(
            RejectPromotionRequest.newBuilder().setName(name).setComment(comment).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "cancel", description = "Withdraw a promotion awaiting approval; only its requester may.")
  static final class Cancel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = ID_LABEL, description = ID_DESCRIPTION)
    String promotion;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.promotion(promotion));
      try (GantryClient client = common.connect()) {
        PromotionView.outcome(common.printer(), client.promotions().cancelPromotion(
            CancelPromotionRequest.newBuilder().setName(name).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }
}
