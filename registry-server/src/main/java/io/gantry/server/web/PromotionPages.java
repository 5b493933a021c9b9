package io.gantry.server.web;

import static io.gantry.server.web.ModelPages.id;
import static io.gantry.server.web.ModelPages.time;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.google.protobuf.Struct;
import io.gantry.proto.Structs;
import io.gantry.v1.ApprovePromotionRequest;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyVerdict;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionDecision;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RejectPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** The promotions queue, a promotion's page (verdicts, decisions, the candidate against the holder) and decisions. */
final class PromotionPages {

  private static final int PAGE_SIZE = 50;
  private static final String AWAITING = "state = AWAITING_APPROVAL";
  private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter(
      Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  /** Requests awaiting approval first, oldest first (they expire first); then the latest decided ones. */
  String queue(WebRequest request) {
    String model = request.param("model");
    String ofModel = model.isEmpty() ? "" : " AND model = " + ModelPages.quote(model);
    List<Promotion> awaiting = request.promotions().listPromotions(ListPromotionsRequest.newBuilder()
        .setFilter(AWAITING + ofModel).setOrderBy("create_time asc").setPageSize(PAGE_SIZE).build())
        .getPromotionsList();
    List<Promotion> decided = request.promotions().listPromotions(ListPromotionsRequest.newBuilder()
        .setFilter("NOT " + AWAITING + ofModel).setOrderBy("update_time desc").setPageSize(PAGE_SIZE).build())
        .getPromotionsList();
    return Layout.page(request, model.isEmpty() ? "Promotions" : "Promotions of " + model, html -> {
      html.element("h2", "Awaiting approval (" + awaiting.size() + ")");
      table(html, "awaiting", awaiting);
      html.element("h2", "Recently decided");
      table(html, "decided", decided);
    });
  }

  /**
   * @param refusal the service's words when a decision was just refused, else null
   * @param comment the comment the refused decision carried, offered again
   */
  String promotion(WebRequest request, String id, String refusal, String comment) {
    Promotion promotion = request.promotions().getPromotion(GetPromotionRequest.newBuilder()
        .setName("promotions/" + id).build());
    String model = id(promotion.getModel());
    boolean awaiting = promotion.getState() == PromotionState.PROMOTION_STATE_AWAITING_APPROVAL;
    Optional<ModelVersion> candidate = promotion.getVersion() == 0 ? Optional.empty()
        : Optional.of(version(request, promotion.getModel(), promotion.getVersion()));
    Optional<ModelVersion> holder = holder(request, promotion, awaiting);
    return Layout.page(request, "Promotion of " + model + " to " + promotion.getAlias(), html -> {
      if (refusal != null) {
        Layout.notice(html, "error", refusal);
      } else if (request.param("decided").equals("approve")) {
        Layout.notice(html, "ok", "Your approval was recorded.");
      } else if (request.param("decided").equals("reject")) {
        Layout.notice(html, "ok", "Your rejection was recorded.");
      }
      html.open("dl", "class", "facts");
      fact(html, "state", state(promotion.getState()), "state");
      fact(html, "why", promotion.getStateReason(), "state-reason");
      html.element("dt", "model").open("dd").link(WebUi.ROOT + "models/" + Html.url(model), model).close("dd");
      fact(html, "change", change(promotion), "change");
      fact(html, "requested by", promotion.getRequester() + " at " + time(promotion.getCreateTime()), null);
      fact(html, "justification", promotion.getJustification(), null);
      fact(html, "expires", time(promotion.getExpireTime()), null);
      fact(html, "policy set digest", promotion.getPolicySetDigest(), null);
      fact(html, "candidate content digest", promotion.getContentDigest(), null);
      fact(html, "name", promotion.getName(), null);
      html.close("dl");
      html.open("p").link(WebUi.ROOT + "audit?resource=" + Html.url(promotion.getName()), "Audit trail of this promotion")
          .close("p");
      verdicts(html, promotion.getVerdictsList());
      comparison(html, promotion, candidate, holder);
      decisions(html, promotion.getDecisionsList());
      if (awaiting) {
        decisionForm(html, request, id, comment);
      }
    });
  }

  void decide(WebRequest request, String id, boolean approve) throws IOException {
    String name = "promotions/" + id;
    String comment = request.field("comment");
    if (approve) {
      request.promotions().approvePromotion(ApprovePromotionRequest.newBuilder().setName(name).setComment(comment)
          .build());
    } else {
      request.promotions().rejectPromotion(RejectPromotionRequest.newBuilder().setName(name).setComment(comment)
          .build());
    }
  }

  private static void table(Html html, String id, List<Promotion> promotions) {
    if (promotions.isEmpty()) {
      html.element("p", "None.", "id", id + "-none");
      return;
    }
    html.open("table", "id", id).headerRow("promotion", "model", "change", "state", "requested by", "requested",
        "approvals counting", "why").open("tbody");
    for (Promotion promotion : promotions) {
      String uuid = id(promotion.getName());
      html.open("tr").open("td").link(WebUi.ROOT + "promotions/" + Html.url(uuid), uuid.substring(0,
              Math.min(8, uuid.length()))).close("td")
          .element("td", id(promotion.getModel())).element("td", change(promotion))
          .element("td", state(promotion.getState())).element("td", promotion.getRequester())
          .element("td", time(promotion.getCreateTime()))
          .element("td", promotion.getDecisionsList().stream().filter(d -> d.getApproved() && d.getCounts()).count())
          .element("td", promotion.getStateReason())
          .close("tr");
    }
    html.close("tbody").close("table");
  }

  private static void verdicts(Html html, List<PolicyVerdict> verdicts) {
    html.element("h2", "Policy verdicts");
    html.open("table", "id", "verdicts").headerRow("policy", "outcome", "message", "facts").open("tbody");
    for (PolicyVerdict verdict : verdicts) {
      String outcome = verdict.getOutcome().name().substring("VERDICT_OUTCOME_".length());
      html.open("tr").element("td", verdict.getPolicy())
          .element("td", outcome, "class", "outcome " + outcome.toLowerCase(Locale.ROOT))
          .element("td", verdict.getMessage())
          .open("td").element("pre", json(verdict.getFacts())).close("td")
          .close("tr");
    }
    html.close("tbody").close("table");
  }

  private static void decisions(Html html, List<PromotionDecision> decisions) {
    html.element("h2", "Decisions");
    if (decisions.isEmpty()) {
      html.element("p", "Nobody has decided yet.", "id", "decisions-none");
      return;
    }
    html.open("table", "id", "decisions").headerRow("who", "decision", "comment", "when", "still counts")
        .open("tbody");
    for (PromotionDecision decision : decisions) {
      html.row(decision.getPrincipal(), decision.getApproved() ? "approved" : "rejected", decision.getComment(),
          time(decision.getCreateTime()), decision.getApproved()
              ? (decision.getCounts() ? "yes" : "no: given to other content or another policy set") : "—");
    }
    html.close("tbody").close("table");
  }

  private static void decisionForm(Html html, WebRequest request, String id, String comment) {
    html.element("h2", "Your decision");
    Layout.form(html, request, WebUi.ROOT + "promotions/" + Html.url(id) + "/approve", form -> form
        .element("label", "Comment (recorded with your decision)", "for", "comment")
        .element("textarea", comment, "id", "comment", "name", "comment", "rows", "3")
        .open("div", "class", "buttons")
        .element("button", "Approve", "type", "submit", "id", "approve", "class", "approve")
        .element("button", "Reject", "type", "submit", "id", "reject", "class", "reject",
            "formaction", WebUi.ROOT + "promotions/" + Html.url(id) + "/reject")
        .close("div"));
  }

  /**
   * The candidate against the version it would replace (while awaiting: the alias's holder now) or did replace (the
   * holder when the request was made): signature fields and metrics side by side.
   */
  private static void comparison(Html html, Promotion promotion, Optional<ModelVersion> candidate,
      Optional<ModelVersion> holder) {
    html.element("h2", "Candidate against the alias holder");
    if (candidate.isEmpty()) {
      html.element("p", "This promotion removes the alias: there is no candidate.");
      return;
    }
    String holderLabel = holder.map(h -> "version " + h.getVersion()).orElse("no holder");
    html.element("p", "Candidate: version " + candidate.get().getVersion() + "; " + promotion.getAlias() + " "
        + (promotion.getState() == PromotionState.PROMOTION_STATE_AWAITING_APPROVAL ? "now points at " : "pointed at ")
        + holderLabel + ".", "id", "holder");
    html.open("table", "id", "signature-diff").element("caption", "Signature")
        .headerRow("field", holderLabel, "candidate", "change").open("tbody");
    diffFields(html, "input ", holder.map(Signatures::inputs).orElse(Map.of()), Signatures.inputs(candidate.get()));
    diffFields(html, "output ", holder.map(Signatures::outputs).orElse(Map.of()),
        Signatures.outputs(candidate.get()));
    html.close("tbody").close("table");
    html.open("table", "id", "metrics-diff").element("caption", "Metrics")
        .headerRow("dataset", "metric", holderLabel, "candidate", "change").open("tbody");
    Map<String, DatasetMetrics> before = holder.map(ModelVersion::getMetricsMap).orElse(Map.of());
    Map<String, DatasetMetrics> after = candidate.get().getMetricsMap();
    TreeSet<String> datasets = new TreeSet<>(before.keySet());
    datasets.addAll(after.keySet());
    for (String dataset : datasets) {
      Map<String, Double> old = Optional.ofNullable(before.get(dataset)).map(DatasetMetrics::getMetricsMap)
          .orElse(Map.of());
      Map<String, Double> now = Optional.ofNullable(after.get(dataset)).map(DatasetMetrics::getMetricsMap)
          .orElse(Map.of());
      TreeSet<String> metrics = new TreeSet<>(old.keySet());
      metrics.addAll(now.keySet());
      for (String metric : metrics) {
        Double was = old.get(metric);
        Double is = now.get(metric);
        html.row(dataset, metric, was == null ? "—" : MetricPlot.number(was), is == null ? "—" : MetricPlot.number(is),
            was == null || is == null ? "—" : (is >= was ? "+" : "") + MetricPlot.number(is - was));
      }
    }
    html.close("tbody").close("table");
  }

  private static void diffFields(Html html, String kind, Map<String, String> before, Map<String, String> after) {
    Map<String, String> all = new TreeMap<>(before);
    all.putAll(after);
    for (String field : all.keySet()) {
      String was = before.get(field);
      String is = after.get(field);
      String change = was == null ? "added" : is == null ? "removed" : was.equals(is) ? "same" : "type changed";
      html.row(kind + field, was == null ? "—" : was, is == null ? "—" : is, change);
    }
  }

  private static Optional<ModelVersion> holder(WebRequest request, Promotion promotion, boolean awaiting) {
    if (!awaiting) {
      return promotion.getCurrentVersion() == 0 ? Optional.empty()
          : Optional.of(version(request, promotion.getModel(), promotion.getCurrentVersion()));
    }
    try {
      return Optional.of(request.registry().resolveAlias(ResolveAliasRequest.newBuilder()
          .setName(promotion.getModel() + "/aliases/" + promotion.getAlias()).build()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static ModelVersion version(WebRequest request, String model, long version) {
    return request.registry().getModelVersion(GetModelVersionRequest.newBuilder()
        .setName(model + "/versions/" + version).build());
  }

  /** A Struct holds every number as a double; a version or a count reads better as 3 than as 3.0. */
  private static Object wholeNumbers(Object value) {
    if (value instanceof Double number && number == Math.rint(number) && Math.abs(number) < 1e15) {
      return number.longValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((key, element) -> copy.put(key, wholeNumbers(element)));
      return copy;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(PromotionPages::wholeNumbers).toList();
    }
    return value;
  }

  private static String change(Promotion promotion) {
    return switch (promotion.getKind()) {
      case PROMOTION_KIND_REMOVE -> "remove " + promotion.getAlias();
      case PROMOTION_KIND_ROLLBACK -> promotion.getAlias() + " back to version " + promotion.getVersion();
      default -> promotion.getAlias() + " → version " + promotion.getVersion();
    } + (promotion.getCurrentVersion() == 0 ? "" : " (was " + promotion.getCurrentVersion() + ")");
  }

  private static String state(PromotionState state) {
    return state.name().substring("PROMOTION_STATE_".length());
  }

  private static void fact(Html html, String name, String value, String id) {
    html.element("dt", name).element("dd", value.isEmpty() ? "—" : value, "id", id);
  }

  /** Facts or a payload as indented JSON, its text as it is ({@link Html} escapes it where it is shown). */
  static String json(Struct struct) {
    try {
      return JSON.writeValueAsString(wholeNumbers(Structs.toMap(struct)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Struct is always JSON", e);
    }
  }
}
