package io.gantry.server.cache;

import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the cache and watch tests share: moving aliases, resolving, and reading the cache's meters. */
public final class CacheTesting {

  private CacheTesting() {}

  /** A model of its own with {@code versions} metadata-only versions, on the shared test server. */
  public static String modelWithVersions(String prefix, int versions) {
    String model = TestRegistry.uniqueModel(prefix);
    ModelRegistryBlockingStub registry = TestRegistry.registry();
    registry.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < versions; i++) {
      registry.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    }
    return model;
  }

  /** Moves the alias through a promotion (no policy is bound to these models, so it applies at once). */
  public static void promote(ManagedChannel channel, String model, String alias, long version) {
    var promotion = TestRegistry.promotions(channel, "carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias(alias).setVersion(version).build());
    if (promotion.getState() != PromotionState.PROMOTION_STATE_APPLIED) {
      throw new AssertionError("promotion of " + model + "@" + alias + " did not apply: " + promotion);
    }
  }

  public static ModelVersion resolve(ModelRegistryBlockingStub registry, String name) {
    return registry.resolveAlias(ResolveAliasRequest.newBuilder().setName(name).build());
  }

  /** The value of a Prometheus sample whose line starts with {@code series} (name and labels), 0 if absent. */
  public static double meter(int httpPort, String series) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  public static double aliasHits(int httpPort) throws Exception {
    return meter(httpPort, "gantry_resolve_cache_requests_total{cache=\"resolve_alias\",result=\"hit\"}");
  }

  public static double aliasMisses(int httpPort) throws Exception {
    return meter(httpPort, "gantry_resolve_cache_requests_total{cache=\"resolve_alias\",result=\"miss\"}");
  }
}
