/**
 * What happens to a call before any service sees it, whatever its method: the request's bytes are parsed without
 * ever letting a parse failure become the transport's {@code UNKNOWN} (a damaged request is {@code INVALID_ARGUMENT}
 * naming the field), unknown fields are dropped, and a call is cut off when its client stops sending or when a unary
 * call that came without a deadline outlives the server's default one. Wrapping the service definitions, not an
 * interceptor, is what reaches the bytes; {@code wiring.Transport} guards every service it serves, so a new RPC is
 * covered without a line of its own.
 */
package io.gantry.server.wire;
