package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import io.gantry.client.TestFixtures;
import io.gantry.v1.AttestationKey;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.Caller;
import io.gantry.v1.Evaluation;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListAliasesResponse;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.ListEvaluationsResponse;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.ListRoleBindingsResponse;
import io.gantry.v1.ListWebhooksResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.Promotion;
import io.gantry.v1.RegisteredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -o json} of every command family keeps the contract of docs/cli.md, checked key by key by
 * {@link JsonContract} (through {@link CliResult#json}): lowerCamelCase, integers as numbers, enum words, no HTML
 * escaping; streams are JSON Lines.
 */
class JsonContractCliTest {

  @RegisterExtension
  static final LocalServer gantry = new LocalServer();

  @TempDir
  static Path dir;

  @Test
  void everyCommandFamily_printsTheSameJson() throws Exception {
    Map<String, String> env = gantry.env("alice");
    CliResult.json(RegisteredModel.getDefaultInstance(), json(env, "models", "create", "fraud", "--tag", "q=a=b"));
    CliResult.json(ListModelsResponse.getDefaultInstance(), json(env, "models", "list"));

    String registered = json(env, "versions", "register", "fraud", TestFixtures.mlflowModelDirectory().toString());
    ModelVersion version = CliResult.json(ModelVersion.getDefaultInstance(), registered);
    // JsonContract checked: "version": 1 and "status": "READY"; and the requirement reads as written
    assertThat(registered).contains("\"version\": 1", "\"status\": \"READY\"", "mlflow==2.8.1");
    assertThat(version.getVersion()).isEqualTo(1);
    CliResult.json(ListModelVersionsResponse.getDefaultInstance(), json(env, "versions", "list", "fraud"));
    CliResult.json(Evaluation.getDefaultInstance(), json(env, "eval", "report", "fraud", "1", "--dataset", "holdout",
        "--metric", "auc=1", "--metric", "recall=0.5"));
    ListEvaluationsResponse evaluations = CliResult.json(ListEvaluationsResponse.getDefaultInstance(),
        json(env, "eval", "list", "models:/fraud/1"));
    assertThat(evaluations.getEvaluations(0).getMetricsMap()).containsEntry("auc", 1.0);
    CliResult.json(Struct.getDefaultInstance(), json(env, "artifacts", "download", "fraud", "1", dir.resolve("files").toString()));

    Promotion promotion = CliResult.json(Promotion.getDefaultInstance(), json(env, "promote", "fraud", "1", "--to",
        "champion"));
    assertThat(json(env, "promotions", "show", promotion.getName())).contains("\"state\": \"APPLIED\"",
        "\"kind\": \"MOVE\"");
    CliResult.json(ListPromotionsResponse.getDefaultInstance(), json(env, "promotions", "list"));
    CliResult.json(ListAliasesResponse.getDefaultInstance(), json(env, "aliases", "list", "fraud"));
    CliResult.json(ListAliasHistoryResponse.getDefaultInstance(), json(env, "aliases", "history", "fraud"));
    CliResult.json(ListPromotionPoliciesResponse.getDefaultInstance(), json(env, "policy", "list"));
    CliResult.json(ModelVersion.getDefaultInstance(), json(env, "resolve", "models:/fraud@champion"));

    CliResult.json(Caller.getDefaultInstance(), json(env, "whoami"));
    CliResult.json(ListRoleBindingsResponse.getDefaultInstance(), json(env, "roles", "list"));
    CliResult.json(ListWebhooksResponse.getDefaultInstance(), json(env, "webhooks", "list"));

    CliResult.json(ListAuditEventsResponse.getDefaultInstance(), json(env, "audit", "list", "--all"));
    String tail = json(env, "audit", "tail", "--from", "0");
    JsonContract.checkLines(tail, AuditEvent.getDescriptor());
    assertThat(tail).contains("\"action\":\"MODEL_CREATED\"", "\"seq\":1,", "\"revision\":1,")
        .doesNotContain("\"revision\":1.0");

    AttestationKey key = CliResult.json(AttestationKey.getDefaultInstance(), json(env, "attest", "key"));
    Path keyFile = Files.writeString(dir.resolve("attestation.pem"), key.getPublicKeyPem());
    Path envelope = dir.resolve("envelope.json");
    CliResult.succeed(env, "attest", "get", promotion.getName(), "--out", envelope.toString());
    JsonNode verified = JsonContract.check(json(env, "attest", "verify", envelope.toString(), "--key",
        keyFile.toString()));
    assertThat(verified.get("verified").asBoolean()).isTrue();
    assertThat(verified.get("version").isIntegralNumber()).isTrue();
    assertThat(verified.get("auditSeq").isIntegralNumber()).isTrue();

    JsonNode bench = JsonContract.check(json(env, "bench", "health", "--duration", "0.2", "--warmup", "0"));
    assertThat(bench.get("concurrency").isIntegralNumber()).isTrue();
    assertThat(bench.get("requests").isIntegralNumber()).isTrue();
    assertThat(bench.has("requestsPerS")).isTrue();
  }

  @Test
  void soak_reportsAsJson() throws Exception {
    JsonNode soak = JsonContract.check(json(gantry.env("soak"), "soak", "--duration", "1", "--workers", "1",
        "--models", "1"));
    assertThat(soak.get("ok").asBoolean()).as(soak.toString()).isTrue();
    assertThat(soak.get("workers").isIntegralNumber()).isTrue();
    assertThat(soak.get("calls").get(0).get("count").isIntegralNumber()).isTrue();
  }

  @Test
  void attestVerify_failing_printsItsVerdictAsJson() throws Exception {
    Path envelope = Files.writeString(dir.resolve("not-in-toto.json"), "{\"payloadType\": \"text/plain\"}");
    Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder()
        .encodeToString(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    CliResult result = CliResult.run(Map.of(), "attest", "verify", envelope.toString(), "--key", key.toString(),
        "-o", "json");
    assertThat(result.exitCode()).isEqualTo(GantryCli.EXIT_NOT_VERIFIED);
    JsonNode verdict = JsonContract.check(result.out());
    assertThat(verdict.get("verified").asBoolean()).isFalse();
    assertThat(verdict.get("problem").asText()).startsWith("not an in-toto envelope");
  }

  private static String json(Map<String, String> env, String... args) {
    String[] withJson = Arrays.copyOf(args, args.length + 2);
    withJson[args.length] = "-o";
    withJson[args.length + 1] = "json";
    return CliResult.succeed(env, withJson);
  }
}
