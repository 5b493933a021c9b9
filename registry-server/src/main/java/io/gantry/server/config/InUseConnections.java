package io.gantry.server.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jooq.ConnectionProvider;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands jOOQ the pool's connections and remembers which are in use, so that when the database is found lost they can
 * be cut at once: a statement waiting on a database that vanished without closing its sockets then fails (and its
 * call answers UNAVAILABLE) instead of waiting out its socket timeout.
 */
final class InUseConnections implements ConnectionProvider {

  private static final Logger log = LoggerFactory.getLogger(InUseConnections.class);

  private final DataSource pool;
  private final Set<Connection> inUse = ConcurrentHashMap.newKeySet();

  InUseConnections(DataSource pool) {
    this.pool = pool;
  }

  @Override
  public Connection acquire() {
    try {
      Connection connection = pool.getConnection();
      inUse.add(connection);
      return connection;
    } catch (SQLException e) {
      throw new DataAccessException("cannot get a database connection: " + e.getMessage(), e);
    }
  }

  @Override
  public void release(Connection connection) {
    inUse.remove(connection);
    try {
      connection.close();
    } catch (SQLException e) {
      throw new DataAccessException("cannot return a database connection: " + e.getMessage(), e);
    }
  }

  /** Closes the socket of every connection in use; their statements fail, and the pool discards them. */
  int abortAll() {
    int aborted = 0;
    for (Connection connection : inUse) {
      try {
        // the driver closes the socket on the calling thread: no executor needed, and nothing to wait for
        connection.abort(Runnable::run);
        aborted++;
      } catch (SQLException e) {
        log.debug("Could not abort a database connection: {}", e.toString());
      }
    }
    return aborted;
  }
}
