package io.gantry.server.web;

import static io.gantry.server.TestRegistry.promotions;

import io.gantry.server.promotion.TaxiTeam;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;

/**
 * The taxi team's champion promotion waiting for its reviewers, as the README walks through it: version 1 is
 * champion (Alice and Dana approved it), version 2 was refused for its rmse, and Carol has asked for version 3,
 * which beats the champion on {@code test}, to become champion. Two of Alice, Bob and Dana must approve.
 */
final class ChampionReview {

  final TaxiTeam team;
  final Promotion pending;

  ChampionReview() {
    team = new TaxiTeam().withChampionPolicy();
    ModelVersion first = team.register(5.43);
    team.promote(TaxiTeam.REQUESTER, first, "staging");
    Promotion firstChampion = team.promote(TaxiTeam.REQUESTER, first, "champion");
    approve("alice", firstChampion);
    approve("dana", firstChampion);
    ModelVersion worse = team.register(5.9);
    team.promote(TaxiTeam.REQUESTER, worse, "staging");
    team.promote(TaxiTeam.REQUESTER, worse, "champion");
    ModelVersion better = team.register(5.21);
    team.promote(TaxiTeam.REQUESTER, better, "staging");
    pending = team.promote(TaxiTeam.REQUESTER, better, "champion");
    if (pending.getState() != PromotionState.PROMOTION_STATE_AWAITING_APPROVAL) {
      throw new IllegalStateException("the champion request should await approval: " + pending);
    }
  }

  String model() {
    return team.model;
  }

  /** The pending promotion's uuid, as its page's address holds it. */
  String id() {
    return pending.getName().substring("promotions/".length());
  }

  Promotion now() {
    return promotions("admin").getPromotion(GetPromotionRequest.newBuilder().setName(pending.getName()).build());
  }

  private static void approve(String approver, Promotion promotion) {
    promotions(approver).approvePromotion(ApprovePromotionRequest.newBuilder().setName(promotion.getName()).build());
  }
}
