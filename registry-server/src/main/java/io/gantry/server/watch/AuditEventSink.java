package io.gantry.server.watch;

import io.gantry.server.audit.LoggedEvent;
import java.util.List;

/** Where an audit follower delivers; calls for one follower never overlap. */
public interface AuditEventSink {

  /** Whether the client can take more now; when it cannot, the follower waits for {@link AuditFollowers.Follower#wake}. */
  boolean ready();

  void deliver(List<LoggedEvent> events);

  void failed(RuntimeException error);

  /** The server is stopping; the follower should resume elsewhere. */
  void ended();
}
