package io.gantry.server.watch;

import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMove;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.change.ChangeSubscriber;
import io.gantry.server.error.GantryException;
import io.gantry.server.model.ModelService;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alias watches. Watchers of one model share one pass over the database each time the model
 * changes: it reads the model's alias revisions and sends each watcher the moves past the revision
 * it has seen. A pass is a task on the worker pool, so watching holds no thread. New watchers join
 * inside a pass, from the same read, so none misses a move between its catch-up and its first live one.
 */
public final class AliasWatches implements ChangeSubscriber, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AliasWatches.class);
  private static final long RETRY_SECONDS = 1;

  private final DSLContext dsl;
  private final AliasRepository aliases;
  private final VersionRepository versions;
  private final Executor workers;
  private final Map<String, ModelWatch> byModel = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public AliasWatches(DSLContext dsl, AliasRepository aliases, VersionRepository versions, Executor workers) {
    this.dsl = dsl;
    this.aliases = aliases;
    this.versions = versions;
    this.workers = workers;
  }

  /** A watch; it delivers once started, until cancelled. */
  public interface Subscription {
    /** Call once the call is set up to be told of cancellation. */
    void start();

    void cancel();
  }

  /**
   * A watch of one alias of the model, or of all of them when {@code alias} is empty.
   *
   * @param since the revision already seen, by alias; the moves after it are replayed first
   * @param sinceField the request field {@code since} came from, for errors ({@code [alias]} is added for many)
   * @throws GantryException MODEL_NOT_FOUND when the model does not exist
   */
  public Subscription watch(String modelId, Optional<String> alias, Map<String, Long> since, String sinceField,
      AliasEventSink sink) {
    VersionService.requireModel(versions, dsl, modelId);
    Watcher watcher = new Watcher(alias, Map.copyOf(since), sinceField, sink);
    return new Subscription() {
      @Override
      public void start() {
        byModel.compute(modelId, (model, watch) -> {
          ModelWatch joined = watch == null ? new ModelWatch(model) : watch;
          joined.joining.add(watcher);
          return joined;
        }).pass.poke();
      }

      @Override
      public void cancel() {
        watcher.cancelled = true;
      }
    };
  }

  @Override
  public void changed(Set<String> models) {
    for (String model : models) {
      ModelWatch watch = byModel.get(model);
      if (watch != null) {
        watch.pass.poke();
      }
    }
  }

  @Override
  public void listenerLost() {
    // nothing to do: moves made meanwhile are read once the listener is back
  }

  @Override
  public void resynced() {
    byModel.values().forEach(watch -> watch.pass.poke());
  }

  /** Ends every watch, telling each watcher to resume elsewhere. */
  @Override
  public void close() {
    closed = true;
    for (ModelWatch watch : byModel.values()) {
      watch.pass.poke();
    }
  }

  private static final class Watcher {
    final Optional<String> alias;
    final Map<String, Long> since;
    final String sinceField;
    final AliasEventSink sink;
    // the revision delivered last, by alias; touched only inside a pass
    final Map<String, Long> seen = new HashMap<>();
    volatile boolean cancelled;

    Watcher(Optional<String> alias, Map<String, Long> since, String sinceField, AliasEventSink sink) {
      this.alias = alias;
      this.since = since;
      this.sinceField = sinceField;
      this.sink = sink;
    }

    /** The request field a resume revision of {@code name} came from. */
    String sinceFieldOf(String name) {
      return alias.isPresent() ? sinceField : sinceField + "[" + name + "]";
    }

    boolean follows(String name) {
      return alias.isEmpty() || alias.get().equals(name);
    }

    /** Delivers, or marks the watcher gone when its call cannot take more. */
    void deliver(Consumer<AliasEventSink> event) {
      try {
        event.accept(sink);
      } catch (RuntimeException e) {
        cancelled = true;
      }
    }
  }

  private final class ModelWatch {
    final String model;
    final Queue<Watcher> joining = new ConcurrentLinkedQueue<>();
    // touched only inside a pass
    final List<Watcher> active = new ArrayList<>();
    final Coalescing pass;

    ModelWatch(String model) {
      this.model = model;
      this.pass = new Coalescing(workers, this::pass);
    }

    void pass() {
      active.removeIf(watcher -> watcher.cancelled);
      if (closed) {
        endAll();
        return;
      }
      try {
        catchUp();
      } catch (RuntimeException e) {
        // the database may be down: try again soon; the listener's return pokes too
        log.warn("Could not read the aliases of model '{}' for its watchers: {}", model, e.toString());
        CompletableFuture.delayedExecutor(RETRY_SECONDS, TimeUnit.SECONDS, workers).execute(pass::poke);
        return;
      }
      byModel.computeIfPresent(model, (m, watch) -> watch.active.isEmpty() && watch.joining.isEmpty() ? null : watch);
    }

    private void catchUp() {
      List<Alias> states = aliases.moved(dsl, model);
      if (states.isEmpty() && !versions.modelExists(dsl, model)) {
        GantryException gone = ModelService.notFound(model);
        forEachWatcher(watcher -> watcher.deliver(sink -> sink.failed(gone)));
        active.clear();
        return;
      }
      Map<String, Alias> byAlias = new HashMap<>();
      for (Alias state : states) {
        byAlias.put(state.alias(), state);
        sendMoves(state);
      }
      for (Watcher watcher = joining.poll(); watcher != null; watcher = joining.poll()) {
        if (!watcher.cancelled) {
          join(watcher, byAlias);
        }
      }
    }

    /** Sends the watchers of the alias the moves up to its current revision that they have not seen. */
    private void sendMoves(Alias state) {
      long from = Long.MAX_VALUE;
      for (Watcher watcher : active) {
        if (watcher.follows(state.alias())) {
          from = Math.min(from, watcher.seen.getOrDefault(state.alias(), 0L));
        }
      }
      if (from >= state.revision()) {
        return;
      }
      List<AliasMove> moves = aliases.movesBetween(dsl, model, state.alias(), from, state.revision());
      for (Watcher watcher : active) {
        if (watcher.follows(state.alias())) {
          long seen = watcher.seen.getOrDefault(state.alias(), 0L);
          moves.stream().filter(move -> move.revision() > seen)
              .forEach(move -> watcher.deliver(sink -> sink.moved(move)));
          watcher.seen.put(state.alias(), state.revision());
        }
      }
    }

    private void join(Watcher watcher, Map<String, Alias> byAlias) {
      List<Alias> states = watcher.alias
          .map(alias -> List.of(byAlias.containsKey(alias) ? byAlias.get(alias) : aliases.current(dsl, model, alias)))
          .orElseGet(() -> byAlias.values().stream().sorted((a, b) -> a.alias().compareTo(b.alias())).toList());
      for (var resume : watcher.since.entrySet()) {
        Alias state = states.stream().filter(s -> s.alias().equals(resume.getKey())).findFirst().orElse(null);
        long current = state == null ? 0 : state.revision();
        if (resume.getValue() > current) {
          watcher.deliver(sink -> sink.failed(GantryException.invalid(watcher.sinceFieldOf(resume.getKey()),
              "is " + resume.getValue() + ", beyond revision " + current + " of alias '" + resume.getKey()
                  + "'; resume from a revision this alias has reached")));
          return;
        }
      }
      for (Alias state : states) {
        long since = watcher.since.getOrDefault(state.alias(), 0L);
        if (since > 0) {
          aliases.movesBetween(dsl, model, state.alias(), since, state.revision())
              .forEach(move -> watcher.deliver(sink -> sink.moved(move)));
        }
        watcher.deliver(sink -> sink.current(state));
        watcher.seen.put(state.alias(), state.revision());
      }
      active.add(watcher);
    }

    private void endAll() {
      forEachWatcher(watcher -> watcher.deliver(AliasEventSink::ended));
      active.clear();
    }

    private void forEachWatcher(Consumer<Watcher> action) {
      active.forEach(action);
      for (Watcher watcher = joining.poll(); watcher != null; watcher = joining.poll()) {
        action.accept(watcher);
      }
    }
  }
}
