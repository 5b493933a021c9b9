package io.gantry.server.wiring;

import io.gantry.server.api.CachedReadsEndpoint;
import io.gantry.server.cache.ResolveCache;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.mlflowrest.MlflowArtifactsApi;
import io.gantry.server.mlflowrest.MlflowRestApi;
import io.gantry.server.ops.HttpBoundary;
import io.gantry.server.ops.HttpRoute;
import io.gantry.server.ops.OpsHttpServer;
import io.gantry.server.pinning.SourcePinning;
import io.gantry.server.session.WebSessions;
import io.gantry.server.web.WebUi;
import io.grpc.ServerServiceDefinition;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The HTTP port: health and metrics, MLflow's REST API and artifact proxy, and the web page. The last three call the
 * gRPC services in-process, through {@code local}, so they pass the same checks as any call.
 */
public record HttpPort(LocalChannel local, OpsHttpServer server) {

  /**
   * Starts listening; pushes onto {@code opened} what a failed start must close.
   *
   * @param served the gRPC services as the network port serves them, checks included
   */
  public static HttpPort start(ServerConfig config, List<ServerServiceDefinition> served, ExecutorService workers,
      WebSessions webSessions, SourcePinning pinning, ResolveCache cache, ServingHealth health, PrometheusMeterRegistry metrics,
      Deque<AutoCloseable> opened) {
    // MLflow's REST API calls the same services, through the same checks, in-process; a cache hit is answered on
    // the HTTP port's thread that called, as on the gRPC port's
    LocalChannel local = LocalChannel.start(served, CachedReadsEndpoint.callExecutors(workers));
    opened.push(local);
    MlflowRestApi mlflow = new MlflowRestApi(local.channel(), !config.identity().verified(), pinning, cache);
    Map<String, HttpRoute> routes = new LinkedHashMap<>();
    MlflowRestApi.PREFIXES.forEach(prefix -> routes.put(prefix, mlflow));
    routes.put(MlflowArtifactsApi.PREFIX, new MlflowArtifactsApi(local.channel(), !config.identity().verified()));
    // the web page for approvers and reviewers acts the same way: through the services, as the signed-in caller
    routes.put(WebUi.ROOT, new WebUi(local.channel(), !config.identity().verified(), webSessions));
    List<String> mlflowApis = new ArrayList<>(MlflowRestApi.PREFIXES);
    mlflowApis.add(MlflowArtifactsApi.PREFIX);
    HttpBoundary boundary = new HttpBoundary(config.http().allowedHosts(), mlflowApis, MlflowRestApi.PREFIXES);
    OpsHttpServer server = OpsHttpServer.start(config.identity().httpAddress(), config.httpPort(), config.http(),
        health::serving, metrics, routes, boundary);
    opened.push(server);
    return new HttpPort(local, server);
  }
}
