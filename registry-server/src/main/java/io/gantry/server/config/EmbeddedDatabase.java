package io.gantry.server.config;

import io.gantry.server.common.SecretFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL: a real server process whose data lives in {@code $GANTRY_DATA_DIR/postgres} and survives
 * restarts. Any local user can reach its port, so it listens on 127.0.0.1 only and every connection proves the
 * superuser's password ({@code scram-sha-256}), which is made at first start and kept owner-only in
 * {@code $GANTRY_DATA_DIR/postgres-password}. A data directory made while the embedded database trusted every local
 * user (initdb's {@code trust}, the library's default) is given the password and the rules on its next start.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String SUPERUSER = "postgres";
  private static final String LOOPBACK = "127.0.0.1";
  private static final String PROVE_PASSWORD = "scram-sha-256";
  /** Gantry owns this file of its own database: any other content is replaced by this on start. */
  private static final String AUTHENTICATION_RULES = """
      # Written by Gantry: every connection proves the superuser's password (kept in $GANTRY_DATA_DIR/postgres-password).
      # Any rule that does not end in scram-sha-256 makes Gantry rewrite this file on its next start.
      # TYPE  DATABASE     USER  ADDRESS        METHOD
      local   all          all                  scram-sha-256
      host    all          all   127.0.0.1/32   scram-sha-256
      local   replication  all                  scram-sha-256
      host    replication  all   127.0.0.1/32   scram-sha-256
      """;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EmbeddedPostgres postgres;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /** Starts the database kept in {@code dataDir}, making it (or giving it its password) first if needed. */
  static EmbeddedDatabase start(Path dataDir) {
    Path directory = dataDir.resolve("postgres");
    Path passwordFile = dataDir.resolve("postgres-password");
    Path rules = directory.resolve("pg_hba.conf");
    EmbeddedPostgres postgres = null;
    try {
      String password = password(passwordFile, directory, rules);
      postgres = launch(directory, passwordFile, password);
      if (!everyRuleProvesPassword(rules)) {
        requirePassword(postgres, password, rules);
        postgres.close();
        postgres = launch(directory, passwordFile, password);
        log.info("The embedded PostgreSQL in {} now asks every connection for the password in {}", directory,
            passwordFile);
      }
      log.info("Embedded PostgreSQL on {}:{}, user {}, password in {}", LOOPBACK, postgres.getPort(), SUPERUSER,
          passwordFile);
      return new EmbeddedDatabase(postgres, password);
    } catch (ConfigException e) {
      throw e;
    } catch (IOException | SQLException | RuntimeException e) {
      stop(postgres);
      throw new ConfigException("cannot start the embedded PostgreSQL in " + directory + ": "
          + Database.rootMessage(e), e);
    }
  }

  /**
   * The password from its file, or a new one written there when the database does not ask for one yet (a new data
   * directory, or one made while local users were trusted).
   */
  private static String password(Path file, Path directory, Path rules) throws IOException {
    if (Files.exists(file)) {
      String password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) {
        throw new ConfigException("the embedded PostgreSQL's password file " + file + " is empty");
      }
      return password;
    }
    // zonky's own test for a data directory that initdb has made
    if (Files.exists(directory.resolve("postgresql.conf")) && everyRuleProvesPassword(rules)) {
      throw new ConfigException("the embedded PostgreSQL in " + directory + " asks for the password kept in " + file
          + ", which is missing: restore it from a backup (README, \"The embedded database's password\")");
    }
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    SecretFiles.writeWhole(file, password + "\n");
    return password;
  }

  private static EmbeddedPostgres launch(Path directory, Path passwordFile, String password) throws IOException {
    Files.createDirectories(directory);
    log.info("Starting embedded PostgreSQL with data in {}", directory);
    return EmbeddedPostgres.builder()
        .setDataDirectory(directory)
        .setCleanDataDirectory(false)
        // initdb gets these after the library's own "-A trust", and the last one counts: a new data directory never
        // trusts anyone, not even between initdb and the first start
        .setLocaleConfig("auth", PROVE_PASSWORD)
        .setLocaleConfig("pwfile", passwordFile.toString())
        // the library's readiness check connects too
        .setConnectConfig("password", password)
        // command-line settings win over postgresql.conf and ALTER SYSTEM
        .setServerConfig("listen_addresses", LOOPBACK)
        .setServerConfig("password_encryption", PROVE_PASSWORD)
        // The library's defaults suit throwaway test databases (fsync off); this one holds the registry.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "100")
        .start();
  }

  /**
   * Gives the superuser the password, then replaces the rules, in this order: a stop between the two leaves a
   * database that still trusts local users, which the next start finishes the same way.
   */
  private static void requirePassword(EmbeddedPostgres postgres, String password, Path rules)
      throws SQLException, IOException {
    try (Connection connection = connect(postgres.getPort(), password)) {
      // hashed here: the server (and its log) never sees the password itself
      connection.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, password.toCharArray(), PROVE_PASSWORD);
      SecretFiles.writeWhole(rules, AUTHENTICATION_RULES);
      try (Statement statement = connection.createStatement()) {
        // the restart that follows applies the rules too; reloading now also covers a server left running by a crash
        statement.execute("select pg_reload_conf()");
      }
    }
  }

  /** Whether every rule of pg_hba.conf asks for the password (no trust, peer, md5, plain password...). */
  private static boolean everyRuleProvesPassword(Path rules) throws IOException {
    if (!Files.exists(rules)) {
      return false;
    }
    List<String> lines = Files.readAllLines(rules, StandardCharsets.UTF_8).stream()
        .map(line -> line.replaceFirst("#.*", "").strip())
        .filter(line -> !line.isEmpty())
        .toList();
    return !lines.isEmpty() && lines.stream().allMatch(line -> line.matches(".*\\s" + PROVE_PASSWORD));
  }

  private static Connection connect(int port, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SUPERUSER);
    properties.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl(port), properties);
  }

  private static String jdbcUrl(int port) {
    return "jdbc:postgresql://" + LOOPBACK + ":" + port + "/postgres";
  }

  String jdbcUrl() {
    return jdbcUrl(postgres.getPort());
  }

  String password() {
    return password;
  }

  @Override
  public void close() {
    stop(postgres);
  }

  private static void stop(EmbeddedPostgres postgres) {
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
