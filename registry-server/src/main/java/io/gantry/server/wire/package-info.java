/**
 * The gRPC transport around the services, whatever the method: the network threads calls arrive on, the time every
 * call takes ({@link io.gantry.server.wire.CallMetrics}), and the guard every call passes before a service sees it.
 * The guard parses the request's bytes without ever letting a parse failure become the transport's {@code UNKNOWN}
 * (a damaged request is {@code INVALID_ARGUMENT} naming the field), drops unknown fields, and cuts a call off when
 * its client stops sending or when a unary call that came without a deadline outlives the server's default one.
 * Wrapping the service definitions, not an interceptor, is what reaches the bytes; {@code wiring.Transport} guards
 * every service it serves, so a new RPC is covered without a line of its own.
 */
package io.gantry.server.wire;
