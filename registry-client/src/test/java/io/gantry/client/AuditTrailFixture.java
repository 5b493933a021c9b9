package io.gantry.client;

import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteSigner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/** A small audit log built without a server: canonical event lines, and checkpoints of it signed by a test key. */
public final class AuditTrailFixture {

  public static final String ORIGIN = "gantry.test/audit";

  private final NoteSigner signer = NoteSigner.generate(ORIGIN);
  private final List<String> lines = new ArrayList<>();

  /** {@code events} events, seq 0 to {@code events - 1}, alternately creating a model and a version of it. */
  public AuditTrailFixture(int events) {
    for (int seq = 0; seq < events; seq++) {
      String time = "\"time\":\"2024-05-01T12:00:0" + seq % 10 + ".000000Z\"}";
      lines.add(seq % 2 == 0
          ? "{\"action\":\"MODEL_CREATED\",\"actor\":\"alice\",\"payload\":{\"description\":\"\"},"
              + "\"resource\":\"models/m" + seq + "\",\"seq\":" + seq + "," + time
          : "{\"action\":\"VERSION_CREATED\",\"actor\":\"bob\",\"payload\":{\"version\":1},"
              + "\"resource\":\"models/m" + (seq - 1) + "/versions/1\",\"seq\":" + seq + "," + time);
    }
  }

  /** The canonical lines, without their {@code \n}. */
  public List<String> lines() {
    return lines;
  }

  /** The export: every line followed by {@code \n}. */
  public String export() {
    return lines.stream().map(line -> line + "\n").collect(Collectors.joining());
  }

  /** A checkpoint of the first {@code treeSize} events, signed by this log's key. */
  public String checkpoint(int treeSize) {
    return signer.sign(checkpointBody(treeSize, root(treeSize)));
  }

  /** A checkpoint body, as the C2SP tlog-checkpoint format lays it out. */
  public static String checkpointBody(long treeSize, byte[] root) {
    return ORIGIN + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
  }

  public byte[] root(int treeSize) {
    return MerkleTree.rootHash(lines.subList(0, treeSize).stream()
        .map(line -> MerkleTree.leafHash(line.getBytes(StandardCharsets.UTF_8)))
        .toList());
  }

  public String verifierKey() {
    return signer.verifierKey();
  }

  /** The key of another log of the same name: it signs nothing this log published. */
  public static String otherKey() {
    return otherKey(ORIGIN);
  }

  /** A key named {@code name} that signs nothing any test log published. */
  public static String otherKey(String name) {
    return NoteSigner.generate(name).verifierKey();
  }
}
