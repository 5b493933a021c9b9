package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CLI's JSON contract of docs/cli.md, checked key by key: lowerCamelCase names, whole numbers written as
 * integers and 64-bit fields as numbers, enum words without their enum's prefix, no HTML escaping.
 */
final class JsonContract {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern LOWER_CAMEL = Pattern.compile("[a-z][a-zA-Z0-9]*");
  private static final Pattern HTML_ESCAPE = Pattern.compile("\\\\u00(3[cdCD]|3[eE]|26|27)");

  private JsonContract() {}

  /** Checks one JSON document printed by the CLI; {@code type}: the message it holds, null for a CLI-made report. */
  static JsonNode check(String json, Descriptor type) throws Exception {
    assertThat(HTML_ESCAPE.matcher(json).find()).as("HTML escaping in %s", json).isFalse();
    JsonNode tree = MAPPER.readTree(json);
    assertThat(tree.isObject()).as("one object: %s", json).isTrue();
    if (type == null || type.getFullName().equals("google.protobuf.Struct")) {
      report(tree, "$");
    } else {
      message(tree, type, "$");
    }
    return tree;
  }

  /** A report: every key at any depth is lowerCamelCase, every whole number an integer. */
  static JsonNode check(String json) throws Exception {
    return check(json, null);
  }

  /** Every line of a stream (JSON Lines) of {@code type}. */
  static void checkLines(String output, Descriptor type) throws Exception {
    assertThat(output.lines()).isNotEmpty();
    for (String line : output.lines().toList()) {
      assertThat(line).as("one object a line").startsWith("{").endsWith("}");
      check(line, type);
    }
  }

  private static void report(JsonNode json, String path) {
    if (json.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        assertThat(field.getKey()).as("key at %s", path).matches(LOWER_CAMEL);
        report(field.getValue(), path + "." + field.getKey());
      }
    } else if (json.isArray()) {
      json.forEach(item -> report(item, path + "[]"));
    } else {
      wholeNumbersAreIntegers(json, path);
    }
  }

  private static void message(JsonNode json, Descriptor type, String path) {
    if (List.of("google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue")
        .contains(type.getFullName())) {
      dataValue(json, path);
    }
    if (type.getFile().getPackage().equals("google.protobuf")) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      String at = path + "." + entry.getKey();
      assertThat(entry.getKey()).as("key at %s", at).matches(LOWER_CAMEL);
      FieldDescriptor field = type.getFields().stream()
          .filter(candidate -> candidate.getJsonName().equals(entry.getKey())).findFirst().orElse(null);
      assertThat(field).as("a field of %s at %s", type.getFullName(), at).isNotNull();
      if (field.isMapField()) {
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        entry.getValue().fields().forEachRemaining(item -> value(item.getValue(), valueField, at + "." + item.getKey()));
      } else if (field.isRepeated()) {
        entry.getValue().forEach(item -> value(item, field, at + "[]"));
      } else {
        value(entry.getValue(), field, at);
      }
    }
  }

  private static void value(JsonNode json, FieldDescriptor field, String path) {
    switch (field.getJavaType()) {
      case LONG, INT -> assertThat(json.isIntegralNumber()).as("an integer at %s: %s", path, json).isTrue();
      case ENUM -> assertThat(json.asText()).as("an enum word at %s", path)
          .isEqualTo(Json.enumWord(field.getEnumType(), json.asText()));
      case MESSAGE -> message(json, field.getMessageType(), path);
      case DOUBLE, FLOAT -> { }
      default -> wholeNumbersAreIntegers(json, path);
    }
  }

  /** Data (a Struct): keys as given, but whole numbers are integers all the same. */
  private static void dataValue(JsonNode json, String path) {
    if (json.isObject()) {
      json.fields().forEachRemaining(field -> dataValue(field.getValue(), path + "." + field.getKey()));
    } else if (json.isArray()) {
      json.forEach(item -> dataValue(item, path + "[]"));
    } else {
      wholeNumbersAreIntegers(json, path);
    }
  }

  private static void wholeNumbersAreIntegers(JsonNode json, String path) {
    if (json.isFloatingPointNumber()) {
      assertThat(json.asDouble()).as("a whole number written as an integer at %s", path)
          .isNotEqualTo(Math.rint(json.asDouble()));
    }
  }

  /** The CLI's enum words back into the names protobuf's JSON parser takes. */
  static JsonNode withEnumPrefixes(JsonNode json, Descriptor type) {
    if (!(json instanceof ObjectNode object) || type.getFile().getPackage().equals("google.protobuf")) {
      return json;
    }
    for (FieldDescriptor field : type.getFields()) {
      JsonNode value = object.get(field.getJsonName());
      if (value == null || field.isMapField() && field.getMessageType().findFieldByName("value").getJavaType()
          != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.isMapField()) {
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        value.fields().forEachRemaining(item -> withEnumPrefixes(item.getValue(), valueField.getMessageType()));
      } else if (field.isRepeated() && value instanceof ArrayNode array) {
        for (int i = 0; i < array.size(); i++) {
          array.set(i, prefixed(array.get(i), field));
        }
      } else {
        object.set(field.getJsonName(), prefixed(value, field));
      }
    }
    return object;
  }

  private static JsonNode prefixed(JsonNode json, FieldDescriptor field) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return withEnumPrefixes(json, field.getMessageType());
    }
    if (field.getJavaType() != FieldDescriptor.JavaType.ENUM || !json.isTextual()) {
      return json;
    }
    for (EnumValueDescriptor value : field.getEnumType().getValues()) {
      if (Json.enumWord(field.getEnumType(), value.getName()).equals(json.asText())) {
        return MAPPER.getNodeFactory().textNode(value.getName());
      }
    }
    return json;
  }
}
