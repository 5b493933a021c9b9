package io.gantry.server.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON with object keys sorted at every depth and no insignificant whitespace: equal values always encode to
 * equal bytes, so the bytes can be hashed (audit events, policy bindings).
 */
public final class CanonicalJson {

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private CanonicalJson() {}

  /**
   * @throws IllegalArgumentException when {@code value} is not made of maps, lists, strings, numbers, booleans
   *     and nulls
   */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON-like: " + e.getOriginalMessage(), e);
    }
  }
}
