package io.gantry.server.web;

import static io.gantry.server.web.ModelPages.time;

import com.google.protobuf.Timestamp;
import io.gantry.tlog.NoteVerifier;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.VerifyAuditLogResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SignatureException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The audit trail filtered by resource, actor, action and time, each event with its payload; the latest signed
 * checkpoint; and a verification that has the server recompute the log and checks the checkpoint's signature here
 * with the log's published key.
 */
final class AuditPages {

  private static final int PAGE_SIZE = 100;
  private static final String ACTION_PREFIX = "AUDIT_ACTION_";

  /** What a verification found: the server's recomputation, and the checkpoint's signature checked here. */
  record Verification(VerifyAuditLogResponse log, String checkpointSignature, boolean signatureOk) {
    boolean ok() {
      return log.getOk() && signatureOk;
    }
  }

  Verification verify(WebRequest request) {
    VerifyAuditLogResponse log = request.audit().verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    Optional<Checkpoint> checkpoint = latestCheckpoint(request);
    if (checkpoint.isEmpty()) {
      return new Verification(log, "no checkpoint has been signed yet", true);
    }
    String key = request.audit().getVerifierKey(GetVerifierKeyRequest.getDefaultInstance()).getNoteKey();
    try {
      io.gantry.tlog.Checkpoint signed = NoteVerifier.parse(key).verifyCheckpoint(checkpoint.get().getSignedNote());
      return new Verification(log, "the checkpoint of " + signed.treeSize() + " events is signed by " + key, true);
    } catch (SignatureException | IllegalArgumentException e) {
      return new Verification(log, "the checkpoint's signature does not verify with " + key + ": "
          + e.getMessage(), false);
    }
  }

  String trail(WebRequest request, Verification verification) {
    String resource = request.param("resource").strip();
    String actor = request.param("actor").strip();
    String action = request.param("action");
    String from = request.param("from").strip();
    String to = request.param("to").strip();
    ListAuditEventsRequest.Builder list = ListAuditEventsRequest.newBuilder().setPageSize(PAGE_SIZE)
        .setPageToken(request.param("page_token")).setResourcePrefix(resource).setActor(actor);
    if (!action.isEmpty()) {
      try {
        list.setAction(AuditAction.valueOf(ACTION_PREFIX + action));
      } catch (IllegalArgumentException e) {
        throw new WebError(400, "no audit action " + action);
      }
    }
    if (!from.isEmpty()) {
      list.setStartTime(timestamp("from", from));
    }
    if (!to.isEmpty()) {
      list.setEndTime(timestamp("to", to));
    }
    ListAuditEventsResponse events = request.audit().listAuditEvents(list.build());
    Optional<Checkpoint> checkpoint = latestCheckpoint(request);
    return Layout.page(request, "Audit trail", html -> {
      if (verification != null) {
        verificationResult(html, verification);
      }
      filterForm(html, resource, actor, action, from, to);
      html.open("table", "id", "events").headerRow("seq", "time", "actor", "action", "resource", "payload")
          .open("tbody");
      for (AuditEvent event : events.getEventsList()) {
        html.open("tr").element("td", event.getSeq()).element("td", time(event.getTime()))
            .element("td", event.getActor())
            .element("td", event.getAction().name().substring(ACTION_PREFIX.length()))
            .element("td", event.getResource())
            .open("td").element("pre", PromotionPages.json(event.getPayload())).close("td")
            .close("tr");
      }
      html.close("tbody").close("table");
      if (events.getEventsCount() == 0) {
        html.element("p", "No event matches.", "id", "events-none");
      }
      if (!events.getNextPageToken().isEmpty()) {
        html.link(WebUi.ROOT + "audit?resource=" + Html.url(resource) + "&actor=" + Html.url(actor) + "&action="
            + Html.url(action) + "&from=" + Html.url(from) + "&to=" + Html.url(to) + "&page_token="
            + Html.url(events.getNextPageToken()), "More events");
      }
      checkpointSection(html, request, checkpoint);
    });
  }

  private static void filterForm(Html html, String resource, String actor, String action, String from, String to) {
    html.open("form", "method", "get", "action", WebUi.ROOT + "audit", "class", "filters", "role", "search");
    input(html, "resource", "Resource (and below)", resource, "models/fraud");
    input(html, "actor", "Actor", actor, "alice");
    html.open("div").element("label", "Action", "for", "action").open("select", "id", "action", "name", "action")
        .element("option", "any", "value", "");
    for (AuditAction value : AuditAction.values()) {
      if (value == AuditAction.AUDIT_ACTION_UNSPECIFIED || value == AuditAction.UNRECOGNIZED) {
        continue;
      }
      String name = value.name().substring(ACTION_PREFIX.length());
      html.element("option", name, "value", name, "selected", name.equals(action) ? "" : null);
    }
    html.close("select").close("div");
    input(html, "from", "From (UTC, inclusive)", from, "2026-06-01 or 2026-06-01T09:30");
    input(html, "to", "To (UTC, exclusive)", to, "2026-07-01T00:00:00Z");
    html.element("button", "Filter", "type", "submit").close("form");
  }

  private static void input(Html html, String name, String label, String value, String example) {
    html.open("div").element("label", label, "for", name)
        .open("input", "id", name, "name", name, "type", "text", "value", value, "placeholder", example)
        .close("div");
  }

  private static void checkpointSection(Html html, WebRequest request, Optional<Checkpoint> checkpoint) {
    html.element("h2", "Latest signed checkpoint");
    if (checkpoint.isEmpty()) {
      html.element("p", "No checkpoint has been signed yet.");
    } else {
      html.element("p", checkpoint.get().getOrigin() + ": " + checkpoint.get().getTreeSize() + " events, root "
          + HexFormat.of().formatHex(checkpoint.get().getRootHash().toByteArray()) + ", signed at "
          + time(checkpoint.get().getTime()), "id", "checkpoint");
      html.element("pre", checkpoint.get().getSignedNote(), "class", "note");
    }
    // the filter travels with the form, so the result is shown above the same events
    String query = request.call.rawQuery();
    Layout.form(html, request, WebUi.ROOT + "audit/verify" + (query == null ? "" : "?" + query), form -> form
        .element("p", "Verify: the server recomputes every event's leaf hash and the Merkle tree and compares them "
            + "with what it stored and signed; this page checks the checkpoint's signature with the log's key.")
        .element("button", "Verify the log", "type", "submit", "id", "verify"));
  }

  private static void verificationResult(Html html, Verification verification) {
    VerifyAuditLogResponse log = verification.log();
    String root = HexFormat.of().formatHex(log.getRootHash().toByteArray());
    if (verification.ok()) {
      html.element("p", "Verified: " + log.getEventsChecked() + " events checked, tree size " + log.getTreeSize()
          + ", root " + root + "; " + verification.checkpointSignature() + ".", "class", "notice ok",
          "role", "status", "id", "verification");
    } else {
      html.element("p", "NOT verified: " + (log.getOk() ? "" : log.getProblem()
          + (log.getFirstBadSeq() >= 0 ? " (first bad seq " + log.getFirstBadSeq() + ")" : "") + "; ")
          + verification.checkpointSignature() + ".", "class", "notice error", "role", "alert", "id", "verification");
    }
  }

  private static Optional<Checkpoint> latestCheckpoint(WebRequest request) {
    try {
      return Optional.of(request.audit().getCheckpoint(GetCheckpointRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A date, a date and time (UTC), or an RFC 3339 instant. */
  private static Timestamp timestamp(String field, String text) {
    Instant instant;
    try {
      if (text.length() == 10) {
        instant = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
        instant = Instant.parse(text);
      } else {
        instant = LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException e) {
      throw new WebError(400, field + ": '" + text + "' is not a date (2026-06-01), a UTC date and time "
          + "(2026-06-01T09:30) or an RFC 3339 time (2026-06-01T09:30:00Z)");
    }
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
