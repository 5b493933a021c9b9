package io.gantry.server.wire;

import io.gantry.server.error.GantryException;

/**
 * A request as it came off the wire: the parsed message, or why its bytes could not be parsed. The transport hands
 * this to the guard instead of throwing, because a marshaller that throws cannot choose the status the client gets.
 */
record Inbound<T>(T message, GantryException damage) {

  static <T> Inbound<T> parsed(T message) {
    return new Inbound<>(message, null);
  }

  static <T> Inbound<T> damaged(GantryException damage) {
    return new Inbound<>(null, damage);
  }
}
