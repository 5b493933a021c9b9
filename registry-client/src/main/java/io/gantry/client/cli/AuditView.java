package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.hex;
import static io.gantry.client.cli.Cells.time;

import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.InclusionProof;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.VerifierKey;
import io.gantry.v1.VerifyAuditLogResponse;
import java.util.stream.Collectors;

/** How {@code gantry audit} shows events, checkpoints, proofs and what checking the log found. */
final class AuditView {

  // Rows printed one by one as events stream in cannot be measured first: SEQ, TIME (an instant to the
  // second), ACTOR and ACTION (the longest name) get fixed widths.
  private static final String STREAMED_ROW = "%-6s  %-20s  %-12s  %-19s  %s";

  private AuditView() {
  }

  static void events(Printer printer, ListAuditEventsResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable().row("SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE");
      for (AuditEvent event : page.getEventsList()) {
        table.row(Long.toString(event.getSeq()), time(event.getTime()), event.getActor(), action(event),
            event.getResource());
      }
      return table;
    });
  }

  /** The header of events printed as they arrive; nothing for JSON, where each event is one line. */
  static void streamedEventsHeader(Printer printer) {
    printer.header(String.format(STREAMED_ROW, "SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE"));
  }

  /** One event as it arrives: a table row, or a JSON object on one line (JSON Lines). */
  static void streamedEvent(Printer printer, AuditEvent event) {
    printer.printLine(event, out -> out.println(String.format(STREAMED_ROW, event.getSeq(), time(event.getTime()),
        event.getActor(), action(event), event.getResource()).stripTrailing()));
  }

  /** The signed note exactly as served, so that redirecting it to a file stores the checkpoint. */
  static void checkpoint(Printer printer, Checkpoint checkpoint) {
    printer.print(checkpoint, out -> {
      out.print(checkpoint.getSignedNote());
      out.flush();
    });
  }

  static void verifierKey(Printer printer, VerifierKey key) {
    printer.print(key, out -> out.println(key.getNoteKey()));
  }

  static void verification(Printer printer, VerifyAuditLogResponse result) {
    printer.printTable(result, () -> {
      TextTable block = new TextTable()
          .row("ok", Boolean.toString(result.getOk()))
          .row("events_checked", Long.toString(result.getEventsChecked()))
          .row("tree_size", Long.toString(result.getTreeSize()))
          .field("root", hex(result.getRootHash().toByteArray()));
      if (!result.getOk()) {
        block.field("first_bad_seq", result.getFirstBadSeq() < 0 ? "" : Long.toString(result.getFirstBadSeq()))
            .field("problem", result.getProblem());
      }
      return block;
    });
  }

  /**
   * An inclusion proof and what checking it here found.
   *
   * @param checkpoint the checkpoint it was checked against, described in one line
   * @param verdict {@code yes: …} or {@code no: …}
   */
  static void inclusionProof(Printer printer, InclusionProof proof, String checkpoint, String verdict) {
    printer.printTable(proof, () -> new TextTable()
        .row("seq", Long.toString(proof.getSeq()))
        .row("tree_size", Long.toString(proof.getTreeSize()))
        .row("leaf_hash", hex(proof.getLeafHash().toByteArray()))
        .field("path", proof.getHashesList().stream()
            .map(hash -> hex(hash.toByteArray()))
            .collect(Collectors.joining("\n")))
        .field("checkpoint", checkpoint)
        .row("verified", verdict));
  }

  private static String action(AuditEvent event) {
    return event.getAction() == AuditAction.UNRECOGNIZED
        ? Integer.toString(event.getActionValue())
        : AuditArguments.actionName(event.getAction());
  }
}
