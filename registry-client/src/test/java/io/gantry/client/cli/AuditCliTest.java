package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import io.gantry.client.AuditTrailFixture;
import io.gantry.v1.AuditAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** The audit commands before, or without, reaching a server: arguments, and the offline verification. */
class AuditCliTest {

  // Nothing listens on port 1: a command that gets as far as calling fails UNAVAILABLE (6), not 2.
  private static final Map<String, String> NO_SERVER = Map.of("GANTRY_TARGET", "127.0.0.1:1");

  @TempDir
  Path dir;

  @Test
  void actionsAreAcceptedByShortOrFullNameInAnyCase() {
    AuditArguments.ActionConverter actions = new AuditArguments.ActionConverter();

    assertThat(actions.convert("MODEL_CREATED")).isEqualTo(AuditAction.AUDIT_ACTION_MODEL_CREATED);
    assertThat(actions.convert("version_created")).isEqualTo(AuditAction.AUDIT_ACTION_VERSION_CREATED);
    assertThat(actions.convert("audit_action_Alias_Moved")).isEqualTo(AuditAction.AUDIT_ACTION_ALIAS_MOVED);
    assertThat(actions.convert("AUDIT_ACTION_PERMISSION_DENIED")).isEqualTo(AuditAction.AUDIT_ACTION_PERMISSION_DENIED);
    assertThat(actions.convert("tag-set")).isEqualTo(AuditAction.AUDIT_ACTION_TAG_SET);
    assertThatThrownBy(() -> actions.convert("UNSPECIFIED")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> actions.convert("AUDIT_ACTION_UNSPECIFIED")).isInstanceOf(TypeConversionException.class);
    assertThat(AuditArguments.actionName(AuditAction.AUDIT_ACTION_EVALUATION_REPORTED))
        .isEqualTo("EVALUATION_REPORTED");
  }

  @Test
  void anUnknownActionIsAUsageErrorListingTheValidOnes() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "list", "--action", "MODEL_RENAMED");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("unknown action 'MODEL_RENAMED'; one of MODEL_CREATED, MODEL_UPDATED, MODEL_DELETED, TAG_SET")
        .contains("PROMOTION_REFUSED")
        .doesNotContain("UNSPECIFIED", "UNRECOGNIZED");
  }

  @Test
  void aValidActionGetsAsFarAsTheServer() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "list", "--action", "audit_action_model_created",
        "--resource", "models/fraud", "--actor", "alice", "--since", "2024-05-01", "--until", "2024-05-02T00:00:00Z");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(6);
  }

  @Test
  void timesAreRfc3339OrDates() {
    TimeConverter times = new TimeConverter();

    assertThat(times.convert("2024-05-01T12:00:00Z")).isEqualTo(seconds(1_714_564_800));
    assertThat(times.convert("2024-05-01t14:00:00+02:00")).isEqualTo(seconds(1_714_564_800));
    assertThat(times.convert("2024-05-01 12:00:00.250Z"))
        .isEqualTo(seconds(1_714_564_800).toBuilder().setNanos(250_000_000).build());
    assertThat(times.convert("2024-05-01")).isEqualTo(seconds(1_714_521_600));
    assertThatThrownBy(() -> times.convert("2024-05-01T12:00:00")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> times.convert("yesterday")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void aBadTimeIsAUsageError() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "list", "--since", "last tuesday");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--since", "expected an RFC 3339 time such as 2024-05-01T12:00:00Z",
        "got 'last tuesday'");
  }

  @Test
  void sinceMustComeBeforeUntil() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "list", "--since", "2024-05-02", "--until", "2024-05-01");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--since must be before --until");
  }

  @Test
  void anExportRangeMustBeARange() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "export", "--from", "5", "--to", "5");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("expected 0 <= --from < --to");
  }

  @Test
  void helpListsTheAuditCommands() {
    assertThat(CliResult.run(Map.of(), "--help").out()).contains("audit");
    assertThat(CliResult.run(Map.of(), "audit", "--help").out())
        .contains("list", "tail", "export", "checkpoint", "key", "verify", "prove");
    assertThat(CliResult.run(Map.of(), "audit", "verify", "--help").out())
        .contains("--file", "--checkpoint", "--key", "Exit code 0 when the log verifies, 1 when it does not");
  }

  @Test
  void offlineVerificationPassesOnAnUntouchedExport() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);

    CliResult result = verifyOffline(log.export(), log.checkpoint(6), log.verifierKey());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).isEmpty();
    Map<String, String> fields = CliResult.fields(result.out());
    assertThat(fields).containsEntry("ok", "true")
        .containsEntry("origin", AuditTrailFixture.ORIGIN)
        .containsEntry("tree_size", "6")
        .containsEntry("root", Cells.hex(log.root(6)))
        .containsEntry("events_checked", "6")
        .containsEntry("verdict", "verified: the export holds exactly the 6 events the checkpoint signs")
        .doesNotContainKeys("not_covered", "problem", "first_bad_seq");
  }

  @Test
  void offlineVerificationReadsTheKeyFromAFileAndPrintsJson() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);
    Path key = Files.writeString(dir.resolve("key.txt"), log.verifierKey() + "\n");

    CliResult result = verifyOffline(log.export(), log.checkpoint(6), "@" + key, "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    Struct report = CliResult.json(Struct.getDefaultInstance(), result.out());
    assertThat(report.getFieldsOrThrow("ok").getBoolValue()).isTrue();
    assertThat(report.getFieldsOrThrow("treeSize").getNumberValue()).isEqualTo(6);
  }

  @Test
  void eventsAfterTheCheckpointAreReportedAsNotCovered() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);

    CliResult result = verifyOffline(log.export(), log.checkpoint(4), log.verifierKey());

    assertThat(result.exitCode()).isZero();
    assertThat(CliResult.fields(result.out()))
        .containsEntry("events_checked", "6")
        .containsEntry("not_covered", "2 later events (seq 4 to 5) not covered by the checkpoint");
  }

  @Test
  void anEditedLineFailsOfflineVerification() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);
    String edited = log.export().replace("\"resource\":\"models/m2\"", "\"resource\":\"models/m9\"");

    CliResult result = verifyOffline(edited, log.checkpoint(6), log.verifierKey());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(result.out())).containsEntry("ok", "false").containsEntry("verdict", "NOT verified")
        .hasEntrySatisfying("problem", problem -> assertThat(problem).contains("not the checkpoint's"));
  }

  @Test
  void aDeletedLineNamesTheSeqOfTheGap() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);
    List<String> lines = new ArrayList<>(log.lines());
    lines.remove(3);

    CliResult result = verifyOffline(String.join("\n", lines) + "\n", log.checkpoint(6), log.verifierKey());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(result.out())).containsEntry("ok", "false").containsEntry("first_bad_seq", "3")
        .containsEntry("problem", "line 4: seq 4 where seq 3 belongs: seq 3 is missing or out of order");
  }

  @Test
  void aWrongKeyFailsOfflineVerification() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);

    CliResult result = verifyOffline(log.export(), log.checkpoint(6), AuditTrailFixture.otherKey());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(result.out())).containsEntry("ok", "false")
        .hasEntrySatisfying("problem", problem -> assertThat(problem).startsWith("checkpoint: "))
        .doesNotContainKey("first_bad_seq");
  }

  @Test
  void aCheckpointLargerThanTheExportFails() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(6);
    String firstFour = String.join("\n", log.lines().subList(0, 4)) + "\n";

    CliResult result = verifyOffline(firstFour, log.checkpoint(6), log.verifierKey());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(CliResult.fields(result.out())).containsEntry("first_bad_seq", "4")
        .containsEntry("problem",
            "the export ends after 4 events but the checkpoint covers 6: seq 4 onwards are missing");
  }

  @Test
  void aMissingFileOrAMalformedKeyIsAUsageError() throws Exception {
    AuditTrailFixture log = new AuditTrailFixture(2);
    Path checkpoint = Files.writeString(dir.resolve("cp.txt"), log.checkpoint(2));
    Path absent = dir.resolve("absent.jsonl");

    CliResult missing = CliResult.run(NO_SERVER, "audit", "verify",
        "--file", absent.toString(), "--checkpoint", checkpoint.toString(), "--key", log.verifierKey());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file: " + absent);

    CliResult missingKeyFile = CliResult.run(NO_SERVER, "audit", "verify",
        "--file", checkpoint.toString(), "--checkpoint", checkpoint.toString(), "--key", "@" + absent);
    assertThat(missingKeyFile.exitCode()).isEqualTo(2);
    assertThat(missingKeyFile.err()).contains("no such file: " + absent);

    CliResult badKey = CliResult.run(NO_SERVER, "audit", "verify",
        "--file", checkpoint.toString(), "--checkpoint", checkpoint.toString(), "--key", "not-a-key");
    assertThat(badKey.exitCode()).isEqualTo(2);
    assertThat(badKey.err()).contains("error: --key: ");
  }

  @Test
  void offlineVerificationNeedsAllThreeFiles() {
    CliResult result = CliResult.run(NO_SERVER, "audit", "verify", "--file", "trail.jsonl", "--key", "k");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--checkpoint");
  }

  private CliResult verifyOffline(String export, String checkpoint, String key, String... more) throws Exception {
    Path trail = Files.write(dir.resolve("trail.jsonl"), export.getBytes(StandardCharsets.UTF_8));
    Path note = Files.writeString(dir.resolve("cp.txt"), checkpoint);
    List<String> args = new ArrayList<>(List.of(
        "audit", "verify", "--file", trail.toString(), "--checkpoint", note.toString(), "--key", key));
    args.addAll(List.of(more));
    // No server: the target points nowhere, and nothing is asked of it.
    return CliResult.run(NO_SERVER, args.toArray(String[]::new));
  }

  private static Timestamp seconds(long seconds) {
    return Timestamp.newBuilder().setSeconds(seconds).build();
  }
}
