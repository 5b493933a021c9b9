package io.gantry.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's PostgreSQL, reached through a HikariCP pool: an external server, or the embedded one
 * ({@link EmbeddedDatabase}). Migrations are applied on open.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int POOL_SIZE = 16;

  private final EmbeddedDatabase embedded;
  private final HikariDataSource pool;
  private final DSLContext dsl;

  private Database(EmbeddedDatabase embedded, HikariDataSource pool) {
    this.embedded = embedded;
    this.pool = pool;
    // per-statement logging costs time on every call even when debug logging is off
    this.dsl = DSL.using(pool, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /** @param metrics where the connection pool reports (hikaricp_* meters) */
  public static Database open(ServerConfig config, MeterRegistry metrics) {
    EmbeddedDatabase embedded = null;
    HikariConfig hikari = new HikariConfig();
    hikari.setMetricRegistry(metrics);
    hikari.setPoolName("gantry");
    hikari.setMaximumPoolSize(POOL_SIZE);
    hikari.setConnectionTimeout(3_000);
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
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      closeQuietly(embedded);
      throw new ConfigException("cannot connect to the database at " + RedactedUrl.of(hikari.getJdbcUrl()) + ": "
          + rootMessage(e), e);
    }
    try {
      migrate(pool);
    } catch (RuntimeException e) {
      pool.close();
      closeQuietly(embedded);
      throw new ConfigException("database migration failed: " + rootMessage(e), e);
    }
    return new Database(embedded, pool);
  }

  private static void migrate(DataSource dataSource) {
    var result = Flyway.configure()
        .dataSource(dataSource)
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
   * A connection of its own, outside the pool, for a session that lives as long as the server (LISTEN).
   * It gives up connecting after {@code timeoutSeconds} and notices a silent peer through TCP keep-alive.
   */
  public Connection openDedicated(int timeoutSeconds) throws SQLException {
    Properties properties = new Properties();
    if (pool.getUsername() != null) {
      properties.setProperty("user", pool.getUsername());
    }
    if (pool.getPassword() != null) {
      properties.setProperty("password", pool.getPassword());
    }
    properties.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "gantry-change-listener");
    return DriverManager.getConnection(pool.getJdbcUrl(), properties);
  }

  @Override
  public void close() {
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
