package io.gantry.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The one JSON form of everything the CLI prints with {@code -o json} (docs/cli.md): protobuf's lowerCamelCase
 * names, 64-bit integers as numbers rather than strings, an enum value as its name without its enum's prefix
 * ({@code READY}, not {@code MODEL_VERSION_STATUS_READY}), and no HTML escaping ({@code mlflow==2.8.1}).
 */
final class Json {

  private static final JsonFormat.Printer PROTOBUF = JsonFormat.printer();
  // Jackson escapes no HTML characters, unlike the Gson inside JsonFormat ("=" as \u003d).
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // Indented as protobuf's JSON was: "name": value.
  private static final ObjectWriter INDENTED = MAPPER.writer(new DefaultPrettyPrinter(
      Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  /** An API message in the CLI's form. */
  static ObjectNode message(MessageOrBuilder message) {
    try {
      return (ObjectNode) message(MAPPER.readTree(PROTOBUF.print(message)), message.getDescriptorForType());
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      // Only messages holding an Any of an unknown type fail to print; none of ours do.
      throw new IllegalStateException(e);
    }
  }

  /**
   * A report the CLI made itself (bench figures, a verification): its snake_case keys in lowerCamelCase, and
   * whole numbers as integers ({@code "concurrency": 1}, not {@code 1.0}).
   */
  static ObjectNode report(Struct report) {
    ObjectNode object = NODES.objectNode();
    report.getFieldsMap().forEach((key, value) -> object.set(lowerCamel(key), reportValue(value)));
    return object;
  }

  /** Indented, for one object. */
  static String text(JsonNode json) {
    return write(json, true);
  }

  /** On one line, for streams (JSON Lines). */
  static String line(JsonNode json) {
    return write(json, false);
  }

  private static String write(JsonNode json, boolean indented) {
    try {
      return indented ? INDENTED.writeValueAsString(json) : MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code bytes_downloaded} → {@code bytesDownloaded}, as protobuf names a field in JSON. */
  private static String lowerCamel(String snake) {
    StringBuilder camel = new StringBuilder(snake.length());
    boolean upper = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return camel.toString();
  }

  /** {@code MODEL_VERSION_STATUS_READY} → {@code READY}: the word tables print and filters take. */
  static String enumWord(EnumDescriptor type, String name) {
    String prefix = type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  private static JsonNode reportValue(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> wholeNumbers(NODES.numberNode(value.getNumberValue()));
      case STRING_VALUE -> NODES.textNode(value.getStringValue());
      case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
      case STRUCT_VALUE -> report(value.getStructValue());
      case LIST_VALUE -> {
        ArrayNode array = NODES.arrayNode();
        value.getListValue().getValuesList().forEach(item -> array.add(reportValue(item)));
        yield array;
      }
      default -> NODES.nullNode();
    };
  }

  private static JsonNode message(JsonNode json, Descriptor type) {
    String name = type.getFullName();
    if (name.equals("google.protobuf.Int64Value") || name.equals("google.protobuf.UInt64Value")) {
      return integer(json);
    }
    if (name.equals("google.protobuf.Struct") || name.equals("google.protobuf.Value")
        || name.equals("google.protobuf.ListValue")) {
      return wholeNumbers(json); // data (an audit payload, policy params): its keys as they were given
    }
    // Other well-known types (Timestamp, Duration, wrappers) keep protobuf's JSON.
    if (!(json instanceof ObjectNode object) || type.getFile().getPackage().equals("google.protobuf")) {
      return json;
    }
    for (FieldDescriptor field : type.getFields()) {
      JsonNode value = object.get(field.getJsonName());
      if (value == null) {
        continue;
      }
      if (field.isMapField()) {
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
        while (entries.hasNext()) {
          Map.Entry<String, JsonNode> entry = entries.next();
          entry.setValue(field(entry.getValue(), valueField));
        }
      } else if (field.isRepeated() && value instanceof ArrayNode array) {
        for (int i = 0; i < array.size(); i++) {
          array.set(i, field(array.get(i), field));
        }
      } else {
        object.set(field.getJsonName(), field(value, field));
      }
    }
    return object;
  }

  private static JsonNode field(JsonNode json, FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case LONG -> integer(json);
      case ENUM -> json.isTextual() ? NODES.textNode(enumWord(field.getEnumType(), json.asText())) : json;
      case MESSAGE -> message(json, field.getMessageType());
      default -> json;
    };
  }

  /** A Struct holds every number as a double: {@code "revision": 1.0} becomes {@code 1}. */
  private static JsonNode wholeNumbers(JsonNode json) {
    if (json.isFloatingPointNumber()) {
      double number = json.asDouble();
      return number == Math.rint(number) && Math.abs(number) < 1e15 ? NODES.numberNode((long) number) : json;
    }
    if (json instanceof ObjectNode object) {
      object.fields().forEachRemaining(field -> field.setValue(wholeNumbers(field.getValue())));
    } else if (json instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, wholeNumbers(array.get(i)));
      }
    }
    return json;
  }

  /** Protobuf writes 64-bit integers as strings, for JavaScript; every reader of the CLI's output takes numbers. */
  private static JsonNode integer(JsonNode json) {
    return json.isTextual() ? NODES.numberNode(new BigInteger(json.asText())) : json;
  }
}
