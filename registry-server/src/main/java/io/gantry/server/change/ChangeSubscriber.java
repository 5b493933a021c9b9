package io.gantry.server.change;

import java.util.Set;

/**
 * Told of every committed change, on this replica or another. Calls come from the writing thread or
 * the listener thread, so they must return quickly and never block.
 */
public interface ChangeSubscriber {

  /** Writes committed that changed these models; empty for changes outside any model (policy bindings). */
  void changed(Set<String> models);

  /** A role binding or an API token changed (before {@link #changed} is told of the same commit). */
  default void accessChanged() {}

  /** The listener lost its connection: changes made through other replicas go unseen until {@link #resynced}. */
  void listenerLost();

  /** The listener listens (again): anything may have changed while it did not. */
  void resynced();
}
