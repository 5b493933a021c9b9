package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.PromotionState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(name = "promotions", description = "Find promotions and read one in full: verdicts and decisions.",
    subcommands = {PromotionsCommand.ListPromotions.class, PromotionsCommand.ShowPromotion.class})
final class PromotionsCommand extends CommandGroup {

  @Command(name = "list", description = "List promotions, newest first; one page at a time unless --all.")
  static final class ListPromotions implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ListOptions listing;

    @Option(names = "--state", paramLabel = "STATE", converter = StateConverter.class,
        completionCandidates = StateNames.class, description = "One of ${COMPLETION-CANDIDATES}; any case.")
    PromotionState state;

    @Option(names = "--model", paramLabel = "NAME", description = "Promotions of this model.")
    String model;

    @Option(names = "--alias", paramLabel = "ALIAS", description = "Promotions of this alias.")
    String alias;

    @Option(names = "--requester", paramLabel = "NAME", description = "Promotions this principal requested.")
    String requester;

    @Override
    public Integer call() {
      ListPromotionsRequest.Builder request = ListPromotionsRequest.newBuilder()
          .setFilter(filter())
          .setOrderBy(listing.orderBy)
          .setPageSize(listing.pageSize);
      try (GantryClient client = common.connect()) {
        ListPromotionsResponse page = listing.fetch(
            token -> client.promotions().listPromotions(request.setPageToken(token).build()),
            ListPromotionsResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllPromotions(more.getPromotionsList())
                .setNextPageToken(more.getNextPageToken()).build());
        PromotionView.promotions(common.printer(), page);
      }
      return GantryCli.EXIT_OK;
    }

    /** The options as one filter: each a comparison, ANDed with --filter. */
    private String filter() {
      List<String> terms = new ArrayList<>();
      if (!listing.filter.isBlank()) {
        terms.add("(" + listing.filter + ")");
      }
      if (state != null) {
        terms.add("state = " + PromotionView.state(state));
      }
      if (model != null) {
        terms.add("model = " + quoted(ResourceNames.modelId(model)));
      }
      if (alias != null) {
        terms.add("alias = " + quoted(alias));
      }
      if (requester != null) {
        terms.add("requester = " + quoted(requester));
      }
      return String.join(" AND ", terms);
    }

    /** A filter string literal: in double quotes, with {@code \} and {@code "} escaped by a backslash. */
    private static String quoted(String value) {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  @Command(name = "show", description = "Show every field of a promotion, every verdict and every decision.")
  static final class ShowPromotion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = ApprovalCommands.ID_LABEL, description = ApprovalCommands.ID_DESCRIPTION)
    String promotion;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.promotion(promotion));
      try (GantryClient client = common.connect()) {
        PromotionView.promotion(common.printer(), client.promotions().getPromotion(
            GetPromotionRequest.newBuilder().setName(name).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  /** Every state a promotion can be in, by its short name. */
  private static List<PromotionState> states() {
    return Arrays.stream(PromotionState.values())
        .filter(state -> state != PromotionState.PROMOTION_STATE_UNSPECIFIED && state != PromotionState.UNRECOGNIZED)
        .toList();
  }

  /** {@code awaiting_approval}, {@code AWAITING_APPROVAL} or {@code PROMOTION_STATE_AWAITING_APPROVAL}. */
  static final class StateConverter implements ITypeConverter<PromotionState> {
    @Override
    public PromotionState convert(String value) {
      String name = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      for (PromotionState state : states()) {
        if (state.name().equals(name) || PromotionView.state(state).equals(name)) {
          return state;
        }
      }
      throw new TypeConversionException(
          "unknown state '" + value + "'; one of " + String.join(", ", new StateNames()));
    }
  }

  /** The short state names, for the option's help. */
  static final class StateNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return states().stream().map(PromotionView::state).iterator();
    }
  }
}
