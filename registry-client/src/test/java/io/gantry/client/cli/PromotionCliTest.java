package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Struct;
import io.gantry.client.TestFixtures;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.EffectivePolicy;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.ListPromotionsResponse;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gated promotion walkthrough of the README, through the CLI against a real server, under the shipped
 * champion policy (docs/examples/champion-policy.yaml) bound to one model only. Erin registers versions, Carol
 * requests promotions, Alice, Bob and Dana review.
 */
class PromotionCliTest {

  private static final Path CHAMPION_POLICY = Path.of("..", "docs", "examples", "champion-policy.yaml");
  private static final String MODEL_DIR = TestFixtures.nycTaxiModelDirectory().toString();

  @TempDir
  static Path dataDir;

  @TempDir
  Path workDir;

  private static GantryServer server;

  @BeforeAll
  static void startServer() {
    server = GantryServer.start(ServerConfig.fromEnvironment(
        Map.of("GANTRY_DATA_DIR", dataDir.toString(), "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0")));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void aVersionBecomesChampionAfterTwoReviewers_andTheRequesterCannotBeOne() throws Exception {
    String model = championModel();
    registerVersion(model, "5.43");
    assertThat(promote("carol", model, "1", "--to", "staging").exitCode()).isZero();

    CliResult dryRun = promote("carol", model, "1", "--to", "champion", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(CliResult.fields(CliResult.sections(dryRun.out()).get(0)))
        .contains(entry("state", "AWAITING_APPROVAL"), entry("dry_run", "true: nothing was written"));
    assertThat(CliResult.json(ListPromotionsResponse.getDefaultInstance(), CliResult.succeed(as("carol"),
        "promotions", "list", "--model", model, "--alias", "champion", "-o", "json")).getPromotionsList())
        .as("a dry run writes nothing").isEmpty();

    CliResult requested = promote("carol", model, "1", "--to", "champion", "--justification", "lower rmse on June");
    assertThat(requested.exitCode()).as(requested.err()).isZero();
    List<String> sections = CliResult.sections(requested.out());
    Map<String, String> promotion = CliResult.fields(sections.get(0));
    assertThat(promotion).contains(entry("kind", "MOVE"), entry("model", "models/" + model),
        entry("alias", "champion"), entry("version", "1"), entry("state", "AWAITING_APPROVAL"));
    assertThat(promotion.get("state_reason")).startsWith("waiting for approvals: ");
    List<List<String>> verdicts = CliResult.rows(sections.get(1));
    assertThat(verdicts.get(0)).containsExactly("POLICY", "OUTCOME", "MESSAGE");
    assertThat(verdicts.subList(1, verdicts.size())).extracting(row -> row.get(0) + " " + row.get(1)).containsExactly(
        "signature-required PASS", "signature-compatible PASS", "metric-threshold PASS", "beats-current PASS",
        "required-tags PASS", "dependencies-pinned PASS", "prior-alias PASS", "approvals PENDING");
    String id = promotion.get("name").substring("promotions/".length());

    CliResult selfApproval = CliResult.run(as("carol"), "approve", id);
    assertThat(selfApproval.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(selfApproval.err()).startsWith("error: PERMISSION_DENIED (NOT_ALLOWED): ")
        .contains("the requester of a promotion may not approve it");

    Promotion oneApproval = CliResult.json(Promotion.getDefaultInstance(),
        CliResult.succeed(as("alice"), "approve", id, "--comment", "checked the June backtest", "-o", "json"));
    assertThat(oneApproval.getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);

    String applied = CliResult.succeed(as("bob"), "approve", "promotions/" + id);
    assertThat(CliResult.fields(CliResult.sections(applied).get(0))).contains(entry("state", "APPLIED"))
        .hasEntrySatisfying("state_reason", reason -> assertThat(reason).startsWith("alias moved from no version "
            + "to version 1"));

    assertThat(CliResult.fields(CliResult.succeed(as("dana"), "resolve", "models:/" + model + "@champion"))).contains(
        entry("name", "models/" + model + "/versions/1"),
        entry("version", "1"),
        entry("status", "READY"),
        entry("run_id", "8e5d1a0c4f2b4e6f9a7b3c1d2e0f4a5b"),
        entry("tags.git_commit", "9f2c1e7"),
        entry("tags.data_version", "2024-06"),
        entry("signature.inputs", "3 columns"),
        entry("requirements", "mlflow==2.16.2, scikit-learn==1.5.2, pandas==2.2.3"),
        entry("metrics.test.rmse", "5.43"));

    List<String> shown = CliResult.sections(CliResult.succeed(as("dana"), "promotions", "show", id));
    assertThat(CliResult.fields(shown.get(0))).contains(entry("requester", "carol"),
        entry("justification", "lower rmse on June"), entry("current_version", "0"), entry("state", "APPLIED"));
    assertThat(CliResult.rows(shown.get(1))).anySatisfy(row -> assertThat(row).startsWith("approvals", "PASS"));
    List<List<String>> decisions = CliResult.rows(shown.get(2));
    assertThat(decisions.get(0)).containsExactly("PRINCIPAL", "DECISION", "COUNTS", "TIME", "COMMENT");
    assertThat(decisions.get(1)).startsWith("alice", "approved", "yes").endsWith("checked the June backtest");
    assertThat(decisions.get(2)).startsWith("bob", "approved", "yes");

    List<List<String>> aliases = CliResult.rows(CliResult.succeed(as("dana"), "aliases", "list", model));
    assertThat(aliases.get(0)).containsExactly("ALIAS", "VERSION", "REVISION", "UPDATED", "UPDATED_BY", "PROMOTION");
    assertThat(aliases.subList(1, aliases.size())).extracting(row -> row.get(0) + "=" + row.get(1))
        .containsExactly("champion=1", "staging=1");
    assertThat(aliases.get(1)).contains("bob", "promotions/" + id);

    List<List<String>> history = CliResult.rows(CliResult.succeed(as("dana"), "aliases", "history", model));
    assertThat(history.get(0)).containsExactly("TIME", "ALIAS", "FROM → TO", "MOVED_BY", "PROMOTION");
    assertThat(history.subList(1, history.size())).extracting(row -> row.subList(1, 4)).containsExactly(
        List.of("champion", "- → 1", "bob"), List.of("staging", "- → 1", "carol"));
    assertThat(history.get(1).get(4)).isEqualTo("promotions/" + id);
  }

  @Test
  void policySet_sendsEveryBindingOfTheFile_andPolicyShowReadsTheSetThatGatesAnAlias() throws Exception {
    String model = TestFixtures.uniqueModel("nyc-taxi-policy");
    Path policyFile = championPolicyFor(model);

    List<List<String>> set = CliResult.rows(CliResult.succeed(as("admin"), "policy", "set", "--file",
        policyFile.toString()));
    assertThat(set.get(0)).containsExactly("MODELS", "ALIAS", "PURPOSE", "RESULT", "DIGEST");
    assertThat(set.subList(1, set.size())).extracting(row -> String.join(" ", row.subList(0, 4))).containsExactly(
        model + " champion promote set (8 policies)", model + " champion rollback set (2 policies)",
        model + " champion remove set (1 policy)");
    assertThat(set.subList(1, set.size())).allSatisfy(row -> assertThat(row.get(4)).matches("[0-9a-f]{64}"));

    EffectivePolicy promote = CliResult.json(EffectivePolicy.getDefaultInstance(),
        CliResult.succeed(as("carol"), "policy", "show", model, "champion", "-o", "json"));
    assertThat(promote.getPurpose()).isEqualTo("promote");
    assertThat(promote.getBindingsList()).extracting(PolicyBinding::getModelPattern).containsExactly(model);
    assertThat(promote.getBindings(0).getPolicies(2).getParams().getFieldsOrThrow("value").getNumberValue())
        .isEqualTo(5.6);

    List<String> shown = CliResult.sections(CliResult.succeed(as("carol"), "policy", "show", model, "champion",
        "--purpose", "rollback"));
    assertThat(CliResult.fields(shown.get(0))).contains(entry("alias", "champion"), entry("purpose", "rollback"),
        entry("bindings", "1"));
    assertThat(CliResult.fields(shown.get(0)).get("policy_set_digest")).matches("[0-9a-f]{64}")
        .isNotEqualTo(promote.getPolicySetDigest());
    assertThat(CliResult.rows(shown.get(1))).containsExactly(
        List.of("MODELS", "PURPOSE", "POLICY", "PARAMS"),
        List.of(model, "rollback", "signature-required"),
        List.of("", "approvals", "count=1, approvers=[alice, bob, dana]"));

    ListPromotionPoliciesResponse all = CliResult.json(ListPromotionPoliciesResponse.getDefaultInstance(),
        CliResult.succeed(as("carol"), "policy", "list", "-o", "json"));
    assertThat(all.getBindingsList()).filteredOn(binding -> binding.getModelPattern().equals(model))
        .extracting(PolicyBinding::getPurpose).containsExactlyInAnyOrder("promote", "rollback", "remove");
    assertThat(CliResult.rows(CliResult.succeed(as("carol"), "policy", "list")))
        .anySatisfy(row -> assertThat(row).startsWith(model, "champion", "remove").endsWith("admin", "approvals"));

    Files.writeString(policyFile, """
        bindings:
          - models: "%s"
            alias: champion
            purpose: remove
            policies: []
        """.formatted(model));
    ListPromotionPoliciesResponse removed = CliResult.json(ListPromotionPoliciesResponse.getDefaultInstance(),
        CliResult.succeed(as("admin"), "policy", "set", "--file", policyFile.toString(), "-o", "json"));
    assertThat(removed.getBindingsList()).singleElement()
        .satisfies(binding -> assertThat(binding.getPoliciesList()).isEmpty());
    assertThat(CliResult.rows(CliResult.succeed(as("admin"), "policy", "list")))
        .noneSatisfy(row -> assertThat(row).startsWith(model, "champion", "remove"));
  }

  @Test
  void aMalformedPolicyFileIsReportedWithItsLine_andNothingIsSent() throws Exception {
    String model = TestFixtures.uniqueModel("nyc-taxi-malformed");
    Path policyFile = workDir.resolve("policy.yaml");
    Files.writeString(policyFile, """
        bindings:
          - models: "%s"
            alias: champion
            policies:
              - type: metric-threshold
                parms: {metric: rmse}
        """.formatted(model));

    CliResult result = CliResult.run(as("admin"), "policy", "set", "--file", policyFile.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("error: " + policyFile + ":6: bindings[0].policies[0]: unknown key 'parms'");
    assertThat(CliResult.succeed(as("admin"), "policy", "list")).doesNotContain(model);
  }

  @Test
  void aRejectedPromotionExitsSeven_namingTheFailingPolicy_andListsByState() throws Exception {
    String model = championModel();
    registerVersion(model, "5.9");
    CliResult.succeed(as("carol"), "promote", model, "1", "--to", "staging");

    CliResult refused = promote("carol", model, "1", "--to", "champion");

    assertThat(refused.exitCode()).isEqualTo(7);
    assertThat(refused.err()).startsWith("rejected: refused by metric-threshold: ").contains("5.9", "5.6");
    List<String> sections = CliResult.sections(refused.out());
    assertThat(CliResult.fields(sections.get(0))).contains(entry("state", "REJECTED"));
    assertThat(CliResult.rows(sections.get(1))).anySatisfy(row ->
        assertThat(row).startsWith("metric-threshold", "FAIL").last().asString().contains("rmse"));

    CliResult refusedAsJson = promote("carol", "models:/" + model + "/1", "--to", "champion", "-o", "json");
    assertThat(refusedAsJson.exitCode()).isEqualTo(7);
    assertThat(CliResult.json(Promotion.getDefaultInstance(), refusedAsJson.out()).getState())
        .isEqualTo(PromotionState.PROMOTION_STATE_REJECTED);

    ListPromotionsResponse rejected = CliResult.json(ListPromotionsResponse.getDefaultInstance(), CliResult.succeed(
        as("dana"), "promotions", "list", "--model", model, "--state", "rejected", "-o", "json"));
    assertThat(rejected.getPromotionsList()).hasSize(2)
        .allSatisfy(p -> assertThat(p.getAlias()).isEqualTo("champion"));
    List<List<String>> applied = CliResult.rows(CliResult.succeed(as("dana"),
        "promotions", "list", "--model", model, "--state", "APPLIED", "--requester", "carol", "--alias", "staging"));
    assertThat(applied.get(0)).containsExactly(
        "ID", "MODEL", "ALIAS", "KIND", "VERSION", "STATE", "REQUESTER", "CREATED", "REASON");
    assertThat(applied).hasSize(2);
    assertThat(applied.get(1).get(0)).matches("[0-9a-f-]{36}");
    assertThat(applied.get(1).subList(1, 7)).containsExactly(model, "staging", "MOVE", "1", "APPLIED", "carol");
    assertThat(CliResult.succeed(as("dana"), "promotions", "list", "--model", model, "--requester", "quote\"d\\"))
        .as("a value with quotes is one string to the filter").isEqualTo(
            "ID  MODEL  ALIAS  KIND  VERSION  STATE  REQUESTER  CREATED  REASON\n");
  }

  @Test
  void rollbackNeedsOneReviewer_andResolveAsOfAnswersFromTheHistory() throws Exception {
    String model = championModel();
    makeChampion(model, "5.5");
    Instant v1Champion = Instant.now();
    makeChampion(model, "5.3");
    Instant v2Champion = Instant.now();

    CliResult mismatch = promote("carol", model, "2", "--to", "champion", "--expect-current", "1");
    assertThat(mismatch.exitCode()).isEqualTo(5);
    assertThat(mismatch.err()).startsWith("error: FAILED_PRECONDITION (CURRENT_VERSION_MISMATCH): ");

    CliResult rollback = CliResult.run(as("carol"), "rollback", model, "champion", "--justification", "p99 regressed");
    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    Map<String, String> requested = CliResult.fields(CliResult.sections(rollback.out()).get(0));
    assertThat(requested).contains(entry("kind", "ROLLBACK"), entry("version", "1"),
        entry("state", "AWAITING_APPROVAL"));
    assertThat(CliResult.fields(CliResult.sections(CliResult.succeed(as("dana"), "approve", requested.get("name")))
        .get(0))).contains(entry("state", "APPLIED"));
    assertThat(CliResult.fields(CliResult.succeed(as("dana"), "resolve", "models:/" + model + "@champion")))
        .contains(entry("version", "1"));

    assertThat(CliResult.fields(CliResult.succeed(as("dana"), "resolve", "models:/" + model + "@champion",
        "--as-of", v1Champion.toString()))).contains(entry("version", "1"));
    assertThat(CliResult.fields(CliResult.succeed(as("dana"), "resolve", "models/" + model + "/aliases/champion",
        "--as-of", v2Champion.atOffset(ZoneOffset.ofHours(2)).toString()))).contains(entry("version", "2"));
    CliResult beforeAnyMove = CliResult.run(as("dana"), "resolve", "models:/" + model + "@champion",
        "--as-of", "2000-01-01");
    assertThat(beforeAnyMove.exitCode()).isEqualTo(3);
    assertThat(beforeAnyMove.err()).contains("ALIAS_NOT_FOUND", "had no alias 'champion' at 2000-01-01T00:00:00Z");
    assertThat(CliResult.fields(CliResult.succeed(as("dana"), "resolve", "models:/" + model + "/2")))
        .contains(entry("version", "2"));

    ListAliasHistoryResponse history = CliResult.json(ListAliasHistoryResponse.getDefaultInstance(),
        CliResult.succeed(as("dana"), "aliases", "history", model, "champion", "--page-size", "1", "--all",
            "-o", "json"));
    assertThat(history.getMovesList()).extracting(move -> move.getFromVersion() + "→" + move.getToVersion())
        .containsExactly("2→1", "1→2", "0→1");
  }

  @Test
  void reviewersReject_requestersCancel_andARemovalNeedsTwoReviewers() throws Exception {
    String model = championModel();
    makeChampion(model, "5.5");
    registerVersion(model, "5.2");
    CliResult.succeed(as("carol"), "promote", model, "2", "--to", "staging");

    String first = promotionName(promote("carol", model, "2", "--to", "champion"));
    String rejected = CliResult.succeed(as("bob"), "reject", first, "--comment", "wait for the holiday data");
    assertThat(CliResult.fields(CliResult.sections(rejected).get(0))).contains(entry("state", "REJECTED"),
        entry("state_reason", "rejected by bob: wait for the holiday data"));
    CliResult notPending = CliResult.run(as("alice"), "approve", first);
    assertThat(notPending.exitCode()).isEqualTo(5);
    assertThat(notPending.err()).contains("PROMOTION_NOT_PENDING");

    String second = promotionName(promote("carol", model, "2", "--to", "champion"));
    CliResult notTheirs = CliResult.run(as("alice"), "cancel", second);
    assertThat(notTheirs.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(notTheirs.err()).contains("PERMISSION_DENIED", "only the requester (carol) may cancel");
    assertThat(CliResult.fields(CliResult.sections(CliResult.succeed(as("carol"), "cancel", second)).get(0)))
        .contains(entry("state", "CANCELLED"), entry("state_reason", "cancelled by carol"));

    CliResult removal = CliResult.run(as("carol"), "aliases", "remove", model, "champion", "--justification",
        "retire the model");
    assertThat(removal.exitCode()).as(removal.err()).isZero();
    Map<String, String> removing = CliResult.fields(CliResult.sections(removal.out()).get(0));
    assertThat(removing).contains(entry("kind", "REMOVE"), entry("state", "AWAITING_APPROVAL"))
        .doesNotContainKey("version");
    CliResult.succeed(as("alice"), "approve", removing.get("name"));
    CliResult.succeed(as("bob"), "approve", removing.get("name"));
    CliResult gone = CliResult.run(as("dana"), "resolve", "models:/" + model + "@champion");
    assertThat(gone.exitCode()).isEqualTo(3);
    assertThat(gone.err()).contains("ALIAS_NOT_FOUND");
  }

  @Test
  void malformedNamesAreUsageErrors() {
    CliResult promotion = CliResult.run(as("alice"), "approve", "models/taxi");
    assertThat(promotion.exitCode()).isEqualTo(2);
    assertThat(promotion.err()).contains("expected a promotion as its id or promotions/ID");

    CliResult uri = CliResult.run(as("alice"), "resolve", "models:/taxi");
    assertThat(uri.exitCode()).isEqualTo(2);
    assertThat(uri.err()).contains("expected models:/MODEL@ALIAS or models:/MODEL/VERSION, got 'models:/taxi'");

    CliResult asOfVersion = CliResult.run(as("alice"), "resolve", "models:/taxi/3", "--as-of", "2026-11-22");
    assertThat(asOfVersion.exitCode()).isEqualTo(2);
    assertThat(asOfVersion.err()).contains("--as-of applies to an alias");

    CliResult state = CliResult.run(as("alice"), "promotions", "list", "--state", "done");
    assertThat(state.exitCode()).isEqualTo(2);
    assertThat(state.err()).contains("unknown state 'done'; one of REJECTED, AWAITING_APPROVAL, APPLIED");
  }

  @Test
  void benchResolveComparesWithHealth_andBenchPromoteTimesPromotionsUntilApplied() throws Exception {
    String model = TestFixtures.uniqueModel("bench-promote");

    Struct promote = CliResult.json(Struct.getDefaultInstance(), CliResult.succeed(as("carol"),
        "bench", "promote", "--model", model, "--alias", "canary", "--requests", "6", "--warmup", "0",
        "-o", "json"));
    assertThat(promote.getFieldsOrThrow("requests").getNumberValue()).isEqualTo(6);
    assertThat(promote.getFieldsOrThrow("applied").getNumberValue()).isEqualTo(6);
    assertThat(promote.getFieldsOrThrow("versions").getNumberValue()).isEqualTo(2);
    assertThat(promote.getFieldsOrThrow("p99Ms").getNumberValue()).isPositive();
    ListAliasHistoryResponse moves = CliResult.json(ListAliasHistoryResponse.getDefaultInstance(),
        CliResult.succeed(as("carol"), "aliases", "history", model, "canary", "--all", "-o", "json"));
    assertThat(moves.getMovesList()).as("the first promotion checks the alias, then six are measured").hasSize(7)
        .extracting(move -> move.getToVersion()).containsExactly(1L, 2L, 1L, 2L, 1L, 2L, 1L);

    Struct resolve = CliResult.json(Struct.getDefaultInstance(), CliResult.succeed(as("carol"),
        "bench", "resolve", "--model", model, "--alias", "canary", "--concurrency", "2", "--duration", "0.5",
        "--warmup", "0", "-o", "json"));
    assertThat(resolve.getFieldsOrThrow("requests").getNumberValue()).isPositive();
    assertThat(resolve.getFieldsOrThrow("errors").getNumberValue()).isZero();
    double ratio = resolve.getFieldsOrThrow("ratioToHealth").getNumberValue();
    assertThat(ratio).isEqualTo(resolve.getFieldsOrThrow("requestsPerS").getNumberValue()
        / resolve.getFieldsOrThrow("healthRequestsPerS").getNumberValue(), within(1e-9));

    String gated = championModel();
    registerVersion(gated, "5.5");
    CliResult refused = CliResult.run(as("carol"), "bench", "promote", "--model", gated, "--alias", "champion",
        "--requests", "1", "--warmup", "0");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("bench promote needs an alias whose policies apply at once");
  }

  /** A new model gated by the champion policy file, rewritten to bind this model only. */
  private String championModel() throws IOException {
    String model = TestFixtures.uniqueModel("nyc-taxi-duration");
    CliResult.succeed(as("admin"), "policy", "set", "--file", championPolicyFor(model).toString());
    CliResult.succeed(as("erin"), "models", "create", model);
    return model;
  }

  private Path championPolicyFor(String model) throws IOException {
    String yaml = Files.readString(CHAMPION_POLICY);
    assertThat(yaml).contains("models: \"nyc-taxi-*\"");
    Path file = workDir.resolve(model + ".yaml");
    Files.writeString(file, yaml.replace("models: \"nyc-taxi-*\"", "models: \"" + model + "\""));
    return file;
  }

  /** Registers the next version with both provenance tags and rmse on test (and validation), as Erin. */
  private static ModelVersion registerVersion(String model, String testRmse) throws Exception {
    ModelVersion version = CliResult.json(ModelVersion.getDefaultInstance(), CliResult.succeed(as("erin"),
        "versions", "register", model, MODEL_DIR, "--tag", "git_commit=9f2c1e7", "--tag", "data_version=2024-06",
        "-o", "json"));
    String number = Long.toString(version.getVersion());
    CliResult.succeed(as("erin"), "eval", "report", model, number, "--dataset", "validation",
        "--metric", "rmse=" + (Double.parseDouble(testRmse) - 0.2));
    CliResult.succeed(as("erin"), "eval", "report", model, number, "--dataset", "test", "--metric", "rmse=" + testRmse);
    return version;
  }

  /** Registers the next version and takes it through staging to champion, approved by Alice and Bob. */
  private static void makeChampion(String model, String testRmse) throws Exception {
    String version = Long.toString(registerVersion(model, testRmse).getVersion());
    CliResult.succeed(as("carol"), "promote", model, version, "--to", "staging");
    String name = promotionName(promote("carol", model, version, "--to", "champion"));
    CliResult.succeed(as("alice"), "approve", name);
    Promotion applied = CliResult.json(Promotion.getDefaultInstance(),
        CliResult.succeed(as("bob"), "approve", name, "-o", "json"));
    assertThat(applied.getState()).as(applied.getStateReason()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
  }

  private static CliResult promote(String user, String... arguments) {
    List<String> command = new ArrayList<>(List.of("promote"));
    command.addAll(List.of(arguments));
    return CliResult.run(as(user), command.toArray(String[]::new));
  }

  private static String promotionName(CliResult result) {
    assertThat(result.exitCode()).as(result.err()).isZero();
    return CliResult.fields(CliResult.sections(result.out()).get(0)).get("name");
  }

  private static Map<String, String> as(String user) {
    return Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", user);
  }
}
