package io.gantry.server.mlflow;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.gantry.v1.ArrayType;
import io.gantry.v1.ColSpec;
import io.gantry.v1.ColumnType;
import io.gantry.v1.DataType;
import io.gantry.v1.MapType;
import io.gantry.v1.ModelSignature;
import io.gantry.v1.ObjectProperty;
import io.gantry.v1.ObjectType;
import io.gantry.v1.ParamSchema;
import io.gantry.v1.ParamSpec;
import io.gantry.v1.Schema;
import io.gantry.v1.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the {@code signature} of an MLmodel. MLflow stores its inputs, outputs and params as JSON
 * strings inside the YAML, so each part is decoded on its own; its problems are reported at the
 * line of the part, named by a path into the JSON ({@code signature.inputs[0].items}).
 */
final class SignatureJson {

  private static final JsonMapper JSON = JsonMapper.builder()
      // Python's json.dumps writes NaN and Infinity for float defaults.
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  // Jackson names its input in nested locations; the input is the signature part, named already.
  private static final Pattern JACKSON_SOURCE =
      Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");

  private static final Map<String, DataType> PRIMITIVES = primitives();
  private static final String PRIMITIVE_NAMES = String.join(", ", PRIMITIVES.keySet());

  private final int line;

  private SignatureJson(int line) {
    this.line = line;
  }

  /** Reads inputs, outputs and params; a broken part is reported and left out. */
  static ModelSignature parse(MappingNode signature, List<Malformed> problems) {
    ModelSignature.Builder result = ModelSignature.newBuilder();
    // MLflow's ModelSignature.from_dict reads these three keys and ignores any other.
    Map<String, NodeTuple> parts = YamlDocument.entries(signature, "signature");
    for (String part : List.of("inputs", "outputs", "params")) {
      NodeTuple tuple = parts.get(part);
      if (tuple == null || YamlDocument.isNull(tuple.getValueNode())) {
        continue;
      }
      String path = "signature." + part;
      try {
        SignatureJson reader = new SignatureJson(YamlDocument.line(tuple.getValueNode()));
        JsonNode json = reader.decode(path, tuple.getValueNode());
        switch (part) {
          case "inputs" -> result.setInputs(reader.schema(path, json));
          case "outputs" -> result.setOutputs(reader.schema(path, json));
          default -> result.setParams(reader.params(path, json));
        }
      } catch (Malformed e) {
        problems.add(e);
      }
    }
    return result.build();
  }

  private JsonNode decode(String path, Node node) {
    if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.STR)) {
      throw invalid(path, "expected a JSON string, found " + YamlDocument.describe(node));
    }
    try (JsonParser parser = JSON.createParser(scalar.getValue())) {
      JsonNode json = JSON.readTree(parser);
      if (json != null && parser.nextToken() != null) {
        throw invalid(path, "not valid JSON: unexpected text after the JSON value"
            + where(parser.currentTokenLocation()));
      }
      return json == null ? MissingNode.getInstance() : json;
    } catch (JsonProcessingException e) {
      String message = JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
      throw invalid(path, "not valid JSON: " + message + where(e.getLocation()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading JSON from a string", e);
    }
  }

  private static String where(JsonLocation location) {
    return location == null || location.getCharOffset() < 0
        ? ""
        : " (at character " + (location.getCharOffset() + 1) + ")";
  }

  private Schema schema(String path, JsonNode json) {
    if (!json.isArray()) {
      throw invalid(path, "expected a JSON list of column or tensor specs, found " + kind(json));
    }
    Schema.Builder schema = Schema.newBuilder();
    List<Integer> columns = new ArrayList<>();
    List<Integer> tensors = new ArrayList<>();
    List<Integer> named = new ArrayList<>();
    List<Integer> unnamed = new ArrayList<>();
    for (int i = 0; i < json.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode spec = object(at, json.get(i));
      boolean hasName;
      if (text(at, spec, "type").equals("tensor")) {
        TensorSpec tensor = tensor(at, spec);
        schema.addTensors(tensor);
        tensors.add(i);
        hasName = tensor.hasName();
      } else {
        ColSpec column = column(at, spec);
        schema.addColumns(column);
        columns.add(i);
        hasName = column.hasName();
      }
      (hasName ? named : unnamed).add(i);
    }
    if (!columns.isEmpty() && !tensors.isEmpty()) {
      throw invalid(path, "mixes column specs (at " + columns + ") and tensor specs (at "
          + tensors + "); a schema holds only one kind");
    }
    if (!named.isEmpty() && !unnamed.isEmpty()) {
      throw invalid(path, "mixes named (at " + named + ") and unnamed (at " + unnamed
          + ") entries; name all of them or none");
    }
    return schema.build();
  }

  private ColSpec column(String path, JsonNode spec) {
    ColSpec.Builder column = ColSpec.newBuilder();
    String name = optionalText(path, spec, "name");
    if (name != null) {
      column.setName(name);
    }
    String subject = name == null ? "the unnamed column" : "column \"" + name + "\"";
    return column
        .setType(columnType(path, subject, spec, true))
        .setRequired(required(path, spec))
        .build();
  }

  /** A column type; MLflow writes nested types with their fields beside {@code type}. */
  private ColumnType columnType(String path, String subject, JsonNode spec, boolean topLevel) {
    String type = text(path, spec, "type");
    ColumnType.Builder result = ColumnType.newBuilder();
    switch (type) {
      case "array" -> {
        JsonNode items = object(path + ".items", field(path, spec, "items"));
        result.setArray(ArrayType.newBuilder()
            .setItems(columnType(path + ".items", "the array items", items, false)));
      }
      case "object" -> {
        JsonNode properties = object(path + ".properties", field(path, spec, "properties"));
        if (properties.isEmpty()) {
          throw invalid(path + ".properties", "expected at least one property");
        }
        ObjectType.Builder object = ObjectType.newBuilder();
        for (var property : properties.properties()) {
          String at = path + ".properties." + property.getKey();
          JsonNode propertySpec = object(at, property.getValue());
          object.addProperties(ObjectProperty.newBuilder()
              .setName(property.getKey())
              .setType(columnType(at, "property \"" + property.getKey() + "\"", propertySpec, false))
              .setRequired(required(at, propertySpec)));
        }
        result.setObject(object);
      }
      case "map" -> {
        JsonNode values = object(path + ".values", field(path, spec, "values"));
        result.setMap(MapType.newBuilder()
            .setValues(columnType(path + ".values", "the map values", values, false)));
      }
      default -> {
        DataType primitive = PRIMITIVES.get(type);
        if (primitive == null) {
          throw invalid(path, "unknown type \"" + type + "\" for " + subject + "; expected one of "
              + PRIMITIVE_NAMES + ", array, object, map" + (topLevel ? ", tensor" : ""));
        }
        result.setPrimitive(primitive);
      }
    }
    return result.build();
  }

  private boolean required(String path, JsonNode spec) {
    JsonNode required = spec.get("required");
    // Files written before MLflow 2.10 have no "required": every column was required.
    if (required == null || required.isNull()) {
      return true;
    }
    if (!required.isBoolean()) {
      throw invalid(path + ".required", "expected true or false, found " + kind(required));
    }
    return required.booleanValue();
  }

  private TensorSpec tensor(String path, JsonNode spec) {
    TensorSpec.Builder tensor = TensorSpec.newBuilder();
    String name = optionalText(path, spec, "name");
    if (name != null) {
      tensor.setName(name);
    }
    String at = path + ".tensor-spec";
    JsonNode tensorSpec = object(at, field(path, spec, "tensor-spec"));
    String dtype = text(at, tensorSpec, "dtype");
    if (dtype.isBlank()) {
      throw invalid(at + ".dtype", "expected a numpy dtype name, found an empty string");
    }
    return tensor
        .setDtype(dtype)
        .addAllShape(shape(at + ".shape", field(at, tensorSpec, "shape")))
        .build();
  }

  private List<Long> shape(String path, JsonNode shape) {
    if (!shape.isArray()) {
      throw invalid(path, "expected a list of dimension sizes, found " + kind(shape));
    }
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < shape.size(); i++) {
      JsonNode size = shape.get(i);
      if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < -1) {
        throw invalid(path + "[" + i + "]",
            "expected a dimension size or -1 (variable), found " + kind(size));
      }
      sizes.add(size.longValue());
    }
    return sizes;
  }

  private ParamSchema params(String path, JsonNode json) {
    if (!json.isArray()) {
      throw invalid(path, "expected a JSON list of parameter specs, found " + kind(json));
    }
    ParamSchema.Builder params = ParamSchema.newBuilder();
    for (int i = 0; i < json.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode spec = object(at, json.get(i));
      String name = text(at, spec, "name");
      String type = text(at, spec, "type");
      DataType dataType = PRIMITIVES.get(type);
      if (dataType == null) {
        throw invalid(at, "unknown type \"" + type + "\" for parameter \"" + name
            + "\"; expected one of " + PRIMITIVE_NAMES);
      }
      ParamSpec.Builder param = ParamSpec.newBuilder()
          .setName(name)
          .setType(dataType)
          .setDefaultValue(value(field(at, spec, "default")));
      JsonNode shape = spec.get("shape");
      if (shape != null && !shape.isNull()) {
        param.addAllShape(shape(at + ".shape", shape));
      }
      params.addParams(param);
    }
    return params.build();
  }

  private JsonNode field(String path, JsonNode spec, String key) {
    JsonNode value = spec.get(key);
    if (value == null) {
      throw invalid(path, "missing \"" + key + "\"");
    }
    return value;
  }

  private JsonNode object(String path, JsonNode node) {
    if (!node.isObject()) {
      throw invalid(path, "expected a JSON object, found " + kind(node));
    }
    return node;
  }

  private String text(String path, JsonNode spec, String key) {
    JsonNode value = field(path, spec, key);
    if (!value.isTextual()) {
      throw invalid(path + "." + key, "expected a string, found " + kind(value));
    }
    return value.textValue();
  }

  private String optionalText(String path, JsonNode spec, String key) {
    JsonNode value = spec.get(key);
    return value == null || value.isNull() ? null : text(path, spec, key);
  }

  private Malformed invalid(String path, String description) {
    return new Malformed(line, path + ": " + description);
  }

  private static Value value(JsonNode node) {
    Value.Builder value = Value.newBuilder();
    switch (node.getNodeType()) {
      case BOOLEAN -> value.setBoolValue(node.booleanValue());
      case NUMBER -> value.setNumberValue(node.doubleValue());
      case STRING -> value.setStringValue(node.textValue());
      case ARRAY -> {
        ListValue.Builder list = ListValue.newBuilder();
        node.forEach(item -> list.addValues(value(item)));
        value.setListValue(list);
      }
      case OBJECT -> {
        Struct.Builder struct = Struct.newBuilder();
        node.properties().forEach(e -> struct.putFields(e.getKey(), value(e.getValue())));
        value.setStructValue(struct);
      }
      default -> value.setNullValue(NullValue.NULL_VALUE);
    }
    return value.build();
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case MISSING -> "an empty string";
      case NULL -> "null";
      case BOOLEAN -> "the boolean " + node.asText();
      case NUMBER -> "the number " + node.asText();
      case STRING -> "the string \"" + node.textValue() + "\"";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static Map<String, DataType> primitives() {
    Map<String, DataType> primitives = new LinkedHashMap<>();
    for (DataType type : DataType.values()) {
      if (type != DataType.DATA_TYPE_UNSPECIFIED && type != DataType.UNRECOGNIZED) {
        primitives.put(type.name().substring("DATA_TYPE_".length()).toLowerCase(Locale.ROOT), type);
      }
    }
    return primitives;
  }
}
