package io.gantry.server.change;

import io.gantry.server.audit.Action;
import io.gantry.server.audit.AuditEntry;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.common.CommitHook;
import io.gantry.server.common.Names;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every replica what changed. A write sends {@code pg_notify} inside its own transaction, so the
 * notification goes out exactly when the change commits and never for one rolled back; the payload
 * is the model touched. Each replica keeps one connection of its own listening, and hands what it
 * hears (and, at once, what it committed itself) to the subscribers. When that connection is lost
 * the subscribers are told, and told again once it listens anew, since anything may have changed
 * in between. A quiet connection is asked a question every {@code ping}, and one that does not answer within
 * {@code ping} counts as lost: a database that vanished without closing its sockets is noticed in seconds.
 */
public final class ChangeFeed implements CommitHook, AutoCloseable {

  /** Opens the listener's connection, outside the pool. */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  static final String CHANNEL = "gantry_changes";
  // a notification's payload is "<origin> <model>"; model ids hold no space
  private static final char ORIGIN_SEPARATOR = ' ';
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  // not a model id (those hold no '@'): the topic of role bindings and API tokens
  static final String ACCESS = "@access";
  private static final List<String> ACCESS_PREFIXES = List.of("roleBindings/", "apiTokens/");
  private static final Set<Action> REFUSALS = EnumSet.of(Action.PERMISSION_DENIED, Action.CREDENTIAL_REJECTED);
  private static final int WAIT_MILLIS = 500;
  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration LAST_RETRY = Duration.ofSeconds(2);

  private final ConnectionSource connections;
  private final Duration ping;
  private final List<Runnable> whenLost = new CopyOnWriteArrayList<>();
  // tags this replica's notifications: it has published its own commits already, and hearing them
  // again would only empty the cache entries reloaded since
  private final String origin = UUID.randomUUID().toString();
  private final List<ChangeSubscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Thread listener;
  private final Counter reconnects;
  private volatile boolean listening;
  private volatile boolean databaseReachable = true;
  private volatile boolean closed;
  private volatile Connection connection;

  /**
   * @param connections each must give up waiting for an answer after {@code ping}, or a silent database holds the
   *     listener as long as the kernel keeps the socket
   */
  public ChangeFeed(ConnectionSource connections, Duration ping, MeterRegistry metrics) {
    this.connections = connections;
    this.ping = ping;
    this.listener = new Thread(this::listen, "gantry-change-listener");
    this.listener.setDaemon(true);
    this.reconnects = Counter.builder("gantry.change.listener.reconnects")
        .description("times the change listener lost its database connection")
        .register(metrics);
    Gauge.builder("gantry.change.listener.connected", () -> listening ? 1 : 0)
        .description("1 while this replica hears the changes of the others")
        .register(metrics);
  }

  /** Registers a subscriber; call before {@link #start}. */
  public void subscribe(ChangeSubscriber subscriber) {
    subscribers.add(subscriber);
  }

  /** Runs {@code action} when the listener has lost its connection and cannot make a new one; call before start. */
  public void whenDatabaseLost(Runnable action) {
    whenLost.add(action);
  }

  public void start() {
    listener.start();
  }

  /** Waits until the listener listens, for at most {@code timeout}; true if it does. */
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!listening && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return listening;
  }

  /** False from the moment the listener's connection is lost until it listens again. */
  public boolean listening() {
    return listening;
  }

  /** False once an attempt to reconnect has failed, until one succeeds: the database is down or cut off. */
  public boolean databaseReachable() {
    return databaseReachable;
  }

  @Override
  public void beforeCommit(DSLContext tx, List<AuditEntry> entries, List<LoggedEvent> logged) {
    Set<String> topics = topicsOf(entries);
    // an empty payload still wakes those who follow everything (the audit stream)
    List<Field<?>> notifications = (topics.isEmpty() ? Set.of("") : topics).stream()
        .<Field<?>>map(model -> DSL.function("pg_notify", Object.class, DSL.val(CHANNEL),
            DSL.val(origin + ORIGIN_SEPARATOR + model)))
        .toList();
    tx.select(notifications).fetch();
  }

  @Override
  public void afterCommit(List<AuditEntry> entries) {
    if (!databaseReachable) {
      // a commit proves the database is back: stop trusting the old answers, and reconnect now
      databaseReachable = true;
      LockSupport.unpark(listener);
    }
    publish(topicsOf(entries));
  }

  @Override
  public void mayHaveCommitted(List<AuditEntry> entries) {
    // this replica skips its own notifications, so it must not miss a change that did commit
    publish(topicsOf(entries));
  }

  /** The models the entries changed, and {@value #ACCESS} when they changed who may do what. */
  static Set<String> topicsOf(List<AuditEntry> entries) {
    Set<String> topics = new LinkedHashSet<>();
    for (AuditEntry entry : entries) {
      String resource = entry.resource();
      if (REFUSALS.contains(entry.action())) {
        // a refusal changes nothing: were it to invalidate, a caller without rights could empty the cache
        continue;
      }
      Optional<String> model = Names.modelOf(resource);
      if (model.isPresent()) {
        topics.add(model.get());
      } else if (ACCESS_PREFIXES.stream().anyMatch(resource::startsWith)) {
        topics.add(ACCESS);
      }
    }
    return topics;
  }

  private void publish(Set<String> topics) {
    boolean access = topics.contains(ACCESS);
    Set<String> models = access ? new LinkedHashSet<>(topics) : topics;
    models.remove(ACCESS);
    for (ChangeSubscriber subscriber : subscribers) {
      try {
        if (access) {
          subscriber.accessChanged();
        }
        subscriber.changed(models);
      } catch (RuntimeException e) {
        log.error("A change subscriber failed", e);
      }
    }
  }

  private void listen() {
    Duration retry = FIRST_RETRY;
    while (!closed) {
      try (Connection opened = connections.open()) {
        connection = opened;
        DSLContext session = DSL.using(opened, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
        // LISTEN takes an identifier, not a bind value; the channel is a constant
        session.execute("LISTEN " + CHANNEL);
        databaseReachable = true;
        retry = FIRST_RETRY;
        listening = true;
        log.info("Listening for changes on channel {}", CHANNEL);
        subscribers.forEach(ChangeSubscriber::resynced);
        relay(opened.unwrap(PGConnection.class), session);
      } catch (SQLException | DataAccessException e) {
        if (closed) {
          return;
        }
        if (listening) {
          listening = false;
          reconnects.increment();
          log.warn("The change listener lost its connection ({}); resolves read the database until it is back",
              e.getMessage());
          subscribers.forEach(ChangeSubscriber::listenerLost);
        } else if (databaseReachable) {
          databaseReachable = false;
          // a refusal (too many clients, a password) is an answer: only a silent or gone database cuts the pool
          if (isConnectionFailure(e)) {
            log.warn("The database does not answer ({})", e.getMessage());
            whenLost.forEach(ChangeFeed::runQuietly);
          }
        }
        LockSupport.parkNanos(retry.toNanos());
        retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
      }
    }
  }

  private void relay(PGConnection notifications, DSLContext session) throws SQLException {
    long quietSince = System.nanoTime();
    while (!closed) {
      PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
      if (received != null && received.length > 0) {
        Set<String> topics = new LinkedHashSet<>();
        boolean fromOthers = false;
        for (PGNotification notification : received) {
          String payload = notification.getParameter();
          int separator = payload.indexOf(ORIGIN_SEPARATOR);
          if (separator >= 0 && payload.substring(0, separator).equals(origin)) {
            continue;
          }
          fromOthers = true;
          String topic = payload.substring(separator + 1);
          if (!topic.isEmpty()) {
            topics.add(topic);
          }
        }
        if (fromOthers) {
          publish(topics);
        }
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > ping.toNanos()) {
        session.selectOne().fetch();
        quietSince = System.nanoTime();
      }
    }
  }

  /** SQL state class 08: the connection could not be made or was lost (a timeout included). */
  private static boolean isConnectionFailure(Exception failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  private static void runQuietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("An action on losing the database failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(listener);
    Connection open = connection;
    if (open != null) {
      try {
        open.close();
      } catch (SQLException e) {
        log.debug("Closing the change listener's connection: {}", e.toString());
      }
    }
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
