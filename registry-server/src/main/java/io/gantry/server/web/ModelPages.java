package io.gantry.server.web;

import com.google.protobuf.Timestamp;
import io.gantry.v1.Alias;
import io.gantry.v1.AliasMove;
import io.gantry.v1.CondaDependency;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.Evaluation;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PinState;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.Requirement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The models list with its search, a model's page (versions, aliases and their moves, a metric plot), a version's. */
final class ModelPages {

  private static final int PAGE_SIZE = 50;
  /** The most versions a model page reads, newest first: the plot and the table show these. */
  private static final int VERSIONS_SHOWN = 200;
  private static final int MOVES_SHOWN = 100;

  String list(WebRequest request) {
    String search = request.param("q").strip();
    ListModelsRequest.Builder list = ListModelsRequest.newBuilder().setPageSize(PAGE_SIZE).setOrderBy("name")
        .setPageToken(request.param("page_token"));
    if (!search.isEmpty()) {
      String quoted = quote("%" + search + "%");
      list.setFilter("name LIKE " + quoted + " OR description LIKE " + quoted);
    }
    ListModelsResponse page = request.registry().listModels(list.build());
    return Layout.page(request, "Models", html -> {
      html.open("form", "method", "get", "action", WebUi.ROOT + "models", "role", "search")
          .element("label", "Search names and descriptions", "for", "q")
          .open("input", "id", "q", "name", "q", "type", "search", "value", search)
          .element("button", "Search", "type", "submit").close("form");
      html.open("table", "id", "models").headerRow("model", "description", "versions", "tags", "updated")
          .open("tbody");
      for (RegisteredModel model : page.getModelsList()) {
        String id = id(model.getName());
        html.open("tr").open("td").link(WebUi.ROOT + "models/" + Html.url(id), id).close("td")
            .element("td", model.getDescription()).element("td", model.getLatestVersion())
            .element("td", tags(model.getTagsMap())).element("td", time(model.getUpdateTime()))
            .close("tr");
      }
      html.close("tbody").close("table");
      if (page.getModelsCount() == 0) {
        html.element("p", search.isEmpty() ? "No models yet." : "No model matches.");
      }
      if (!page.getNextPageToken().isEmpty()) {
        html.link(WebUi.ROOT + "models?q=" + Html.url(search) + "&page_token=" + Html.url(page.getNextPageToken()),
            "Next page");
      }
    });
  }

  String model(WebRequest request, String id) {
    String name = "models/" + id;
    RegisteredModel model = request.registry().getModel(GetModelRequest.newBuilder().setName(name).build());
    List<ModelVersion> versions = request.registry().listModelVersions(ListModelVersionsRequest.newBuilder()
        .setParent(name).setPageSize(VERSIONS_SHOWN).setOrderBy("version desc").build()).getModelVersionsList();
    List<Alias> aliases = request.registry().listAliases(ListAliasesRequest.newBuilder().setParent(name).build())
        .getAliasesList();
    List<AliasMove> moves = request.registry().listAliasHistory(ListAliasHistoryRequest.newBuilder().setParent(name)
        .setPageSize(MOVES_SHOWN).build()).getMovesList();
    return Layout.page(request, id, html -> {
      if (!model.getDescription().isEmpty()) {
        html.element("p", model.getDescription(), "class", "description");
      }
      html.element("p", "Created by " + model.getCreatedBy() + " at " + time(model.getCreateTime()) + "; tags: "
          + (model.getTagsCount() == 0 ? "none" : tags(model.getTagsMap())));
      html.link(WebUi.ROOT + "promotions?model=" + Html.url(id), "Promotions of this model").text(" · ")
          .link(WebUi.ROOT + "audit?resource=" + Html.url(name), "Audit trail of this model");
      aliasTable(html, id, aliases);
      timeline(html, id, moves);
      html.element("h2", "Versions");
      html.open("table", "id", "versions").headerRow("version", "status", "registered", "by", "tags", "metrics",
          "aliases").open("tbody");
      for (ModelVersion version : versions) {
        html.open("tr").open("td").link(versionHref(id, version.getVersion()), version.getVersion()).close("td")
            .element("td", status(version)).element("td", time(version.getCreateTime()))
            .element("td", version.getCreatedBy()).element("td", tags(version.getTagsMap()))
            .element("td", metrics(version.getMetricsMap()))
            .element("td", aliases.stream().filter(a -> a.getVersion() == version.getVersion())
                .map(a -> id(a.getName())).collect(Collectors.joining(", ")))
            .close("tr");
      }
      html.close("tbody").close("table");
      plot(html, request, id, versions);
    });
  }

  String version(WebRequest request, String id, long number) {
    String name = "models/" + id + "/versions/" + number;
    ModelVersion version = request.registry().getModelVersion(GetModelVersionRequest.newBuilder().setName(name)
        .build());
    List<Evaluation> evaluations = request.registry().listEvaluations(ListEvaluationsRequest.newBuilder()
        .setParent(name).setPageSize(PAGE_SIZE).build()).getEvaluationsList();
    List<Alias> aliases = request.registry().listAliases(ListAliasesRequest.newBuilder().setParent("models/" + id)
        .build()).getAliasesList();
    return Layout.page(request, id + " version " + number, html -> {
      html.open("p").link(WebUi.ROOT + "models/" + Html.url(id), "← " + id).close("p");
      html.open("dl", "class", "facts");
      fact(html, "status", status(version));
      fact(html, "aliases", aliases.stream().filter(a -> a.getVersion() == number).map(a -> id(a.getName()))
          .collect(Collectors.joining(", ")));
      fact(html, "registered", time(version.getCreateTime()) + " by " + version.getCreatedBy());
      fact(html, "description", version.getDescription());
      fact(html, "source", version.getSource());
      fact(html, "run", version.getRunId());
      fact(html, "run link", version.getRunLink());
      fact(html, "manifest digest", version.getManifestDigest());
      html.close("dl");
      html.element("h2", "Tags");
      html.open("table", "id", "tags").headerRow("key", "value").open("tbody");
      new TreeMap<>(version.getTagsMap()).forEach((key, value) -> html.row(key, value));
      html.close("tbody").close("table");
      html.element("h2", "Signature");
      if (Signatures.present(version)) {
        Signatures.table(html, "Inputs", Signatures.inputs(version));
        Signatures.table(html, "Outputs", Signatures.outputs(version));
      } else {
        html.element("p", "This version has no signature.");
      }
      dependencies(html, version);
      html.element("h2", "Metrics per dataset");
      html.open("table", "id", "metrics").headerRow("dataset", "metric", "value", "dataset digest", "reported")
          .open("tbody");
      new TreeMap<>(version.getMetricsMap()).forEach((dataset, metrics) -> new TreeMap<>(metrics.getMetricsMap())
          .forEach((metric, value) -> html.row(dataset, metric, MetricPlot.number(value), metrics.getDatasetDigest(),
              time(metrics.getUpdateTime()))));
      html.close("tbody").close("table");
      html.element("h2", "Evaluation reports");
      html.open("table").headerRow("reported", "by", "dataset", "metrics").open("tbody");
      for (Evaluation evaluation : evaluations) {
        html.row(time(evaluation.getCreateTime()), evaluation.getCreatedBy(), evaluation.getDataset(),
            new TreeMap<>(evaluation.getMetricsMap()).entrySet().stream()
                .map(e -> e.getKey() + "=" + MetricPlot.number(e.getValue())).collect(Collectors.joining(", ")));
      }
      html.close("tbody").close("table");
    });
  }

  private static void aliasTable(Html html, String id, List<Alias> aliases) {
    html.element("h2", "Aliases");
    html.open("table", "id", "aliases").headerRow("alias", "version", "revision", "moved", "by", "promotion")
        .open("tbody");
    for (Alias alias : aliases) {
      html.open("tr").element("td", id(alias.getName()))
          .open("td").link(versionHref(id, alias.getVersion()), alias.getVersion()).close("td")
          .element("td", alias.getRevision()).element("td", time(alias.getUpdateTime()))
          .element("td", alias.getUpdatedBy());
      promotionCell(html, alias.getPromotion());
      html.close("tr");
    }
    html.close("tbody").close("table");
    if (aliases.isEmpty()) {
      html.element("p", "No alias points at a version of this model.");
    }
  }

  /** Every move of the model's aliases, newest first. */
  private static void timeline(Html html, String id, List<AliasMove> moves) {
    html.element("h2", "Alias history");
    html.open("ol", "class", "timeline", "id", "alias-history");
    for (AliasMove move : moves) {
      html.open("li").element("time", time(move.getMoveTime()), "datetime", time(move.getMoveTime()))
          .text(" ").element("strong", id(move.getAlias())).text(": ")
          .text(move.getFromVersion() == 0 ? "unset" : "version " + move.getFromVersion()).text(" → ")
          .text(move.getToVersion() == 0 ? "removed" : "version " + move.getToVersion())
          .text(" by " + move.getMovedBy() + " ");
      if (!move.getPromotion().isEmpty()) {
        html.link(WebUi.ROOT + move.getPromotion(), "(promotion)");
      }
      html.close("li");
    }
    html.close("ol");
    if (moves.isEmpty()) {
      html.element("p", "No alias has moved yet.");
    }
  }

  /** The plot of one metric on one dataset, with a form to pick another, and the same numbers as a table. */
  private static void plot(Html html, WebRequest request, String id, List<ModelVersion> newestFirst) {
    List<ModelVersion> versions = new ArrayList<>(newestFirst);
    versions.sort(Comparator.comparingLong(ModelVersion::getVersion));
    TreeSet<String> datasets = new TreeSet<>();
    TreeSet<String> metrics = new TreeSet<>();
    versions.forEach(v -> v.getMetricsMap().forEach((dataset, m) -> {
      datasets.add(dataset);
      metrics.addAll(m.getMetricsMap().keySet());
    }));
    html.element("h2", "Metric per version");
    if (datasets.isEmpty()) {
      html.element("p", "No evaluation has been reported for this model.");
      return;
    }
    String dataset = pick(request.param("dataset"), datasets, "test");
    String metric = pick(request.param("metric"), metrics, "rmse");
    html.open("form", "method", "get", "action", WebUi.ROOT + "models/" + Html.url(id), "class", "inline");
    select(html, "metric", "Metric", metrics, metric);
    select(html, "dataset", "on dataset", datasets, dataset);
    html.element("button", "Plot", "type", "submit").close("form");
    List<MetricPlot.Point> points = new ArrayList<>();
    for (ModelVersion version : versions) {
      DatasetMetrics on = version.getMetricsMap().get(dataset);
      if (on != null && on.containsMetrics(metric)) {
        points.add(new MetricPlot.Point(version.getVersion(), instant(version.getCreateTime()),
            on.getMetricsOrThrow(metric)));
      }
    }
    if (points.isEmpty()) {
      html.element("p", "No version reports " + metric + " on " + dataset + ".");
      return;
    }
    MetricPlot.draw(html, metric + " on " + dataset + " per version, in the order they were registered", points);
    html.open("table", "id", "plot-data").element("caption", metric + " on " + dataset)
        .headerRow("version", "registered", metric).open("tbody");
    points.forEach(p -> html.row(p.version(), p.registered(), MetricPlot.number(p.value())));
    html.close("tbody").close("table");
  }

  private static void dependencies(Html html, ModelVersion version) {
    html.element("h2", "Dependencies");
    var dependencies = version.getDependencies();
    html.open("table", "id", "dependencies").headerRow("from", "requirement", "pin state").open("tbody");
    for (Requirement requirement : dependencies.getRequirementsList()) {
      html.row("requirements.txt", requirement.getText(), pin(requirement.getPinState()));
    }
    for (CondaDependency dependency : dependencies.getConda().getDependenciesList()) {
      html.row("conda.yaml", dependency.getSpec(), pin(dependency.getPinState()));
    }
    for (Requirement requirement : dependencies.getConda().getPipList()) {
      html.row("conda.yaml pip", requirement.getText(), pin(requirement.getPinState()));
    }
    for (Requirement requirement : dependencies.getPythonEnv().getDependenciesList()) {
      html.row("python_env.yaml", requirement.getText(), pin(requirement.getPinState()));
    }
    html.close("tbody").close("table");
  }

  private static void select(Html html, String name, String label, TreeSet<String> options, String chosen) {
    html.element("label", label, "for", name).open("select", "id", name, "name", name);
    for (String option : options) {
      html.element("option", option, "value", option, "selected", option.equals(chosen) ? "" : null);
    }
    html.close("select");
  }

  private static String pick(String asked, TreeSet<String> known, String preferred) {
    if (known.contains(asked)) {
      return asked;
    }
    return known.contains(preferred) ? preferred : known.first();
  }

  private static void fact(Html html, String name, Object value) {
    html.element("dt", name).element("dd", String.valueOf(value).isEmpty() ? "—" : value);
  }

  private static void promotionCell(Html html, String promotion) {
    html.open("td");
    if (!promotion.isEmpty()) {
      html.link(WebUi.ROOT + promotion, promotion.substring("promotions/".length(),
          Math.min(promotion.length(), "promotions/".length() + 8)));
    }
    html.close("td");
  }

  private static String versionHref(String model, long version) {
    return WebUi.ROOT + "models/" + Html.url(model) + "/versions/" + version;
  }

  private static String pin(PinState state) {
    return state.name().substring("PIN_STATE_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String status(ModelVersion version) {
    return version.getStatus().name().substring("MODEL_VERSION_STATUS_".length());
  }

  private static String metrics(Map<String, DatasetMetrics> metrics) {
    return new TreeMap<>(metrics).entrySet().stream().map(d -> d.getKey() + ": " + new TreeMap<>(
        d.getValue().getMetricsMap()).entrySet().stream().map(m -> m.getKey() + "=" + MetricPlot.number(m.getValue()))
        .collect(Collectors.joining(", "))).collect(Collectors.joining("; "));
  }

  private static String tags(Map<String, String> tags) {
    return new TreeMap<>(tags).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** The last segment of a resource name: {@code models/fraud} is {@code fraud}. */
  static String id(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  private static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /** A time as UTC to the second, the way the audit log and the CLI print it. */
  static String time(Timestamp timestamp) {
    return timestamp.getSeconds() == 0 ? "" : instant(timestamp).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A filter string literal: the grammar's double quotes, with backslash escapes. */
  static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
