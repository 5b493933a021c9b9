package io.gantry.client.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.Timestamps;
import io.gantry.client.AuditExportVerifier;
import io.gantry.client.CancellableStream;
import io.gantry.client.GantryClient;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteVerifier;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc.AuditBlockingStub;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.ExportAuditEventsRequest;
import io.gantry.v1.ExportAuditEventsResponse;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetConsistencyProofRequest;
import io.gantry.v1.GetInclusionProofRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.InclusionProof;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.StreamAuditEventsRequest;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.VerifyAuditLogResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit",
    description = "The audit log: every change and every refused decision, as the leaves of a Merkle tree log "
        + "whose signed checkpoints anyone can check, offline too.",
    subcommands = {
        AuditCommand.ListEvents.class, AuditCommand.Tail.class, AuditCommand.Export.class,
        AuditCommand.ShowCheckpoint.class, AuditCommand.Key.class, AuditCommand.Verify.class,
        AuditCommand.Prove.class, AuditCommand.Consistency.class})
final class AuditCommand extends CommandGroup {

  static final int TAIL_DEFAULT = 10;

  @Command(name = "list", description = "List events in seq order, filtered; one page at a time unless --all.")
  static final class ListEvents implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin PageOptions paging;

    @Option(names = "--resource", paramLabel = "NAME", defaultValue = "",
        description = "Events on this resource or below it: models/fraud also matches models/fraud/versions/3.")
    String resource;

    @Option(names = "--actor", paramLabel = "NAME", defaultValue = "", description = "Events by this principal.")
    String actor;

    @Option(names = "--action", paramLabel = "ACTION", converter = AuditArguments.ActionConverter.class,
        completionCandidates = AuditArguments.ActionNames.class,
        description = "One of ${COMPLETION-CANDIDATES}; any case, with or without AUDIT_ACTION_.")
    AuditAction action;

    @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
        description = "Events at or after this RFC 3339 time (e.g. 2024-05-01T12:00:00Z), or date (at 00:00 UTC).")
    Timestamp since;

    @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class,
        description = "Events before this time or date.")
    Timestamp until;

    @Override
    public Integer call() {
      if (since != null && until != null && Timestamps.compare(since, until) >= 0) {
        throw common.usageError("--since must be before --until");
      }
      ListAuditEventsRequest.Builder request = ListAuditEventsRequest.newBuilder()
          .setResourcePrefix(resource)
          .setActor(actor)
          .setPageSize(paging.pageSize);
      if (action != null) {
        request.setAction(action);
      }
      if (since != null) {
        request.setStartTime(since);
      }
      if (until != null) {
        request.setEndTime(until);
      }
      try (GantryClient client = common.connect()) {
        ListAuditEventsResponse page = paging.fetch(
            token -> client.audit().listAuditEvents(request.setPageToken(token).build()),
            ListAuditEventsResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllEvents(more.getEventsList())
                .setNextPageToken(more.getNextPageToken()).build());
        AuditView.events(common.printer(), page);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "tail",
      description = {
          "Print the last " + TAIL_DEFAULT + " events, or those from --from; with -f, keep following the log.",
          "With -f, keep printing each new event as it is committed, until interrupted (Ctrl-C). With -o json, "
              + "each event is one line of JSON."})
  static final class Tail implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = {"-f", "--follow"}, description = "Keep following the log.")
    boolean follow;

    @Option(names = "--from", paramLabel = "SEQ", description = "The first event to print.")
    Long from;

    @Override
    public Integer call() {
      if (from != null && from < 0) {
        throw common.usageError("--from must be 0 or more");
      }
      Printer printer = common.printer();
      try (GantryClient client = common.connect()) {
        // Without -f the tail ends where the log ends now; with -f and --from its end does not matter.
        long end = follow && from != null ? Long.MAX_VALUE : logSize(client);
        long start = from != null ? from : Math.max(0, end - TAIL_DEFAULT);
        AuditView.streamedEventsHeader(printer);
        if (start >= end) {
          return GantryCli.EXIT_OK;
        }
        StreamAuditEventsRequest request = StreamAuditEventsRequest.newBuilder().setStartSeq(start).build();
        try (CancellableStream<AuditEvent> events =
            CancellableStream.open(() -> client.audit().withDeadline(null).streamAuditEvents(request))) {
          while (events.hasNext()) {
            AuditEvent event = events.next();
            AuditView.streamedEvent(printer, event);
            if (!follow && event.getSeq() + 1 >= end) {
              break;
            }
          }
        } catch (StatusRuntimeException e) {
          if (!CancellableStream.interrupted(e)) {
            throw e;
          }
        }
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "export",
      description = {
          "Write the log to standard output as JSON Lines: one canonical event per line, exactly the bytes its "
              + "leaf hash covers.",
          "Progress and a summary go to standard error, so 'gantry audit export > trail.jsonl' stores the "
              + "export alone; -o has no effect."})
  static final class Export implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--from", paramLabel = "SEQ", defaultValue = "0", description = "The first event (default 0).")
    long from;

    @Option(names = "--to", paramLabel = "SEQ", defaultValue = "0",
        description = "Stop before this event (default: the current end), so that --to N exports the N events a "
            + "checkpoint of size N covers.")
    long to;

    @Override
    public Integer call() {
      if (from < 0 || to < 0 || (to != 0 && to <= from)) {
        throw common.usageError("expected 0 <= --from < --to (--to 0: up to the current end)");
      }
      PrintStream stdout = common.stdout();
      PrintWriter err = common.err();
      ExportAuditEventsRequest request = ExportAuditEventsRequest.newBuilder().setStartSeq(from).setEndSeq(to).build();
      long events = 0;
      long bytes = 0;
      long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      try (GantryClient client = common.connect();
          CancellableStream<ExportAuditEventsResponse> chunks =
              CancellableStream.open(() -> client.audit().withDeadline(null).exportAuditEvents(request))) {
        while (chunks.hasNext()) {
          ByteString jsonl = chunks.next().getJsonl();
          jsonl.writeTo(stdout);
          events += lineCount(jsonl);
          bytes += jsonl.size();
          if (stdout.checkError()) {
            err.println("error: standard output closed after " + events + " events");
            return GantryCli.EXIT_OTHER;
          }
          if (System.nanoTime() - nextProgress > 0) {
            err.println("exporting: " + events + " events, " + bytes + " bytes so far");
            nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          }
        }
      } catch (IOException e) {
        // PrintStream reports its own failures through checkError, not by throwing
        throw new IllegalStateException(e);
      }
      stdout.flush();
      if (stdout.checkError()) {
        err.println("error: could not write the export to standard output");
        return GantryCli.EXIT_OTHER;
      }
      err.println("exported " + events + " events, " + bytes + " bytes"
          + (events == 0 ? "" : ": seq " + from + " to " + (from + events - 1)));
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "checkpoint",
      description = {
          "Print the latest signed checkpoint (a C2SP signed note) exactly as served.",
          "'gantry audit checkpoint > cp.txt' stores it for 'gantry audit verify --checkpoint cp.txt'."})
  static final class ShowCheckpoint implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--size", paramLabel = "N", defaultValue = "0",
        description = "The checkpoint published at this tree size (default: the latest).")
    long size;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        AuditView.checkpoint(common.printer(),
            client.audit().getCheckpoint(GetCheckpointRequest.newBuilder().setTreeSize(size).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "key",
      description = {
          "Print the key that signs the checkpoints, in note key format (NAME+KEYID+KEY).",
          "'gantry audit key > key.txt' stores it for 'gantry audit verify --key @key.txt'."})
  static final class Key implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        AuditView.verifierKey(common.printer(),
            client.audit().getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "verify",
      description = {
          "Verify the log on the server, or an export offline against a signed checkpoint.",
          "Without --file, the server recomputes every leaf and the tree and compares them with what it stored "
              + "and signed.",
          "With --file, --checkpoint and --key, no server is contacted: the checkpoint's signature is checked with "
              + "the key, the export must hold seq 0, 1, 2 ... without gaps, and the root of its first tree-size "
              + "events must be the checkpoint's; the first bad seq is named. Events after the checkpoint's size "
              + "are reported as not covered by it.",
          "Exit code 0 when the log verifies, 1 when it does not."})
  static final class Verify implements Callable<Integer> {
    @Mixin CommonOptions common;

    @ArgGroup(exclusive = false, heading = "%nOffline, against an export (all three, no server contacted):%n")
    Offline offline;

    @Option(names = "--from", paramLabel = "SEQ", defaultValue = "0",
        description = "Online: the first event to recompute (default 0).")
    long from;

    @Option(names = "--to", paramLabel = "SEQ", defaultValue = "0",
        description = "Online: stop before this event (default: the current end).")
    long to;

    static final class Offline {
      @Option(names = "--file", paramLabel = "TRAIL.jsonl", required = true,
          description = "An export, as 'gantry audit export' writes it.")
      Path file;

      @Option(names = "--checkpoint", paramLabel = "CP.txt", required = true,
          description = "A signed checkpoint, as 'gantry audit checkpoint' prints it.")
      Path checkpoint;

      @Option(names = "--key", paramLabel = "KEY|@FILE", required = true,
          description = "The log's verifier key (as 'gantry audit key' prints it), or @ and a file holding it.")
      String key;
    }

    @Override
    public Integer call() {
      if (offline != null) {
        if (from != 0 || to != 0) {
          throw common.usageError("--from and --to apply to the online verification; an export is verified whole");
        }
        return verifyExport();
      }
      if (from < 0 || to < 0 || (to != 0 && to <= from)) {
        throw common.usageError("expected 0 <= --from < --to (--to 0: up to the current end)");
      }
      try (GantryClient client = common.connect()) {
        VerifyAuditLogResponse result = client.audit().withDeadline(null).verifyAuditLog(
            VerifyAuditLogRequest.newBuilder().setStartSeq(from).setEndSeq(to).build());
        AuditView.verification(common.printer(), result);
        return result.getOk() ? GantryCli.EXIT_OK : GantryCli.EXIT_NOT_VERIFIED;
      }
    }

    private int verifyExport() {
      AuditExportVerifier verifier;
      try {
        verifier = AuditExportVerifier.withKey(AuditArguments.verifierKey(offline.key, common));
      } catch (IllegalArgumentException e) {
        throw common.usageError("--key: " + e.getMessage());
      }
      String note = AuditArguments.readFile(offline.checkpoint, common);
      AuditExportVerifier.Result result;
      try (InputStream export = Files.newInputStream(offline.file)) {
        result = verifier.verify(export, note);
      } catch (NoSuchFileException e) {
        throw common.usageError("no such file: " + offline.file);
      } catch (IOException e) {
        throw common.usageError("cannot read " + offline.file + ": " + e.getMessage());
      }
      common.printer().report(report(result));
      return result.ok() ? GantryCli.EXIT_OK : GantryCli.EXIT_NOT_VERIFIED;
    }

    private static Struct report(AuditExportVerifier.Result result) {
      Struct.Builder report = Struct.newBuilder()
          .putFields("ok", Value.newBuilder().setBoolValue(result.ok()).build());
      if (!result.origin().isEmpty()) {
        report.putFields("origin", text(result.origin()))
            .putFields("tree_size", number(result.treeSize()))
            .putFields("root", text(result.rootHex()))
            .putFields("events_checked", number(result.eventsRead()));
      }
      if (result.ok()) {
        if (result.eventsNotCovered() > 0) {
          report.putFields("not_covered", text(result.eventsNotCovered() + " later event"
              + (result.eventsNotCovered() == 1 ? "" : "s") + " (seq " + result.treeSize() + " to "
              + (result.eventsRead() - 1) + ") not covered by the checkpoint"));
        }
        report.putFields("verdict", text("verified: the export holds exactly the " + result.treeSize()
            + " events the checkpoint signs"));
      } else {
        if (result.firstBadSeq() >= 0) {
          report.putFields("first_bad_seq", number(result.firstBadSeq()));
        }
        report.putFields("problem", text(result.problem()))
            .putFields("verdict", text("NOT verified"));
      }
      return report.build();
    }

    private static Value text(String text) {
      return Value.newBuilder().setStringValue(text).build();
    }

    private static Value number(long number) {
      return Value.newBuilder().setNumberValue(number).build();
    }
  }

  @Command(name = "prove",
      description = {
          "Print the inclusion proof of event SEQ and check it against the signed checkpoint.",
          "The proof is the event's leaf hash and its RFC 6962 audit path. Checked here: the event's canonical "
              + "bytes hash to the leaf, the path leads to the root of the checkpoint of that tree size, and the "
              + "checkpoint's signature is the log's key's.",
          "Exit code 0 when the proof checks, 1 when it does not."})
  static final class Prove implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "SEQ", description = "The event.")
    long seq;

    @Option(names = "--size", paramLabel = "N", defaultValue = "0",
        description = "The tree size, one a checkpoint was published at (default: the latest checkpoint's).")
    long size;

    @Option(names = "--key", paramLabel = "KEY|@FILE",
        description = "Check the checkpoint with this key rather than the one the server serves.")
    String key;

    @Override
    public Integer call() {
      if (seq < 0 || size < 0) {
        throw common.usageError("SEQ and --size must be 0 or more");
      }
      NoteVerifier pinned = key == null ? null : noteVerifier(AuditArguments.verifierKey(key, common), common);
      try (GantryClient client = common.connect()) {
        Inclusion inclusion = prove(client, seq, size, pinned, common);
        InclusionProof proof = inclusion.proof();
        Checkpoint checkpoint = inclusion.checkpoint();
        String problem = inclusion.problem();
        String verdict = problem == null
            ? "yes: event " + seq + " is leaf " + seq + " of the tree of size " + proof.getTreeSize()
                + " whose root the checkpoint signs"
            : "no: " + problem;
        AuditView.inclusionProof(common.printer(), proof, checkpoint.getOrigin() + ", size " + checkpoint.getTreeSize()
            + ", root " + Cells.hex(checkpoint.getRootHash().toByteArray()), verdict);
        if (problem != null && common.json()) {
          common.err().println("error: not verified: " + problem);
        }
        return problem == null ? GantryCli.EXIT_OK : GantryCli.EXIT_NOT_VERIFIED;
      }
    }
  }

  /** An event's inclusion proof, the checkpoint it was checked against, the event's bytes, and what failed (or null). */
  record Inclusion(InclusionProof proof, Checkpoint checkpoint, byte[] event, String problem) {}

  /**
   * Proves that event {@code seq} is in the log: its inclusion proof against the checkpoint of tree size {@code size}
   * (0: the latest), that checkpoint's signature checked with {@code pinned}, or the key the server serves.
   */
  static Inclusion prove(GantryClient client, long seq, long size, NoteVerifier pinned, CommonOptions common) {
    AuditBlockingStub audit = client.audit();
    InclusionProof proof = audit.getInclusionProof(
        GetInclusionProofRequest.newBuilder().setSeq(seq).setTreeSize(size).build());
    Checkpoint checkpoint = audit.getCheckpoint(
        GetCheckpointRequest.newBuilder().setTreeSize(proof.getTreeSize()).build());
    NoteVerifier verifier = pinned != null ? pinned
        : noteVerifier(audit.getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()).getNoteKey(), common);
    byte[] event = canonicalEvent(client, seq);
    return new Inclusion(proof, checkpoint, event, problem(proof, checkpoint, verifier, event));
  }

  static NoteVerifier noteVerifier(String noteKey, CommonOptions common) {
    try {
      return NoteVerifier.parse(noteKey);
    } catch (IllegalArgumentException e) {
      throw common.usageError("verifier key: " + e.getMessage());
    }
  }

  /** Why the proof does not show that {@code event} is in the log the checkpoint signs, or null when it does. */
  private static String problem(InclusionProof proof, Checkpoint checkpoint, NoteVerifier verifier, byte[] event) {
    io.gantry.tlog.Checkpoint signed;
    try {
      signed = verifier.verifyCheckpoint(checkpoint.getSignedNote());
    } catch (SignatureException e) {
      return "checkpoint: " + e.getMessage();
    }
    if (signed.treeSize() != proof.getTreeSize()) {
      return "the signed checkpoint is of size " + signed.treeSize() + ", the proof of size " + proof.getTreeSize();
    }
    byte[] leafHash = MerkleTree.leafHash(event);
    if (!Arrays.equals(leafHash, proof.getLeafHash().toByteArray())) {
      return "event " + proof.getSeq() + " hashes to leaf " + Cells.hex(leafHash) + ", not the proof's";
    }
    boolean included = MerkleTree.verifyInclusion(leafHash, proof.getSeq(), proof.getTreeSize(),
        proof.getHashesList().stream().map(ByteString::toByteArray).toList(), signed.rootHash());
    return included ? null : "the path does not lead from the leaf to the checkpoint's root";
  }

  /** The canonical bytes of event {@code seq}, as its export line holds them. */
  private static byte[] canonicalEvent(GantryClient client, long seq) {
    ByteString line = ByteString.EMPTY;
    try (CancellableStream<ExportAuditEventsResponse> chunks = CancellableStream.open(() ->
        client.audit().exportAuditEvents(
            ExportAuditEventsRequest.newBuilder().setStartSeq(seq).setEndSeq(seq + 1).build()))) {
      while (chunks.hasNext()) {
        line = line.concat(chunks.next().getJsonl());
      }
    }
    return line.endsWith(NEWLINE) ? line.substring(0, line.size() - 1).toByteArray() : line.toByteArray();
  }

  private static final ByteString NEWLINE = ByteString.copyFromUtf8("\n");

  /**
   * The number of events in the log now: the latest checkpoint's size plus the events exported after it,
   * which are few, as checkpoints follow the log closely.
   */
  static long logSize(GantryClient client) {
    long checkpointed = 0;
    try {
      checkpointed = client.audit().getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getTreeSize();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw e;
      }
    }
    long size = checkpointed;
    ExportAuditEventsRequest rest = ExportAuditEventsRequest.newBuilder().setStartSeq(checkpointed).build();
    try (CancellableStream<ExportAuditEventsResponse> chunks =
        CancellableStream.open(() -> client.audit().exportAuditEvents(rest))) {
      while (chunks.hasNext()) {
        size += lineCount(chunks.next().getJsonl());
      }
    }
    return size;
  }

  private static long lineCount(ByteString jsonl) {
    long lines = 0;
    for (int i = 0; i < jsonl.size(); i++) {
      if (jsonl.byteAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  @Command(name = "consistency",
      description = "Prove that today's log only appended to a checkpoint you kept: checks both checkpoints' "
          + "signatures and the consistency proof between them. Exit 0 when proven, 1 when not.")
  static final class Consistency implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "CHECKPOINT_FILE", description = "A signed checkpoint saved earlier (gantry audit checkpoint).")
    Path oldCheckpoint;

    @Option(names = "--key", paramLabel = "KEY|@FILE",
        description = "Check the checkpoints with this key rather than the one the server serves.")
    String key;

    @Override
    public Integer call() {
      String oldNote = AuditArguments.readFile(oldCheckpoint, common);
      try (GantryClient client = common.connect()) {
        AuditBlockingStub audit = client.audit();
        NoteVerifier verifier = parseKey(key != null ? AuditArguments.verifierKey(key, common)
            : audit.getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()).getNoteKey());
        Checkpoint latest = audit.getCheckpoint(GetCheckpointRequest.getDefaultInstance());
        io.gantry.tlog.Checkpoint before;
        io.gantry.tlog.Checkpoint now;
        try {
          before = verifier.verifyCheckpoint(oldNote);
          now = verifier.verifyCheckpoint(latest.getSignedNote());
        } catch (SignatureException e) {
          return notProven(null, null, "checkpoint: " + e.getMessage());
        }
        if (!before.origin().equals(now.origin())) {
          return notProven(before, now, "the checkpoints are of different logs");
        }
        if (now.treeSize() < before.treeSize()) {
          return notProven(before, now, "the log is smaller than the kept checkpoint: events were removed");
        }
        List<byte[]> proof = before.treeSize() == 0 ? List.of() : audit.getConsistencyProof(
                GetConsistencyProofRequest.newBuilder().setFirstTreeSize(before.treeSize())
                    .setSecondTreeSize(now.treeSize()).build())
            .getHashesList().stream().map(ByteString::toByteArray).toList();
        if (!MerkleTree.verifyConsistency(before.treeSize(), now.treeSize(), before.rootHash(), now.rootHash(),
            proof)) {
          return notProven(before, now,
              "the consistency proof fails: the first " + before.treeSize() + " events are not what was signed");
        }
        common.printer().report(consistencyReport(before, now, "proven: the log of size " + now.treeSize()
            + " extends the kept checkpoint of size " + before.treeSize()));
        return GantryCli.EXIT_OK;
      }
    }

    private int notProven(io.gantry.tlog.Checkpoint before, io.gantry.tlog.Checkpoint now, String problem) {
      common.printer().report(consistencyReport(before, now, "NOT proven: " + problem));
      return GantryCli.EXIT_NOT_VERIFIED;
    }

    private NoteVerifier parseKey(String noteKey) {
      try {
        return NoteVerifier.parse(noteKey);
      } catch (IllegalArgumentException e) {
        throw common.usageError("verifier key: " + e.getMessage());
      }
    }

    private static Struct consistencyReport(io.gantry.tlog.Checkpoint before, io.gantry.tlog.Checkpoint now,
        String verdict) {
      Struct.Builder report = Struct.newBuilder();
      if (before != null) {
        report.putFields("kept_size", Value.newBuilder().setNumberValue(before.treeSize()).build());
        report.putFields("kept_root", Value.newBuilder().setStringValue(Cells.hex(before.rootHash())).build());
      }
      if (now != null) {
        report.putFields("current_size", Value.newBuilder().setNumberValue(now.treeSize()).build());
        report.putFields("current_root", Value.newBuilder().setStringValue(Cells.hex(now.rootHash())).build());
      }
      report.putFields("verdict", Value.newBuilder().setStringValue(verdict).build());
      return report.build();
    }
  }
}
