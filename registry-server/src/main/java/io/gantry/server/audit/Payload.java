package io.gantry.server.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds audit payloads, which unlike {@code Map.of} may hold nulls (a tag that was not set before). */
public final class Payload {

  private Payload() {}

  /** @param keysAndValues key, value, key, value … */
  public static Map<String, Object> of(Object... keysAndValues) {
    Map<String, Object> payload = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      payload.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return payload;
  }

  /** {@code {"before": {field: before}, "after": {field: after}}} */
  public static Map<String, Object> change(String field, Object before, Object after) {
    return of("before", of(field, before), "after", of(field, after));
  }
}
