/**
 * The HTTP port: {@code /healthz}, {@code /metrics}, and the routes other rooms bring, behind one boundary.
 *
 * <p>{@link io.gantry.server.ops.OpsHttpServer} runs it on Jetty; {@link io.gantry.server.ops.HttpBoundary} judges
 * every request before any route sees it; {@link io.gantry.server.ops.HttpCall},
 * {@link io.gantry.server.ops.HttpRoute} and {@link io.gantry.server.ops.QueryString} are what the routes
 * ({@code mlflowrest}, {@code web}) are written against, so they depend on no HTTP server. The gRPC port is
 * {@link io.gantry.server.wire}'s.
 */
package io.gantry.server.ops;
