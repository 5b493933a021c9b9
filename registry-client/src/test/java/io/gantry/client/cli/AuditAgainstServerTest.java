package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.client.AuditTrailFixture;
import io.gantry.client.TestFixtures;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.InclusionProof;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.VerifyAuditLogResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit commands, run in-process, against a real server on its own embedded PostgreSQL whose log holds
 * only what these tests write. Checkpoints are published after every event, so waiting briefly gives one that
 * covers everything written so far.
 */
class AuditAgainstServerTest {

  @TempDir
  static Path dataDir;

  @TempDir
  Path files;

  private static final Path MODEL_DIR = TestFixtures.mlflowModelDirectory();

  private static GantryServer server;
  private static Map<String, String> env;

  @BeforeAll
  static void startServerAndMakeChanges() {
    server = GantryServer.start(ServerConfig.fromEnvironment(Map.of(
        "GANTRY_DATA_DIR", dataDir.toString(),
        "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0",
        "GANTRY_CHECKPOINT_INTERVAL_EVENTS", "1",
        "GANTRY_CHECKPOINT_INTERVAL_SECONDS", "1")));
    env = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_USER", "alice");

    CliResult.succeed(env, "models", "create", "fraud", "--description", "card fraud");
    // Metadata only: uploading files would add an ARTIFACT_UPLOADED event per file to the trail these tests read.
    CliResult.succeed(env, "versions", "register", "fraud", MODEL_DIR.toString(), "--no-upload", "--user", "bob");
    CliResult.succeed(env, "models", "tag", "fraud", "team=risk");
    CliResult.succeed(env, "versions", "register", "fraud", MODEL_DIR.toString(), "--no-upload");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void listShowsEachChangeWithItsActor() throws Exception {
    List<String[]> rows = CliResult.succeed(env, "audit", "list", "--resource", "models/fraud").lines()
        .map(line -> line.split(" {2,}"))
        .toList();

    assertThat(rows.get(0)).containsExactly("SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE");
    assertThat(rows.subList(1, rows.size())).extracting(row -> row[2] + " " + row[3] + " " + row[4]).containsExactly(
        "alice MODEL_CREATED models/fraud",
        "bob VERSION_CREATED models/fraud/versions/1",
        "alice TAG_SET models/fraud",
        "alice VERSION_CREATED models/fraud/versions/2");
    assertThat(rows.get(1)[1]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    ListAuditEventsResponse versions = CliResult.json(ListAuditEventsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "list", "--resource", "models/fraud", "--action", "audit_action_version_created", "-o", "json"));
    assertThat(versions.getEventsList()).extracting(AuditEvent::getResource)
        .containsExactly("models/fraud/versions/1", "models/fraud/versions/2");
    assertThat(versions.getEvents(0).getActor()).isEqualTo("bob");
    assertThat(versions.getEvents(0).getAction()).isEqualTo(AuditAction.AUDIT_ACTION_VERSION_CREATED);

    ListAuditEventsResponse byBob = CliResult.json(ListAuditEventsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "list", "--actor", "bob", "--page-size", "1", "--all", "-o", "json"));
    assertThat(byBob.getEventsList()).extracting(AuditEvent::getResource).containsExactly("models/fraud/versions/1");

    assertThat(CliResult.json(ListAuditEventsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "list", "--resource", "models/fraud", "--since", "2000-01-01", "--until", "2000-01-02", "-o", "json"))
        .getEventsCount()).isZero();
  }

  @Test
  void listPagesUntilAll() {
    List<String> firstPage =
        CliResult.succeed(env, "audit", "list", "--resource", "models/fraud", "--page-size", "3").lines().toList();

    assertThat(firstPage).hasSize(5);
    assertThat(firstPage.get(4)).startsWith("more: --page-token ");
    String token = firstPage.get(4).split(" ")[2];
    List<String> secondPage = CliResult.succeed(env, "audit", "list", "--resource", "models/fraud", "--page-size", "3",
        "--page-token", token).lines().toList();
    assertThat(secondPage).hasSize(2);
    assertThat(secondPage.get(1)).contains("models/fraud/versions/2");
  }

  @Test
  void anExportVerifiesOfflineAgainstTheCheckpointAndAnEditedOneDoesNot() throws Exception {
    Checkpoint checkpoint = awaitCheckpointCovering(logSize());
    Path cp = Files.writeString(files.resolve("cp.txt"), CliResult.succeed(env, "audit", "checkpoint"));
    Path key = Files.writeString(files.resolve("key.txt"), CliResult.succeed(env, "audit", "key"));
    Run export = run("audit", "export");
    assertThat(export.exitCode()).as(export.err()).isZero();
    Path trail = Files.write(files.resolve("trail.jsonl"), export.out());

    assertThat(Files.readString(cp)).isEqualTo(checkpoint.getSignedNote()).startsWith("gantry.local/audit\n");
    assertThat(Files.readString(key)).startsWith("gantry.local/audit+").endsWith("\n");
    List<String> lines = Files.readAllLines(trail);
    assertThat(export.err()).isEqualTo("exported " + lines.size() + " events, " + export.out().length
        + " bytes: seq 0 to " + (lines.size() - 1) + "\n");
    assertThat(lines.size()).isGreaterThanOrEqualTo((int) checkpoint.getTreeSize());
    // the export holds exactly the canonical bytes the server hashed
    ListAuditEventsResponse all = CliResult.json(ListAuditEventsResponse.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "list", "--all", "-o", "json"));
    assertThat(lines).startsWith(all.getEventsList().stream().map(AuditEvent::getCanonical).toArray(String[]::new));

    Map<String, String> verified = CliResult.fields(CliResult.succeed(env, 
        "audit", "verify", "--file", trail.toString(), "--checkpoint", cp.toString(), "--key", "@" + key,
        "--target", "127.0.0.1:1"));
    assertThat(verified).containsEntry("ok", "true").containsEntry("origin", "gantry.local/audit")
        .containsEntry("tree_size", Long.toString(checkpoint.getTreeSize()))
        .containsEntry("root", Cells.hex(checkpoint.getRootHash().toByteArray()));

    List<String> edited = new ArrayList<>(lines);
    edited.set(1, edited.get(1).replace("\"actor\":\"bob\"", "\"actor\":\"mallory\""));
    assertThat(edited.get(1)).contains("mallory");
    Path tampered = Files.write(files.resolve("tampered.jsonl"), edited);
    CliResult failed = CliResult.run(env, "audit", "verify",
        "--file", tampered.toString(), "--checkpoint", cp.toString(), "--key", Files.readString(key).strip());
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(failed.out())).containsEntry("ok", "false").containsEntry("verdict", "NOT verified");

    CliResult wrongKey = CliResult.run(env, "audit", "verify",
        "--file", trail.toString(), "--checkpoint", cp.toString(),
        "--key", AuditTrailFixture.otherKey("gantry.local/audit"));
    assertThat(wrongKey.exitCode()).isEqualTo(1);
  }

  @Test
  void aRangeOfTheLogExportsAlone() {
    Run export = run("audit", "export", "--from", "1", "--to", "3");

    assertThat(export.exitCode()).isZero();
    List<String> lines = new String(export.out(), StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"seq\":1,").contains("\"actor\":\"bob\"");
    assertThat(lines.get(1)).contains("\"seq\":2,");
    assertThat(export.err()).isEqualTo("exported 2 events, " + export.out().length + " bytes: seq 1 to 2\n");
  }

  @Test
  void theServerVerifiesTheWholeLog() throws Exception {
    Map<String, String> table = CliResult.fields(CliResult.succeed(env, "audit", "verify"));
    assertThat(table).containsEntry("ok", "true").containsKeys("events_checked", "tree_size", "root")
        .doesNotContainKeys("problem", "first_bad_seq");

    VerifyAuditLogResponse response = CliResult.json(VerifyAuditLogResponse.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "verify", "-o", "json"));
    assertThat(response.getOk()).isTrue();
    assertThat(response.getEventsChecked()).isGreaterThanOrEqualTo(4);
    assertThat(response.getRootHash().size()).isEqualTo(32);
  }

  @Test
  void theFirstEventIsProvenInTheSignedTree() throws Exception {
    Checkpoint checkpoint = awaitCheckpointCovering(logSize());

    Map<String, String> proof = CliResult.fields(CliResult.succeed(env, "audit", "prove", "0"));
    assertThat(proof).containsEntry("seq", "0")
        .containsEntry("tree_size", Long.toString(checkpoint.getTreeSize()))
        .containsEntry("checkpoint", "gantry.local/audit, size " + checkpoint.getTreeSize() + ", root "
            + Cells.hex(checkpoint.getRootHash().toByteArray()))
        .hasEntrySatisfying("leaf_hash", hash -> assertThat(hash).matches("[0-9a-f]{64}"))
        .hasEntrySatisfying("path", hash -> assertThat(hash).matches("[0-9a-f]{64}"))
        .hasEntrySatisfying("verified", verdict -> assertThat(verdict).startsWith("yes: event 0 is leaf 0 of the "));

    InclusionProof json = CliResult.json(InclusionProof.getDefaultInstance(), CliResult.succeed(env, 
        "audit", "prove", "2", "--size", Long.toString(checkpoint.getTreeSize()), "-o", "json"));
    assertThat(json.getSeq()).isEqualTo(2);
    assertThat(json.getTreeSize()).isEqualTo(checkpoint.getTreeSize());

    CliResult otherKey = CliResult.run(env, "audit", "prove", "0", "--key",
        AuditTrailFixture.otherKey("gantry.local/audit"));
    assertThat(otherKey.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(otherKey.out())).hasEntrySatisfying("verified",
        verdict -> assertThat(verdict).startsWith("no: checkpoint: "));
  }

  @Test
  void tailPrintsTheLastEventsUpToTheEnd() throws Exception {
    long size = logSize();

    List<String> tail = CliResult.succeed(env, "audit", "tail").lines().toList();
    assertThat(tail.get(0).split(" +")).containsExactly("SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE");
    assertThat(tail).hasSize((int) Math.min(size, AuditCommand.TAIL_DEFAULT) + 1);
    assertThat(tail.get(tail.size() - 1)).startsWith(Long.toString(size - 1) + " ");

    List<String> fromOne = CliResult.succeed(env, "audit", "tail", "--from", "1", "-o", "json").lines().toList();
    assertThat(fromOne).hasSize((int) size - 1);
    assertThat(CliResult.json(AuditEvent.getDefaultInstance(), fromOne.get(0)).getSeq()).isEqualTo(1);
    assertThat(CliResult.json(AuditEvent.getDefaultInstance(), fromOne.get(0)).getActor()).isEqualTo("bob");

    assertThat(CliResult.succeed(env, "audit", "tail", "--from", Long.toString(size + 5)).lines()).hasSize(1);
  }

  @Test
  void tailFollowsNewEventsUntilInterrupted() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread follower = new Thread(() -> exitCode.set(GantryCli.run(new String[] {"audit", "tail", "-f"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env)));
    follower.start();
    try {
      awaitOutput(out, "SEQ");
      CliResult.succeed(env, "models", "create", "followed", "--user", "carol");
      awaitOutput(out, "models/followed");
    } finally {
      follower.interrupt();
      follower.join(Duration.ofSeconds(10).toMillis());
    }

    assertThat(follower.isAlive()).isFalse();
    assertThat(exitCode.get()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String lastRow = out.toString(StandardCharsets.UTF_8).lines().reduce((first, second) -> second).orElseThrow();
    assertThat(lastRow.split(" +")).endsWith("carol", "MODEL_CREATED", "models/followed");
  }

  @Test
  void aMissingCheckpointSizeIsNotFound() {
    CliResult result = CliResult.run(env, "audit", "checkpoint", "--size", "1000000");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).startsWith("error: NOT_FOUND");
  }

  /** The number of events in the log now. */
  private static long logSize() {
    return new String(run("audit", "export").out(), StandardCharsets.UTF_8).lines().count();
  }

  private static Checkpoint awaitCheckpointCovering(long size) {
    return await("a checkpoint covering " + size + " events").atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> CliResult.json(Checkpoint.getDefaultInstance(),
            CliResult.succeed(env, "audit", "checkpoint", "-o", "json")), latest -> latest.getTreeSize() >= size);
  }

  private static void awaitOutput(ByteArrayOutputStream out, String text) {
    await("output containing " + text).atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50)).until(() -> out.toString(StandardCharsets.UTF_8).contains(text));
  }

  /** A run whose standard output is kept as bytes: an export must arrive unchanged. */
  private record Run(int exitCode, byte[] out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode = GantryCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Run(exitCode, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
