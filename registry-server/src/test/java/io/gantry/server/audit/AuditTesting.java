package io.gantry.server.audit;

import com.google.protobuf.ByteString;
import io.gantry.tlog.MerkleTree;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ExportAuditEventsRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What audit tests do as a reviewer would: hash an export, read proof hashes. */
final class AuditTesting {

  private AuditTesting() {}

  /** The leaf hash of every line of the whole export. */
  static List<byte[]> exportedLeaves(AuditGrpc.AuditBlockingStub audit) {
    ByteArrayOutputStream export = new ByteArrayOutputStream();
    audit.exportAuditEvents(ExportAuditEventsRequest.getDefaultInstance())
        .forEachRemaining(chunk -> export.writeBytes(chunk.getJsonl().toByteArray()));
    List<byte[]> leaves = new ArrayList<>();
    for (String line : export.toString(StandardCharsets.UTF_8).split("\n")) {
      leaves.add(MerkleTree.leafHash(line.getBytes(StandardCharsets.UTF_8)));
    }
    return leaves;
  }

  static List<byte[]> bytes(List<ByteString> hashes) {
    return hashes.stream().map(ByteString::toByteArray).toList();
  }
}
