/**
 * The registry server's entry points: {@link io.gantry.server.Main} reads the configuration, and
 * {@link io.gantry.server.GantryServer} starts what {@code wiring} builds and closes it in order.
 */
package io.gantry.server;
