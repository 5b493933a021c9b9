package io.gantry.server.config;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * The embedded PostgreSQL as a local attacker meets it: any OS user can reach its loopback port (the port is in
 * {@code postmaster.pid}), so every connection must prove the password that only the server's owner can read.
 */
class EmbeddedDatabasePasswordTest {

  private Path dataDir;

  @BeforeEach
  void makeDataDir() {
    dataDir = TestRegistry.tempDir("gantry-pgauth");
  }

  @AfterEach
  void removeDataDir() {
    TestRegistry.deleteRecursively(dataDir);
  }

  @Test
  void freshDataDirectory_refusesConnectionsWithoutThePassword_andAcceptsTheOneInTheOwnerOnlyFile() throws Exception {
    try (GantryServer server = TestRegistry.start(dataDir)) {
      int port = databasePort();

      assertThatThrownBy(() -> connect(port, null)).isInstanceOf(PSQLException.class)
          .hasMessageContaining("password");
      assertThatThrownBy(() -> connect(port, "guessed")).isInstanceOf(PSQLException.class)
          .hasMessageContaining("password authentication failed");
      try (Connection admin = connect(port, password())) {
        assertThat(show(admin, "listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(show(admin, "password_encryption")).isEqualTo("scram-sha-256");
        awaitChangeListener(admin);
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile())))
          .isEqualTo("rw-------");
      assertThat(password()).hasSizeGreaterThanOrEqualTo(43);
      assertThat(authenticationRules()).isNotEmpty().allMatch(rule -> rule.endsWith("scram-sha-256"));
      assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf")))
          .as("initdb's own rules: the database never trusted anyone, so Gantry did not have to rewrite them")
          .doesNotContain("Written by Gantry");
    }
  }

  @Test
  void restart_reusesThePasswordFile() throws Exception {
    try (GantryServer first = TestRegistry.start(dataDir)) {
      TestRegistry.dsl(first).execute("create table kept (v int)");
    }
    String password = password();

    try (GantryServer again = TestRegistry.start(dataDir)) {
      assertThat(password()).isEqualTo(password);
      assertThat(TestRegistry.dsl(again).fetchCount(org.jooq.impl.DSL.table("kept"))).isZero();
      assertThatThrownBy(() -> connect(databasePort(), null)).isInstanceOf(PSQLException.class);
    }
  }

  @Test
  void dataDirectoryMadeByAnEarlierVersion_isUpgraded_keepingItsData() throws Exception {
    startTheWayEarlierVersionsDid(
        "create schema earlier; create table earlier.kept (v int); insert into earlier.kept values (42)");
    assertThat(authenticationRules()).anyMatch(rule -> rule.endsWith("trust"));

    try (GantryServer server = TestRegistry.start(dataDir)) {
      int port = databasePort();
      assertThatThrownBy(() -> connect(port, null)).isInstanceOf(PSQLException.class)
          .hasMessageContaining("password");
      try (Connection admin = connect(port, password()); Statement statement = admin.createStatement();
           ResultSet rows = statement.executeQuery("select v from earlier.kept")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getInt(1)).isEqualTo(42);
      }
      assertThat(authenticationRules()).isNotEmpty().allMatch(rule -> rule.endsWith("scram-sha-256"));
    }
    try (GantryServer again = TestRegistry.start(dataDir)) {
      assertThat(TestRegistry.dsl(again).fetchValue("select v from earlier.kept")).isEqualTo(42);
    }
  }

  @Test
  void upgradeStoppedAfterThePasswordFileWasWritten_isCompletedByTheNextStart_withThatPassword() throws Exception {
    startTheWayEarlierVersionsDid("select 1");
    Files.writeString(passwordFile(), "written-before-the-crash\n", StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(passwordFile(), PosixFilePermissions.fromString("rw-------"));

    try (GantryServer server = TestRegistry.start(dataDir)) {
      assertThat(password()).isEqualTo("written-before-the-crash");
      try (Connection admin = connect(databasePort(), "written-before-the-crash")) {
        assertThat(show(admin, "password_encryption")).isEqualTo("scram-sha-256");
      }
      assertThatThrownBy(() -> connect(databasePort(), null)).isInstanceOf(PSQLException.class);
    }
  }

  @Test
  void lostPasswordFile_stopsStartUp_withOneLineNamingTheFile_untilTheAdminTrustsLocalUsersOnce() throws Exception {
    try (GantryServer first = TestRegistry.start(dataDir)) {
      TestRegistry.dsl(first).execute("create table kept (v int)");
    }
    String lost = password();
    Files.delete(passwordFile());

    assertThatThrownBy(() -> TestRegistry.start(dataDir).close()).isInstanceOf(ConfigException.class)
        .hasMessageContaining(passwordFile().toString()).hasMessageNotContaining("\n");
    assertThat(passwordFile()).doesNotExist();

    // the README's way back: trust local users for one start
    Path rules = dataDir.resolve("postgres/pg_hba.conf");
    Files.writeString(rules, Files.readString(rules).replace("scram-sha-256", "trust"));
    try (GantryServer recovered = TestRegistry.start(dataDir)) {
      assertThat(password()).isNotEqualTo(lost);
      assertThat(TestRegistry.dsl(recovered).fetchCount(org.jooq.impl.DSL.table("kept"))).isZero();
      assertThatThrownBy(() -> connect(databasePort(), lost)).isInstanceOf(PSQLException.class);
      assertThat(authenticationRules()).isNotEmpty().allMatch(rule -> rule.endsWith("scram-sha-256"));
    }
  }

  /** A data directory as every release before this one left it: initdb's {@code trust} for every local user. */
  private void startTheWayEarlierVersionsDid(String sql) throws Exception {
    Path directory = dataDir.resolve("postgres");
    Files.createDirectories(directory);
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(false)
        .start();
         Connection connection = old.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private Path passwordFile() {
    return dataDir.resolve("postgres-password");
  }

  private String password() throws Exception {
    return Files.readString(passwordFile(), StandardCharsets.US_ASCII).strip();
  }

  /** The port as any local user reads it: PostgreSQL publishes it in its pid file, line 4. */
  private int databasePort() throws Exception {
    return Integer.parseInt(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3).strip());
  }

  /** The rules of pg_hba.conf, without comments and blank lines. */
  private List<String> authenticationRules() throws Exception {
    return Files.readAllLines(dataDir.resolve("postgres/pg_hba.conf")).stream()
        .map(line -> line.replaceFirst("#.*", "").strip())
        .filter(line -> !line.isEmpty())
        .toList();
  }

  private static Connection connect(int port, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
  }

  /** The server's own LISTEN connection, opened outside the pool, gets in with the password too. */
  private static void awaitChangeListener(Connection admin) {
    await("the change listener to connect").atMost(Duration.ofSeconds(20)).until(() -> {
      try (Statement statement = admin.createStatement();
           ResultSet row = statement.executeQuery(
               "select count(*) from pg_stat_activity where application_name = 'gantry-change-listener'")) {
        row.next();
        return row.getInt(1) > 0;
      }
    });
  }

  private static String show(Connection connection, String setting) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("show " + setting)) {
      row.next();
      return row.getString(1);
    }
  }
}
