package io.gantry.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.db.Tables;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Webhooks in the policy file: made at start, audited once, unchanged by a restart, updated when the file changes. */
class PolicyFileWebhooksTest {

  @Test
  void theWebhooksOfThePolicyFile_areMadeOnce_andFollowTheFile() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-policy-webhooks");
    Path file = dir.resolveSibling(dir.getFileName() + "-policy.yaml");
    Path secret = dir.resolveSibling(dir.getFileName() + "-argo.secret");
    String secretText = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
    Files.writeString(secret, secretText + "\n");
    String policy = """
        bindings: []
        webhooks:
          - id: argo
            url: https://argo.internal/hooks/gantry
            events: [io.gantry.alias.moved]
            models: "fraud-*"
            secret_file: %s
        """.formatted(secret);
    Files.writeString(file, policy);
    Map<String, String> env = Map.of("GANTRY_POLICY_FILE", file.toString(), "GANTRY_WEBHOOK_SENDERS", "0");
    try {
      for (int start = 0; start < 2; start++) {
        try (GantryServer server = TestRegistry.start(dir, env)) {
          var webhook = TestRegistry.dsl(server).selectFrom(Tables.WEBHOOK).fetchSingle();
          assertThat(webhook.getId()).isEqualTo("argo");
          assertThat(webhook.getModelPattern()).isEqualTo("fraud-*");
          assertThat(webhook.getEventTypes()).isEqualTo("io.gantry.alias.moved");
          assertThat(webhook.getSecret()).isEqualTo(secretText);
          assertThat(webhook.getCreatedBy()).isEqualTo("system:policy-file");
          assertThat(TestRegistry.dsl(server).fetchCount(Tables.AUDIT_EVENT, Tables.AUDIT_EVENT.ACTION
              .eq("WEBHOOK_CREATED"))).as("made once, however often the server starts").isOne();
        }
      }
      Files.writeString(file, policy.replace("argo.internal", "argo.example"));
      try (GantryServer server = TestRegistry.start(dir, env)) {
        assertThat(TestRegistry.dsl(server).selectFrom(Tables.WEBHOOK).fetchSingle().getUrl())
            .isEqualTo("https://argo.example/hooks/gantry");
        var updated = TestRegistry.dsl(server).selectFrom(Tables.AUDIT_EVENT)
            .where(Tables.AUDIT_EVENT.ACTION.eq("WEBHOOK_UPDATED")).fetchSingle();
        assertThat(updated.getActor()).isEqualTo("system:policy-file");
        assertThat(updated.getCanonical()).contains("argo.internal", "argo.example", "\"secret_changed\":false")
            .doesNotContain(secretText.substring(6));
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
      Files.deleteIfExists(file);
      Files.deleteIfExists(secret);
    }
  }

  @Test
  void aWebhookThatCannotBeUsed_stopsTheStart_withOneLineNamingIt() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-policy-bad-webhook");
    Path file = dir.resolveSibling(dir.getFileName() + "-policy.yaml");
    try {
      Files.writeString(file, "bindings: []\nwebhooks:\n  - {id: argo, url: \"http://h/\", secret_file: "
          + dir.resolve("absent") + "}\n");
      var missing = catchThrowableOfType(() -> TestRegistry.start(dir, Map.of("GANTRY_POLICY_FILE",
          file.toString())), ConfigException.class);
      assertThat(missing.getMessage()).contains("GANTRY_POLICY_FILE", "webhooks[0].secret_file", "cannot be read")
          .doesNotContain("\n");

      Path weak = dir.resolveSibling(dir.getFileName() + "-weak.secret");
      Files.writeString(weak, "hunter2");
      Files.writeString(file, "bindings: []\nwebhooks:\n  - {id: argo, url: \"ftp://h/\", secret_file: " + weak
          + "}\n");
      var invalid = catchThrowableOfType(() -> TestRegistry.start(dir, Map.of("GANTRY_POLICY_FILE",
          file.toString())), ConfigException.class);
      assertThat(invalid.getMessage()).contains("2 invalid fields", "webhooks[0].url").doesNotContain("\n")
          .doesNotContain("hunter2");
      Files.deleteIfExists(weak);
    } finally {
      TestRegistry.deleteRecursively(dir);
      Files.deleteIfExists(file);
    }
  }
}
