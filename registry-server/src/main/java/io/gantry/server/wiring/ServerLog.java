package io.gantry.server.wiring;

import io.gantry.server.GantryServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The wiring logs under the server's name, as it always has: operators read its lines, and set its level, by it. */
final class ServerLog {

  static final Logger LOG = LoggerFactory.getLogger(GantryServer.class);

  private ServerLog() {}
}
