/**
 * The gRPC faces of the services: one endpoint per {@code gantry.v1} service, no rules of its own.
 *
 * <p>An endpoint reads a request, calls the protocol-neutral services as the caller, and writes the response;
 * {@link io.gantry.server.api.GrpcErrors} is the one place failures become gRPC statuses, and
 * {@link io.gantry.server.api.Rpc} what every adapter shares. What happens to a call before it reaches an endpoint
 * (parsing, limits, deadlines, metrics) is {@link io.gantry.server.wire}'s; the HTTP port is {@code ops}'.
 */
package io.gantry.server.api;
