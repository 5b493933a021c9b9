package io.gantry.server.ops;

import java.io.IOException;

/** What answers the requests under one path prefix of the HTTP port. It may block. */
@FunctionalInterface
public interface HttpRoute {

  void handle(HttpCall call) throws IOException;
}
