package io.gantry.server.web;

import io.gantry.v1.ColSpec;
import io.gantry.v1.ColumnType;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ObjectProperty;
import io.gantry.v1.Schema;
import io.gantry.v1.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A version's MLflow signature as a reader sees it: each input and output with its type, in file order. */
final class Signatures {

  private Signatures() {}

  /** Column or tensor name to its type as MLflow writes it ({@code double}, {@code array<string>}, ...). */
  static Map<String, String> fields(Schema schema) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < schema.getColumnsCount(); i++) {
      ColSpec column = schema.getColumns(i);
      fields.put(column.hasName() ? column.getName() : "#" + i,
          type(column.getType()) + (column.getRequired() ? "" : " (optional)"));
    }
    for (int i = 0; i < schema.getTensorsCount(); i++) {
      TensorSpec tensor = schema.getTensors(i);
      fields.put(tensor.hasName() ? tensor.getName() : "#" + i, tensor.getDtype() + " " + tensor.getShapeList()
          .stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")));
    }
    return fields;
  }

  static Map<String, String> inputs(ModelVersion version) {
    return fields(version.getMlmodel().getSignature().getInputs());
  }

  static Map<String, String> outputs(ModelVersion version) {
    return fields(version.getMlmodel().getSignature().getOutputs());
  }

  static boolean present(ModelVersion version) {
    return version.hasMlmodel() && version.getMlmodel().hasSignature();
  }

  static String type(ColumnType type) {
    return switch (type.getKindCase()) {
      case PRIMITIVE -> type.getPrimitive().name().substring("DATA_TYPE_".length()).toLowerCase(Locale.ROOT);
      case ARRAY -> "array<" + type(type.getArray().getItems()) + ">";
      case MAP -> "map<" + type(type.getMap().getValues()) + ">";
      case OBJECT -> type.getObject().getPropertiesList().stream().map(Signatures::property)
          .collect(Collectors.joining(", ", "object{", "}"));
      case KIND_NOT_SET -> "unspecified";
    };
  }

  private static String property(ObjectProperty property) {
    return property.getName() + ": " + type(property.getType()) + (property.getRequired() ? "" : "?");
  }

  /** A table of one schema's fields; a caption names it. */
  static void table(Html html, String caption, Map<String, String> fields) {
    html.open("table").element("caption", caption).headerRow("name", "type").open("tbody");
    if (fields.isEmpty()) {
      html.open("tr").element("td", "none", "colspan", "2").close("tr");
    }
    fields.forEach((name, type) -> html.row(name, type));
    html.close("tbody").close("table");
  }
}
