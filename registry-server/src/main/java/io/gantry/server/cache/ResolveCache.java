package io.gantry.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.gantry.server.change.ChangeFeed;
import io.gantry.server.change.ChangeSubscriber;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * the TTL old) beats none.
 */
public final class ResolveCache implements ChangeSubscriber {

  /** What is cached: resolved aliases, and versions by name. */
  public enum Kind {
    ALIAS("resolve_alias"), VERSION("get_model_version");

    private final String metricName;

    Kind(String metricName) {
      this.metricName = metricName;
    }
  }

  /** A cached response and the model generation it was loaded at. */
  private record Entry(byte[] response, AtomicLong generation, long loadedAt, long epoch) {}

  /** Taken before a load reads the database; the entry it produces is valid only if nothing changed since. */
  public record Ticket(AtomicLong generation, long loadedAt, long epoch) {}

  private final ChangeFeed feed;
  private final boolean enabled;
  private final Cache<String, Entry> aliases;
  private final Cache<String, Entry> versions;
  private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();
  // advanced whenever changes may have gone unseen; entries of an earlier epoch are not trusted
  private volatile long epoch;
  private final Counter[] hits = new Counter[Kind.values().length];
  private final Counter[] misses = new Counter[Kind.values().length];
  private final Counter[] staleServed = new Counter[Kind.values().length];

  /** @param maxEntries per kind; 0 turns the cache off (every resolve reads the database) */
  public ResolveCache(ChangeFeed feed, Duration ttl, long maxEntries, MeterRegistry metrics) {
    this.feed = feed;
    this.enabled = maxEntries > 0;
    this.aliases = build(Kind.ALIAS, ttl, maxEntries, metrics);
    this.versions = build(Kind.VERSION, ttl, maxEntries, metrics);
    for (Kind kind : Kind.values()) {
      hits[kind.ordinal()] = requests(metrics, kind, "hit");
      misses[kind.ordinal()] = requests(metrics, kind, "miss");
      staleServed[kind.ordinal()] = requests(metrics, kind, "stale");
    }
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

  /** The last response known for {@code name}, however stale (within the TTL), for when the database fails. */
  public byte[] lastKnown(Kind kind, String name) {
    Entry entry = enabled ? cache(kind).getIfPresent(name) : null;
    if (entry == null) {
      return null;
    }
    staleServed[kind.ordinal()].increment();
    return entry.response();
  }

  /** Call before reading the database for an entry of {@code model}. */
  public Ticket ticket(String model) {
    AtomicLong generation = generations.computeIfAbsent(model, m -> new AtomicLong());
    long trustedEpoch = epoch;
    return new Ticket(generation, generation.get(), feed.listening() ? trustedEpoch : trustedEpoch - 1);
  }

  public void put(Kind kind, String name, Ticket ticket, byte[] response) {
    if (enabled) {
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

  private Cache<String, Entry> cache(Kind kind) {
    return kind == Kind.ALIAS ? aliases : versions;
  }

  @Override
  public void changed(Set<String> models) {
    for (String model : models) {
      AtomicLong generation = generations.get(model);
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
    aliases.invalidateAll();
    versions.invalidateAll();
  }
}
