package io.gantry.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.gantry.server.change.ChangeFeed;
import io.gantry.server.change.ChangeSubscriber;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resolved versions, kept as the bytes of their response, so that a hit touches neither the database
 * nor another thread. Each entry remembers the generation of its model when its load began; any
 * change to the model (here, or on another replica through the {@link ChangeFeed}) advances the
 * generation, and an entry of an older one is never served while the database can answer. A load
 * reads the generation before it reads the database, so a change committed meanwhile leaves the
 * entry stale rather than wrong.
 *
 * <p>While the listener is not listening, changes elsewhere go unseen: nothing is served from the
 * cache then, except when the database cannot be reached at all, when the last answer known (at most
 * the TTL old) beats none, provided no change to its model was seen since it was loaded: an entry
 * known to be changed is never served again, and with the database away its name is UNAVAILABLE.
 *
 * <p>Generations are kept for a bounded number of models (twice the entries of one kind: as many models
 * as have an entry, unless many have only an alias list cached), so that resolves of ever new, even nonexistent, names
 * cannot grow them without end. A generation dropped to stay within the bound is retired first (set
 * to {@link #RETIRED}, and every change after adds to it, so it stays negative): the entries and the
 * loads still holding it then count as changed, while new loads of the model get a new generation.
 * Dropping one can cost a reload, never a stale answer.
 */
public final class ResolveCache implements ChangeSubscriber {

  /** What is cached: resolved aliases, versions by name, and each model's list of aliases. */
  public enum Kind {
    ALIAS("resolve_alias"), VERSION("get_model_version"), ALIAS_LIST("list_aliases");

    private final String metricName;

    Kind(String metricName) {
      this.metricName = metricName;
    }
  }

  /** A cached response and the model generation it was loaded at. */
  private record Entry(byte[] response, AtomicLong generation, long loadedAt, long epoch) {}

  /** Taken before a load reads the database; the entry it produces is valid only if nothing changed since. */
  public record Ticket(AtomicLong generation, long loadedAt, long epoch) {}

  // a retired generation is negative for good; live ones count up from 0
  private static final long RETIRED = Long.MIN_VALUE / 2;

  private final ChangeFeed feed;
  private final boolean enabled;
  private final Map<Kind, Cache<String, Entry>> entries = new EnumMap<>(Kind.class);
  private final Cache<String, AtomicLong> generations;
  // advanced whenever changes may have gone unseen; entries of an earlier epoch are not trusted
  private volatile long epoch;
  private final Counter[] hits = new Counter[Kind.values().length];
  private final Counter[] misses = new Counter[Kind.values().length];
  private final Counter[] staleServed = new Counter[Kind.values().length];

  /** @param maxEntries per kind; 0 turns the cache off (every resolve reads the database) */
  public ResolveCache(ChangeFeed feed, Duration ttl, long maxEntries, MeterRegistry metrics) {
    this.feed = feed;
    this.enabled = maxEntries > 0;
    for (Kind kind : Kind.values()) {
      entries.put(kind, build(kind, ttl, maxEntries, metrics));
    }
    this.generations = Caffeine.newBuilder()
        .maximumSize(2 * Math.max(maxEntries, 1))
        // runs as the generation leaves the map, before anyone can ask for the model's next one
        .evictionListener((String model, AtomicLong generation, RemovalCause cause) -> generation.set(RETIRED))
        .build();
    for (Kind kind : Kind.values()) {
      hits[kind.ordinal()] = requests(metrics, kind, "hit");
      misses[kind.ordinal()] = requests(metrics, kind, "miss");
      staleServed[kind.ordinal()] = requests(metrics, kind, "stale");
    }
    Gauge.builder("gantry.resolve.cache.models", generations, ResolveCache::trackedModels)
        .description("models whose changes the cache tracks")
        .register(metrics);
  }

  private static Cache<String, Entry> build(Kind kind, Duration ttl, long maxEntries, MeterRegistry metrics) {
    Counter evictions = Counter.builder("gantry.resolve.cache.evictions")
        .description("entries dropped to stay within GANTRY_CACHE_MAX_ENTRIES or the TTL")
        .tag("cache", kind.metricName)
        .register(metrics);
    Cache<String, Entry> cache = Caffeine.newBuilder()
        .maximumSize(Math.max(maxEntries, 0))
        .expireAfterWrite(ttl)
        .removalListener((String key, Entry entry, RemovalCause cause) -> {
          if (cause.wasEvicted()) {
            evictions.increment();
          }
        })
        .build();
    Gauge.builder("gantry.resolve.cache.entries", cache, Cache::estimatedSize)
        .description("entries held")
        .tag("cache", kind.metricName)
        .register(metrics);
    return cache;
  }

  private static Counter requests(MeterRegistry metrics, Kind kind, String result) {
    return Counter.builder("gantry.resolve.cache.requests")
        .description("lookups: hit (served from memory), miss (read the database), stale (database down, "
            + "served the last answer known)")
        .tag("cache", kind.metricName)
        .tag("result", result)
        .register(metrics);
  }

  /** The cached response for {@code name} if it may be served as it is, else null (a miss, counted). */
  public byte[] fresh(Kind kind, String name) {
    Entry entry = enabled ? cache(kind).getIfPresent(name) : null;
    if (entry != null && isCurrent(entry)) {
      hits[kind.ordinal()].increment();
      return entry.response();
    }
    // with the database away, waiting for it to fail on every call would only delay the same answer
    if (entry != null && !feed.databaseReachable() && !changedHere(entry)) {
      staleServed[kind.ordinal()].increment();
      return entry.response();
    }
    misses[kind.ordinal()].increment();
    return null;
  }

  /**
   * The last response known for {@code name}, for when reading the database failed for want of a
   * connection: null if there is none, served (within the TTL) if nothing changed its model since.
   *
   * @throws GantryException DATABASE_UNAVAILABLE if a change was seen since: the answer held is one
   *     the name may have left, and no answer beats that one
   */
  public byte[] lastKnown(Kind kind, String name) {
    Entry entry = enabled ? cache(kind).getIfPresent(name) : null;
    if (entry == null) {
      return null;
    }
    if (changedHere(entry)) {
      throw new GantryException(ErrorCode.DATABASE_UNAVAILABLE, name + " changed since this replica last read it "
          + "(its model changed) and the database cannot be reached to read it again; retry with backoff");
    }
    staleServed[kind.ordinal()].increment();
    return entry.response();
  }

  /** Call before reading the database for an entry of {@code model}. */
  public Ticket ticket(String model) {
    AtomicLong generation = generations.get(model, m -> new AtomicLong());
    long trustedEpoch = epoch;
    return new Ticket(generation, generation.get(), feed.listening() ? trustedEpoch : trustedEpoch - 1);
  }

  public void put(Kind kind, String name, Ticket ticket, byte[] response) {
    // a ticket taken from a generation already retired would look current for ever
    if (enabled && ticket.loadedAt() >= 0) {
      cache(kind).put(name, new Entry(response, ticket.generation(), ticket.loadedAt(), ticket.epoch()));
    }
  }

  private boolean isCurrent(Entry entry) {
    return entry.epoch() == epoch && !changedHere(entry) && feed.listening();
  }

  /** Whether a change to the entry's model has been seen since it was loaded. */
  private static boolean changedHere(Entry entry) {
    return entry.generation().get() != entry.loadedAt();
  }

  /** How many models' generations are held; bounded whatever names callers ask for. */
  private static long trackedModels(Cache<String, AtomicLong> generations) {
    generations.cleanUp();
    return generations.estimatedSize();
  }

  private Cache<String, Entry> cache(Kind kind) {
    return entries.get(kind);
  }

  @Override
  public void changed(Set<String> models) {
    for (String model : models) {
      AtomicLong generation = generations.getIfPresent(model);
      if (generation != null) {
        generation.incrementAndGet();
      }
    }
  }

  @Override
  public void listenerLost() {
    // entries stay, as the answer of last resort while the database is down; none is trusted any more
    epoch++;
  }

  @Override
  public void resynced() {
    epoch++;
    entries.values().forEach(Cache::invalidateAll);
  }
}
