package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditExportVerifierTest {

  private final AuditTrailFixture log = new AuditTrailFixture(7);

  @Test
  void anUntouchedExportVerifies() throws IOException {
    AuditExportVerifier.Result result = verify(log.export(), log.checkpoint(7), log.verifierKey());

    assertThat(result.ok()).as(result.problem()).isTrue();
    assertThat(result.origin()).isEqualTo(AuditTrailFixture.ORIGIN);
    assertThat(result.treeSize()).isEqualTo(7);
    assertThat(result.eventsRead()).isEqualTo(7);
    assertThat(result.rootHash()).isEqualTo(log.root(7));
    assertThat(result.firstBadSeq()).isEqualTo(-1);
    assertThat(result.problem()).isEmpty();
  }

  @Test
  void everyTreeSizeVerifiesItsPrefix() throws IOException {
    for (int size = 0; size <= 7; size++) {
      AuditExportVerifier.Result result = verify(log.export(), log.checkpoint(size), log.verifierKey());

      assertThat(result.ok()).as("size %d: %s", size, result.problem()).isTrue();
      assertThat(result.eventsNotCovered()).isEqualTo(7 - size);
    }
  }

  @Test
  void aLastLineWithoutItsNewlineStillCounts() throws IOException {
    String export = log.export();

    assertThat(verify(export.substring(0, export.length() - 1), log.checkpoint(7), log.verifierKey()).ok()).isTrue();
  }

  @Test
  void anEditedEventChangesTheRoot() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.set(3, lines.get(3).replace("\"actor\":\"bob\"", "\"actor\":\"eve\""));

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());

    assertThat(result.ok()).isFalse();
    assertThat(result.firstBadSeq()).isEqualTo(-1);
    assertThat(result.problem()).startsWith("the first 7 events hash to root ").contains("not the checkpoint's");
  }

  @Test
  void anEditAfterTheCheckpointIsNotCoveredByIt() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.set(6, lines.get(6).replace("alice", "eve"));

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(5), log.verifierKey());

    assertThat(result.ok()).isTrue();
    assertThat(result.eventsNotCovered()).isEqualTo(2);
  }

  @Test
  void aDeletedEventIsNamed() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.remove(4);

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());

    assertThat(result.ok()).isFalse();
    assertThat(result.firstBadSeq()).isEqualTo(4);
    assertThat(result.eventsRead()).isEqualTo(4);
    assertThat(result.problem()).isEqualTo("line 5: seq 5 where seq 4 belongs: seq 4 is missing or out of order");
  }

  @Test
  void aRepeatedEventIsNamed() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.add(3, lines.get(2));

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());

    assertThat(result.firstBadSeq()).isEqualTo(3);
    assertThat(result.problem()).isEqualTo("line 4: seq 2 again, where seq 3 belongs (repeated or out of order)");
  }

  @Test
  void swappedEventsAreNamed() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.set(1, log.lines().get(2));
    lines.set(2, log.lines().get(1));

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());

    assertThat(result.firstBadSeq()).isEqualTo(1);
    assertThat(result.problem()).contains("seq 2 where seq 1 belongs");
  }

  @Test
  void anUnreadableLineIsNamed() throws IOException {
    List<String> lines = new ArrayList<>(log.lines());
    lines.set(2, lines.get(2).substring(1));
    lines.set(5, lines.get(5).replace("\"seq\":5", "\"seq\":\"5\""));

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());
    assertThat(result.firstBadSeq()).isEqualTo(2);
    assertThat(result.problem()).isEqualTo("line 3: not a JSON object, where seq 2 belongs");

    lines.set(2, log.lines().get(2));
    result = verify(join(lines), log.checkpoint(7), log.verifierKey());
    assertThat(result.firstBadSeq()).isEqualTo(5);
    assertThat(result.problem()).isEqualTo("line 6: no numeric seq, where seq 5 belongs");
  }

  @Test
  void anExportShorterThanTheCheckpointFails() throws IOException {
    List<String> lines = log.lines().subList(0, 5);

    AuditExportVerifier.Result result = verify(join(lines), log.checkpoint(7), log.verifierKey());

    assertThat(result.ok()).isFalse();
    assertThat(result.firstBadSeq()).isEqualTo(5);
    assertThat(result.problem()).isEqualTo("the export ends after 5 events but the checkpoint covers 7: "
        + "seq 5 onwards are missing");
  }

  @Test
  void aCheckpointSignedByAnotherKeyFails() throws IOException {
    AuditExportVerifier.Result result = verify(log.export(), log.checkpoint(7), AuditTrailFixture.otherKey());

    assertThat(result.ok()).isFalse();
    assertThat(result.firstBadSeq()).isEqualTo(-1);
    assertThat(result.problem()).startsWith("checkpoint: ");
    assertThat(result.origin()).isEmpty();
  }

  @Test
  void anEditedCheckpointFails() throws IOException {
    String forged = log.checkpoint(7).replaceFirst("\n7\n", "\n6\n");

    AuditExportVerifier.Result result = verify(log.export(), forged, log.verifierKey());

    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).startsWith("checkpoint: ");
  }

  @Test
  void aMalformedKeyIsRefusedUpFront() {
    assertThatThrownBy(() -> AuditExportVerifier.withKey("not a key")).isInstanceOf(IllegalArgumentException.class);
  }

  private static AuditExportVerifier.Result verify(String export, String checkpoint, String key) throws IOException {
    return AuditExportVerifier.withKey(key)
        .verify(new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)), checkpoint);
  }

  private static String join(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }
}
