package io.gantry.server.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An event as the log holds it: its searchable fields and the canonical line its leaf hash covers. */
public record LoggedEvent(long seq, UUID eventId, OffsetDateTime time, String actor, String action, String resource,
    String requestId, String canonical) {}
