package io.gantry.server.watch;

import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMove;

/** Where a watch delivers; calls for one watch never overlap. */
public interface AliasEventSink {

  /** The alias as it stands once the watch has caught up. */
  void current(Alias alias);

  /** A move, replayed from the history or as it committed. */
  void moved(AliasMove move);

  /** The watch cannot go on (its model was deleted, or its request was wrong). */
  void failed(RuntimeException error);

  /** The server is stopping; the watcher should resume elsewhere. */
  void ended();
}
