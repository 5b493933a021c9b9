package io.gantry.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's PostgreSQL, reached through a HikariCP pool: an external server, or the embedded one
 * ({@link EmbeddedDatabase}). Migrations are applied on open. Every connection has a socket timeout and TCP
 * keep-alive, and the pool's a statement timeout ({@link ServerConfig.Liveness}): pgjdbc's defaults would wait for
 * a database that vanished without closing its sockets as long as the kernel does, hours.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int POOL_SIZE = 16;
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(2);

  private final EmbeddedDatabase embedded;
  private final HikariConfig settings;
  private final HikariDataSource pool;
  private final InUseConnections inUse;
  private final DSLContext dsl;
  private final List<HikariDataSource> ownPools = new CopyOnWriteArrayList<>();

  private Database(EmbeddedDatabase embedded, HikariConfig settings, HikariDataSource pool) {
    this.embedded = embedded;
    this.settings = settings;
    this.pool = pool;
    this.inUse = new InUseConnections(pool);
    // per-statement logging costs time on every call even when debug logging is off
    this.dsl = DSL.using(inUse, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /** @param metrics where the connection pool reports (hikaricp_* meters) */
  public static Database open(ServerConfig config, MeterRegistry metrics) {
    EmbeddedDatabase embedded = null;
    HikariConfig hikari = new HikariConfig();
    hikari.setMetricRegistry(metrics);
    hikari.setPoolName("gantry");
    hikari.setMaximumPoolSize(POOL_SIZE);
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    // a connection idle a while is checked before use; Hikari's 5 s would outlast the wait for a connection
    hikari.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
    // fail start-up at once with a clear line instead of retrying in the background
    hikari.setInitializationFailTimeout(1);
    if (config.externalDatabase().isPresent()) {
      ServerConfig.ExternalDatabase external = config.externalDatabase().get();
      hikari.setJdbcUrl(external.url());
      hikari.setUsername(external.user());
      hikari.setPassword(external.password());
      log.info("Using PostgreSQL at {}", RedactedUrl.of(external.url()));
    } else {
      embedded = EmbeddedDatabase.start(config.dataDir());
      hikari.setJdbcUrl(embedded.jdbcUrl());
      hikari.setUsername(EmbeddedDatabase.SUPERUSER);
      hikari.setPassword(embedded.password());
    }
    // the URL's own parameters win over these (pgjdbc), so a deployer's explicit choice stands
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    hikari.addDataSourceProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
    hikari.addDataSourceProperty("loginTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
    hikari.addDataSourceProperty("socketTimeout", Long.toString(config.liveness().socketTimeout().toSeconds()));
    hikari.addDataSourceProperty("options", "-c statement_timeout=" + config.liveness().statementTimeout().toMillis());
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      closeQuietly(embedded);
      throw new ConfigException("cannot connect to the database at " + RedactedUrl.of(hikari.getJdbcUrl()) + ": "
          + rootMessage(e), e);
    }
    try {
      migrate(hikari);
    } catch (RuntimeException e) {
      pool.close();
      closeQuietly(embedded);
      throw new ConfigException("database migration failed: " + rootMessage(e), e);
    }
    return new Database(embedded, hikari, pool);
  }

  /** On connections of its own, without the pool's timeouts: a migration of a large registry may take minutes. */
  private static void migrate(HikariConfig hikari) {
    var result = Flyway.configure()
        .dataSource(hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    log.info("Database schema at version {} ({} migrations applied now)",
        result.targetSchemaVersion, result.migrationsExecuted);
  }

  public DSLContext dsl() {
    return dsl;
  }

  /**
   * Statements on one connection of their own, outside the pool, with the pool's timeouts: for work that anyone can
   * cause (a flood of refused calls) and that must never take a connection a real call needs. The connection is
   * opened when first used and opened again after it broke; statements wait for it, not for the pool.
   *
   * @param purpose names the connection in the database's {@code pg_stat_activity} and the pool's metrics
   */
  public DSLContext ownConnection(String purpose) {
    HikariConfig own = new HikariConfig();
    settings.copyStateTo(own);
    own.setPoolName(purpose);
    own.setMaximumPoolSize(1);
    own.setMinimumIdle(0);
    own.setInitializationFailTimeout(-1);
    // the copy shares the pool's properties object; this connection's name must not become the pool's
    Properties properties = new Properties();
    properties.putAll(settings.getDataSourceProperties());
    properties.setProperty("ApplicationName", purpose);
    own.setDataSourceProperties(properties);
    HikariDataSource source = new HikariDataSource(own);
    ownPools.add(source);
    return DSL.using(source, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /**
   * A connection of its own, outside the pool, for a session that lives as long as the server (LISTEN). It gives up
   * connecting, logging in, or waiting for any answer after {@code timeout}; its user checks it with a query more
   * often than that.
   */
  public Connection openDedicated(Duration timeout) throws SQLException {
    Properties properties = new Properties();
    if (pool.getUsername() != null) {
      properties.setProperty("user", pool.getUsername());
    }
    if (pool.getPassword() != null) {
      properties.setProperty("password", pool.getPassword());
    }
    String seconds = Long.toString(Math.max(1, timeout.toSeconds()));
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    properties.setProperty("socketTimeout", seconds);
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "gantry-change-listener");
    return DriverManager.getConnection(pool.getJdbcUrl(), properties);
  }

  /**
   * For a database found lost: cuts the connections in use (their statements fail at once rather than at their socket
   * timeout) and closes the idle ones, so that the next call connects anew (to the new primary, after a failover).
   */
  public void dropConnections() {
    int aborted = inUse.abortAll();
    pool.getHikariPoolMXBean().softEvictConnections();
    var stats = pool.getHikariPoolMXBean();
    log.warn("The database is lost: dropped the pool's connections ({} in use; now {} idle, {} active)", aborted,
        stats.getIdleConnections(), stats.getActiveConnections());
  }

  @Override
  public void close() {
    ownPools.forEach(HikariDataSource::close);
    pool.close();
    closeQuietly(embedded);
  }

  private static void closeQuietly(EmbeddedDatabase embedded) {
    if (embedded != null) {
      embedded.close();
    }
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
