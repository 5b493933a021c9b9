/**
 * How the rooms are put together: one factory per capability (persistence, the registry's reads and writes,
 * promotions, access, identity, the endpoints, the gRPC transport, the HTTP port, background jobs), each returning a
 * small record of what it provides. {@link io.gantry.server.GantryServer} calls them in order and owns only the
 * lifecycle: start, the close order, and what tests read. No capability's own logic lives here.
 */
package io.gantry.server.wiring;
