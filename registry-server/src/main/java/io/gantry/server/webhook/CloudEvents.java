package io.gantry.server.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.CanonicalEvent;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.common.CanonicalJson;
import io.gantry.server.common.Names;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CloudEvents 1.0 a webhook receives (structured mode): one per audit event of a kind a deployer acts on, whose
 * {@code data} is that audit event as the log holds it, so a receiver can also prove it against the audit log.
 */
public final class CloudEvents {

  public static final String CONTENT_TYPE = "application/cloudevents+json";
  private static final ObjectMapper JSON = CanonicalJson.MAPPER;

  private static final Map<Action, String> TYPES = new EnumMap<>(Map.ofEntries(
      Map.entry(Action.ALIAS_MOVED, "io.gantry.alias.moved"),
      Map.entry(Action.PROMOTION_REQUESTED, "io.gantry.promotion.requested"),
      Map.entry(Action.PROMOTION_APPROVED, "io.gantry.promotion.approved"),
      Map.entry(Action.PROMOTION_REJECTED, "io.gantry.promotion.rejected"),
      Map.entry(Action.PROMOTION_REFUSED, "io.gantry.promotion.refused"),
      Map.entry(Action.PROMOTION_APPLIED, "io.gantry.promotion.applied"),
      Map.entry(Action.PROMOTION_CANCELLED, "io.gantry.promotion.cancelled"),
      Map.entry(Action.PROMOTION_EXPIRED, "io.gantry.promotion.expired"),
      Map.entry(Action.PROMOTION_SUPERSEDED, "io.gantry.promotion.superseded"),
      Map.entry(Action.VERSION_CREATED, "io.gantry.version.registered"),
      Map.entry(Action.VERSION_FINALIZED, "io.gantry.version.finalized"),
      Map.entry(Action.VERSION_FAILED, "io.gantry.version.failed"),
      Map.entry(Action.VERSION_ARCHIVED, "io.gantry.version.archived")));

  /** Every type a webhook can ask for. */
  public static final Set<String> ALL_TYPES = Collections.unmodifiableSet(new TreeSet<>(TYPES.values()));

  private CloudEvents() {}

  /** The CloudEvents type of an audit action; empty for actions no webhook hears of. */
  public static Optional<String> typeOf(String action) {
    try {
      return Optional.ofNullable(TYPES.get(Action.valueOf(action)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A webhook-worthy event: its type, the model it concerns, and the CloudEvent's bytes. */
  public record Event(LoggedEvent logged, String type, String model, String body) {}

  /** @param source the CloudEvents {@code source}: the audit log's origin, within which event ids are unique */
  public static Optional<Event> of(LoggedEvent logged, String source) {
    Optional<String> type = typeOf(logged.action());
    if (type.isEmpty()) {
      return Optional.empty();
    }
    JsonNode data;
    try {
      data = JSON.readTree(logged.canonical());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an audit event is not JSON", e);
    }
    ObjectNode event = JSON.createObjectNode()
        .put("specversion", "1.0")
        .put("id", logged.eventId().toString())
        .put("source", source)
        .put("type", type.get())
        .put("subject", logged.resource())
        .put("time", CanonicalEvent.time(logged.time()))
        .put("datacontenttype", "application/json")
        .put("gantryauditseq", logged.seq());
    event.set("data", data);
    try {
      return Optional.of(new Event(logged, type.get(), modelOf(logged.resource(), data), JSON.writeValueAsString(event)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a CloudEvent cannot be written", e);
    }
  }

  /** Versions and aliases are named under their model; promotions say theirs in the payload. */
  private static String modelOf(String resource, JsonNode event) {
    return Names.modelOf(resource).orElseGet(() -> event.path("payload").path("model").asText(""));
  }
}
