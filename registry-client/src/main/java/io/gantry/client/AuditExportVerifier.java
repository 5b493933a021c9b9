package io.gantry.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.gantry.tlog.Checkpoint;
import io.gantry.tlog.MerkleTree;
import io.gantry.tlog.NoteVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks an export of the audit log (JSON Lines, as {@code ExportAuditEvents} writes it) against a signed
 * checkpoint, without a server: the checkpoint's signature with the log's verifier key, then the events
 * {@code seq} 0, 1, 2 … in order without gaps, then the RFC 6962 root of the first {@code tree size} events
 * against the root the checkpoint signs. The export is read once, as a stream; only the 32-byte leaf hashes of
 * the events the checkpoint covers are kept.
 *
 * <p>Each line is one canonical event: exactly the bytes its leaf hash covers, followed by {@code \n}. A change
 * to any byte of an event the checkpoint covers, a removed, repeated or reordered event, or a truncated export
 * fails; events after the checkpoint's size are counted and checked for order but are not covered by it.
 */
public final class AuditExportVerifier {

  private static final JsonFormat.Parser JSON = JsonFormat.parser();

  private final NoteVerifier verifier;

  private AuditExportVerifier(NoteVerifier verifier) {
    this.verifier = verifier;
  }

  /**
   * A verifier trusting one key.
   *
   * @param verifierKey the log's key in note key format ({@code <name>+<hex key id>+<base64 key>})
   * @throws IllegalArgumentException when the key is malformed
   */
  public static AuditExportVerifier withKey(String verifierKey) {
    return new AuditExportVerifier(NoteVerifier.parse(verifierKey.strip()));
  }

  /**
   * What a verification found.
   *
   * @param ok whether the checkpoint is signed by the key and the export holds exactly the events it commits to
   * @param origin the log the checkpoint names; empty when its signature or format is bad
   * @param treeSize the number of events the checkpoint covers; 0 when its signature or format is bad
   * @param rootHash the root the checkpoint signs; empty when its signature or format is bad
   * @param eventsRead the events read in order before the first problem (all of them when there is none)
   * @param firstBadSeq the first event that is missing, repeated, out of order or unreadable; -1 when the
   *     problem is not one event's (a bad signature, or a root that does not match)
   * @param problem what is wrong, empty when ok
   */
  public record Result(boolean ok, String origin, long treeSize, byte[] rootHash, long eventsRead, long firstBadSeq,
      String problem) {

    /** Events in the export after those the checkpoint covers. */
    public long eventsNotCovered() {
      return Math.max(0, eventsRead - treeSize);
    }

    /** The root hash in lower-case hex. */
    public String rootHex() {
      return HexFormat.of().formatHex(rootHash);
    }
  }

  /**
   * Verifies {@code export} against {@code signedNote}, reading the export to its end unless it finds a problem.
   *
   * @param export the JSON Lines export, read once and not closed
   * @param signedNote the checkpoint as a C2SP signed note, as {@code GetCheckpoint} returns it
   * @throws IOException only when reading the export fails
   */
  public Result verify(InputStream export, String signedNote) throws IOException {
    Checkpoint checkpoint;
    try {
      checkpoint = verifier.verifyCheckpoint(signedNote);
    } catch (SignatureException e) {
      return new Result(false, "", 0, new byte[0], 0, -1, "checkpoint: " + e.getMessage());
    }
    if (checkpoint.treeSize() > Integer.MAX_VALUE - 8) {
      return failed(checkpoint, 0, -1, "checkpoint covers " + checkpoint.treeSize()
          + " events, more than this verifier holds in memory");
    }
    List<byte[]> leafHashes = new ArrayList<>((int) Math.min(checkpoint.treeSize(), 1 << 20));
    LineReader lines = new LineReader(export);
    long seq = 0;
    for (byte[] line = lines.next(); line != null; line = lines.next(), seq++) {
      String trouble = seqTrouble(line, seq);
      if (trouble != null) {
        return failed(checkpoint, seq, seq, "line " + (seq + 1) + ": " + trouble);
      }
      if (seq < checkpoint.treeSize()) {
        leafHashes.add(MerkleTree.leafHash(line));
      }
    }
    if (seq < checkpoint.treeSize()) {
      return failed(checkpoint, seq, seq, "the export ends after " + seq + " events but the checkpoint covers "
          + checkpoint.treeSize() + ": seq " + seq + " onwards are missing");
    }
    byte[] root = MerkleTree.rootHash(leafHashes);
    if (!Arrays.equals(root, checkpoint.rootHash())) {
      return failed(checkpoint, seq, -1, "the first " + checkpoint.treeSize() + " events hash to root "
          + HexFormat.of().formatHex(root) + ", not the checkpoint's: an event was changed, added or removed");
    }
    return new Result(true, checkpoint.origin(), checkpoint.treeSize(), checkpoint.rootHash(), seq, -1, "");
  }

  private static Result failed(Checkpoint checkpoint, long eventsRead, long firstBadSeq, String problem) {
    return new Result(false, checkpoint.origin(), checkpoint.treeSize(), checkpoint.rootHash(), eventsRead,
        firstBadSeq, problem);
  }

  /** Why {@code line} is not the event {@code expected}, or null when it is. */
  private static String seqTrouble(byte[] line, long expected) {
    Struct.Builder event = Struct.newBuilder();
    try {
      JSON.merge(new String(line, StandardCharsets.UTF_8), event);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return "not a JSON object, where seq " + expected + " belongs";
    }
    Value seq = event.getFieldsOrDefault("seq", Value.getDefaultInstance());
    double number = seq.getNumberValue();
    if (!seq.hasNumberValue() || number != Math.rint(number) || number < 0 || number > 1e15) {
      return "no numeric seq, where seq " + expected + " belongs";
    }
    long found = (long) number;
    if (found < expected) {
      return "seq " + found + " again, where seq " + expected + " belongs (repeated or out of order)";
    }
    if (found > expected) {
      return "seq " + found + " where seq " + expected + " belongs: seq " + expected
          + (found == expected + 1 ? " is" : " to " + (found - 1) + " are") + " missing or out of order";
    }
    return null;
  }

  /** The lines of a stream as raw bytes, without their {@code \n}; a last line need not end in one. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int limit;

    LineReader(InputStream in) {
      this.in = in;
    }

    byte[] next() throws IOException {
      line.reset();
      while (true) {
        if (position == limit) {
          limit = in.read(buffer);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            return line.size() == 0 ? null : line.toByteArray();
          }
        }
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        line.write(buffer, start, position - start);
        if (position < limit) {
          position++;
          return line.toByteArray();
        }
      }
    }
  }
}
