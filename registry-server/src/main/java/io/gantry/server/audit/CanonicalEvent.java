package io.gantry.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.common.CanonicalJson;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The canonical encoding of an audit event (docs/audit.md): one line of UTF-8 JSON, object keys
 * sorted at every depth, no insignificant whitespace. The leaf hash covers exactly these bytes, and
 * the export is these lines, so a verifier hashes lines and never re-encodes anything.
 */
public final class CanonicalEvent {

  static final ObjectMapper JSON = CanonicalJson.MAPPER;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private CanonicalEvent() {}

  static String encode(long seq, UUID eventId, OffsetDateTime time, String actor, String requestId, AuditEntry entry) {
    Map<String, Object> event = new TreeMap<>();
    event.put("seq", seq);
    event.put("event_id", eventId.toString());
    event.put("time", time(time));
    event.put("actor", actor);
    event.put("action", entry.action().name());
    event.put("resource", entry.resource());
    event.put("request_id", requestId);
    event.put("payload", entry.payload());
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit payload of " + entry.action() + " is not JSON-like", e);
    }
  }

  /** The payload object of a canonical event, as JSON. */
  public static String payloadJson(String canonical) {
    try {
      return JSON.writeValueAsString(JSON.readTree(canonical).path("payload"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored audit event is not JSON", e);
    }
  }

  /** A time as audit events (and the CloudEvents that carry them) write it: UTC, microseconds. */
  public static String time(OffsetDateTime time) {
    return TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
