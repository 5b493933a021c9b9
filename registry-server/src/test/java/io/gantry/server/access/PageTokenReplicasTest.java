package io.gantry.server.access;

import static org.awaitility.Awaitility.await;
import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.Role;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL seal page tokens with one key: a walk may move from one to the other. */
class PageTokenReplicasTest {

  @Test
  void aPageTokenMadeOnOneReplica_turnsThePageOnTheOther() throws Exception {
    Path dir = TestRegistry.tempDir("gantry-token-replicas");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Map<String, String> env = Map.of("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
          "GANTRY_DB_USER", "postgres", "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString());
      VerifiedServer first = new VerifiedServer(env);
      VerifiedServer second = new VerifiedServer(env);
      first.beforeAll(null);
      try {
        second.beforeAll(null);
        try {
          var root = first.as(ModelRegistryGrpc.newBlockingStub(first.channel), VerifiedServer.ROOT);
          for (String model : List.of("public-a", "public-b", "public-c", "secret-fraud")) {
            root.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
          }
          first.grant("user:vera", Role.ROLE_VIEWER, "public-*");
          // an API token works on both replicas, as the binding does once the other has heard of it
          String vera = first.token("vera");
          List<ModelRegistryGrpc.ModelRegistryBlockingStub> replicas = List.of(
              bearer(ModelRegistryGrpc.newBlockingStub(first.channel), vera),
              bearer(ModelRegistryGrpc.newBlockingStub(second.channel), vera));
          await("the second replica knows vera's binding").atMost(Duration.ofSeconds(10)).until(() ->
              replicas.get(1).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount() >= 3);

          List<String> seen = new ArrayList<>();
          String token = "";
          int turn = 0;
          do {
            var page = replicas.get(turn++ % 2).listModels(ListModelsRequest.newBuilder().setPageSize(1)
                .setPageToken(token).build());
            page.getModelsList().stream().map(RegisteredModel::getName).forEach(seen::add);
            token = page.getNextPageToken();
          } while (!token.isEmpty());

          assertThat(seen).containsExactly("models/public-a", "models/public-b", "models/public-c");
        } finally {
          second.afterAll(null);
        }
      } finally {
        first.afterAll(null);
      }
    } finally {
      TestRegistry.deleteRecursively(dir);
    }
  }
}
