package io.gantry.server.audit;

import java.util.Map;

/**
 * One change as a service describes it; the audit log adds the sequence number, id, time, actor
 * and request id when it appends it.
 *
 * @param payload what changed: JSON-like values (strings, numbers, booleans, null, lists, maps);
 *     {@code before} and {@code after} for updates
 */
public record AuditEntry(Action action, String resource, Map<String, Object> payload) {}
