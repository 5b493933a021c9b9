package io.gantry.server.mlflowrest;

import io.gantry.server.mlflowrest.MlflowHttp.Calls;
import io.gantry.server.query.ListQuery;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's two searches, {@code registered-models/search} and {@code model-versions/search}, as MLflow 2.x's server
 * defines them: the {@code max_results} each takes (its default from {@code model_registry.proto}, its limit from
 * {@code SqlAlchemyStore}), the attributes its filter takes and the keys it orders by, each with the Gantry field it
 * becomes. {@link #collect} turns MLflow's large pages into Gantry's pages of at most 1000.
 */
enum MlflowSearch {

  REGISTERED_MODELS(100, 1000,
      Map.of("name", "name"),
      Set.of(),
      orderKeys("name", "name", "creation_timestamp", "create_time", "last_updated_timestamp", "update_time",
          "timestamp", "update_time"),
      List.of("name asc"),
      "name asc"),

  MODEL_VERSIONS(200_000, 200_000,
      Map.of("name", "name", "run_id", "run_id", "source_path", "source", "version_number", "version"),
      Set.of("version_number"),
      orderKeys("name", "name", "version_number", "version", "creation_timestamp", "create_time",
          "last_updated_timestamp", "update_time"),
      List.of("name asc", "version desc"),
      "update_time desc");

  /** The one attribute MLflow compares with a list: {@code run_id IN ('a', 'b')}. */
  static final String LIST_ATTRIBUTE = "run_id";

  final int defaultMaxResults;
  final int maxResultsThreshold;
  /** MLflow's filter attribute, and the Gantry field it is. */
  final Map<String, String> attributes;
  final Set<String> numericAttributes;
  /** MLflow's order_by key, and the Gantry sort key it is. */
  final Map<String, String> orderKeys;
  /** The keys MLflow's store orders by last when order_by does not name them. */
  final List<String> tieBreaks;
  /** The order when order_by is empty, before the tie-breaks. */
  final String defaultOrder;

  MlflowSearch(int defaultMaxResults, int maxResultsThreshold, Map<String, String> attributes,
      Set<String> numericAttributes, Map<String, String> orderKeys, List<String> tieBreaks, String defaultOrder) {
    this.defaultMaxResults = defaultMaxResults;
    this.maxResultsThreshold = maxResultsThreshold;
    this.attributes = attributes;
    this.numericAttributes = numericAttributes;
    this.orderKeys = orderKeys;
    this.tieBreaks = tieBreaks;
    this.defaultOrder = defaultOrder;
  }

  private static Map<String, String> orderKeys(String... pairs) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      keys.put(pairs[i], pairs[i + 1]);
    }
    return keys;
  }

  /**
   * {@code max_results} as MLflow 2.x checks it, with its messages: a GET's query goes unchecked through
   * {@code handlers._search_registered_models} / {@code _search_model_versions} (their schema, {@code max_results
   * <= 200_000} for versions, applies to JSON bodies) to {@code SqlAlchemyStore.search_registered_models} /
   * {@code search_model_versions}, whose checks and messages these are ({@code INVALID_PARAMETER_VALUE}). Empty is
   * the default of {@code model_registry.proto}.
   */
  int maxResults(String value) {
    if (value.isEmpty()) {
      return defaultMaxResults;
    }
    long max;
    try {
      max = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw MlflowError.invalid("Invalid value for max_results. It must be a positive integer, but got " + value);
    }
    if (max < 1) {
      throw MlflowError.invalid("Invalid value for max_results. It must be a positive integer, but got " + max);
    }
    if (max > maxResultsThreshold) {
      throw MlflowError.invalid("Invalid value for request parameter max_results. It must be at most "
          + maxResultsThreshold + ", but got value " + max);
    }
    return (int) max;
  }

  /** An MLflow search's parameters, as the request has them. */
  record Request(String filter, List<String> orderBy, String maxResults, String pageToken) {}

  /** {@code registered-models/search}: the models, and the token for the next one, if any. */
  static Page<RegisteredModel> models(Calls calls, Request request) {
    MlflowSearch search = REGISTERED_MODELS;
    ListModelsRequest.Builder list = ListModelsRequest.newBuilder()
        .setFilter(MlflowFilter.toGantry(search, request.filter()))
        .setOrderBy(MlflowOrderBy.toGantry(search, request.orderBy()));
    return collect(search.maxResults(request.maxResults()), request.pageToken(), (size, token) -> {
      ListModelsResponse page = calls.registry().listModels(list.setPageSize(size).setPageToken(token).build());
      return new Page<>(page.getModelsList(), page.getNextPageToken());
    });
  }

  /** {@code model-versions/search}: the versions, and the token for the next one, if any. */
  static Page<ModelVersion> versions(Calls calls, Request request) {
    MlflowSearch search = MODEL_VERSIONS;
    ListModelVersionsRequest.Builder list = ListModelVersionsRequest.newBuilder().setParent("models/-")
        .setFilter(MlflowFilter.toGantry(search, request.filter()))
        .setOrderBy(MlflowOrderBy.toGantry(search, request.orderBy()));
    return collect(search.maxResults(request.maxResults()), request.pageToken(), (size, token) -> {
      ListModelVersionsResponse page = calls.registry().listModelVersions(list.setPageSize(size)
          .setPageToken(token).build());
      return new Page<>(page.getModelVersionsList(), page.getNextPageToken());
    });
  }

  /** One page of a Gantry list call. */
  record Page<T>(List<T> items, String nextPageToken) {}

  /** A Gantry list call asked for one page. */
  @FunctionalInterface
  interface Pages<T> {
    Page<T> fetch(int pageSize, String pageToken);
  }

  /**
   * Up to {@code maxResults} items from {@code pageToken} on, in Gantry pages of at most
   * {@link ListQuery#MAX_PAGE_SIZE}.
   * The last page asked for is cut to what is still wanted, so the token returned is Gantry's own token for the
   * very next item: a walk with it neither skips nor repeats one.
   */
  private static <T> Page<T> collect(int maxResults, String pageToken, Pages<T> pages) {
    List<T> items = new ArrayList<>();
    String token = pageToken;
    do {
      Page<T> page = pages.fetch(Math.min(maxResults - items.size(), ListQuery.MAX_PAGE_SIZE), token);
      items.addAll(page.items());
      token = page.nextPageToken();
    } while (!token.isEmpty() && items.size() < maxResults);
    return new Page<>(items, token);
  }
}
