package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.db.Tables;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Role bindings in the policy file: granted at start, audited once, unchanged by a restart, refused when wrong. */
class PolicyFileRolesTest {

  private static final String FILE = """
      bindings: []
      roles:
        - subject: group:taxi-team
          role: publisher
          models: "nyc-taxi-*"
          aliases: [staging]
        - subject: user:rita
          role: auditor
          models: "*"
      """;

  @Test
  void theRolesOfThePolicyFile_areGrantedOnce_andARestartChangesNothing() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-policy-roles");
    Path file = dir.resolveSibling(dir.getFileName() + "-policy.yaml");
    Files.writeString(file, FILE);
    Map<String, String> env = Map.of("GANTRY_POLICY_FILE", file.toString(), "GANTRY_ENFORCE_ROLES", "true");
    try {
      for (int start = 0; start < 2; start++) {
        try (GantryServer server = TestRegistry.start(dir, env)) {
          var bindings = TestRegistry.dsl(server).selectFrom(Tables.ROLE_BINDING).orderBy(Tables.ROLE_BINDING.ID)
              .fetch();
          assertThat(bindings).extracting(r -> r.getSubject() + " " + r.getRole() + " " + r.getModelPattern() + " "
              + r.getAliases()).containsExactly("group:taxi-team publisher nyc-taxi-* staging",
              "user:rita auditor * ");
          assertThat(bindings).allSatisfy(r -> assertThat(r.getCreatedBy()).isEqualTo("system:policy-file"));
          assertThat(TestRegistry.dsl(server).fetchCount(Tables.AUDIT_EVENT, Tables.AUDIT_EVENT.ACTION
              .eq("ROLE_GRANTED"))).as("granted once, however often the server starts").isEqualTo(2);
        }
      }
      Files.writeString(file, FILE.replace("[staging]", "[staging, canary]"));
      try (GantryServer server = TestRegistry.start(dir, env)) {
        assertThat(TestRegistry.dsl(server).select(Tables.ROLE_BINDING.ALIASES).from(Tables.ROLE_BINDING)
            .where(Tables.ROLE_BINDING.SUBJECT.eq("group:taxi-team")).fetchSingle().value1())
            .as("new aliases replace the binding").isEqualTo("staging,canary");
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aRoleThatDoesNotExist_stopsTheStart_withOneLineNamingIt() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-policy-bad-role");
    Path file = dir.resolveSibling(dir.getFileName() + "-policy.yaml");
    Files.writeString(file, "bindings: []\nroles:\n  - {subject: user:bob, role: superuser, models: \"*\"}\n");
    try {
      var refused = catchThrowableOfType(() -> TestRegistry.start(dir, Map.of("GANTRY_POLICY_FILE", file.toString())),
          ConfigException.class);
      assertThat(refused.getMessage()).contains("GANTRY_POLICY_FILE", "roles[0].role", "superuser")
          .doesNotContain("\n");
    } finally {
      TestRegistry.deleteRecursively(dir);
      Files.deleteIfExists(file);
    }
  }
}
