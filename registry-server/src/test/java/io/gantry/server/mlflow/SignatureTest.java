package io.gantry.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.v1.ColSpec;
import io.gantry.v1.ColumnType;
import io.gantry.v1.DataType;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelSignature;
import io.gantry.v1.ParamSpec;
import io.gantry.v1.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SignatureTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An MLmodel whose signature parts are the given JSON texts (null writes YAML null). */
  private static String mlmodel(String inputs, String outputs, String params) throws Exception {
    return "flavors: {}\nsignature:\n"
        + "  inputs: " + JSON.writeValueAsString(inputs) + "\n"
        + "  outputs: " + JSON.writeValueAsString(outputs) + "\n"
        + "  params: " + JSON.writeValueAsString(params) + "\n";
  }

  private static ModelSignature signature(String inputs, String outputs, String params)
      throws Exception {
    return Fixtures.parse(MlflowFiles.newBuilder().setMlmodel(mlmodel(inputs, outputs, params)))
        .mlmodel().orElseThrow().getSignature();
  }

  static Stream<JsonNode> signatureExamples() throws Exception {
    JsonNode examples = JSON.readTree(Fixtures.text("signatures/signature-examples.json"));
    List<JsonNode> list = new ArrayList<>();
    examples.get("examples").forEach(list::add);
    return list.stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("signatureExamples")
  void signatureExample_parsesLikeItsDecodedForm(JsonNode example) throws Exception {
    JsonNode raw = example.get("raw");
    JsonNode decoded = example.get("decoded");
    ModelSignature signature = signature(
        raw.get("inputs").textValue(), raw.get("outputs").textValue(), raw.get("params").textValue());

    assertThat(specs(signature.getInputs())).isEqualTo(specs(decoded.get("inputs")));
    assertThat(specs(signature.getOutputs())).isEqualTo(specs(decoded.get("outputs")));
    List<String> params = new ArrayList<>();
    signature.getParams().getParamsList().forEach(p -> params.add(
        p.getName() + ":" + typeName(p.getType()) + "=" + defaultText(p) + p.getShapeList()));
    List<String> expectedParams = new ArrayList<>();
    decoded.path("params").forEach(p -> expectedParams.add(
        p.get("name").textValue() + ":" + p.get("type").textValue() + "=" + p.get("default")
            + (p.get("shape").isNull() ? "[]" : p.get("shape").toString())));
    assertThat(params).isEqualTo(expectedParams);
  }

  /** "name:type" per entry of a parsed schema, type as MLflow names it. */
  private static List<String> specs(Schema schema) {
    List<String> specs = new ArrayList<>();
    for (ColSpec column : schema.getColumnsList()) {
      specs.add((column.hasName() ? column.getName() : "") + ":" + typeName(column.getType()));
    }
    schema.getTensorsList().forEach(t -> specs.add((t.hasName() ? t.getName() : "") + ":tensor"));
    return specs;
  }

  private static List<String> specs(JsonNode decoded) {
    List<String> specs = new ArrayList<>();
    decoded.forEach(s -> specs.add(s.path("name").asText("") + ":" + s.get("type").textValue()));
    return specs;
  }

  private static String typeName(ColumnType type) {
    return switch (type.getKindCase()) {
      case PRIMITIVE -> typeName(type.getPrimitive());
      default -> type.getKindCase().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String typeName(DataType type) {
    return type.name().substring("DATA_TYPE_".length()).toLowerCase(Locale.ROOT);
  }

  private static String defaultText(ParamSpec param) {
    return switch (param.getDefaultValue().getKindCase()) {
      case BOOL_VALUE -> String.valueOf(param.getDefaultValue().getBoolValue());
      case NUMBER_VALUE -> {
        double n = param.getDefaultValue().getNumberValue();
        yield n == Math.rint(n) ? String.valueOf((long) n) : String.valueOf(n);
      }
      default -> param.getDefaultValue().toString();
    };
  }

  @Test
  void column_withMapOfArraysAndAny_isParsed() throws Exception {
    ModelSignature signature = signature(
        "[{\"type\": \"map\", \"values\": {\"type\": \"array\", \"items\": {\"type\": \"long\"}},"
            + " \"name\": \"counts\", \"required\": false},"
            + " {\"type\": \"any\", \"name\": \"extra\", \"required\": true}]",
        null, null);

    ColSpec counts = signature.getInputs().getColumns(0);
    assertThat(counts.getName()).isEqualTo("counts");
    assertThat(counts.getRequired()).isFalse();
    assertThat(counts.getType().getMap().getValues().getArray().getItems().getPrimitive())
        .isEqualTo(DataType.DATA_TYPE_LONG);
    assertThat(signature.getInputs().getColumns(1).getType().getPrimitive())
        .isEqualTo(DataType.DATA_TYPE_ANY);
    assertThat(signature.hasOutputs()).isFalse();
    assertThat(signature.hasParams()).isFalse();
  }

  @Test
  void objectProperties_keepFileOrderAndOptionalFlags() throws Exception {
    ModelSignature signature = signature(
        "[{\"type\": \"object\", \"properties\": {\"zeta\": {\"type\": \"string\", \"required\": false},"
            + " \"alpha\": {\"type\": \"binary\"}}, \"name\": \"doc\"}]",
        null, null);

    var properties = signature.getInputs().getColumns(0).getType().getObject().getPropertiesList();
    assertThat(properties).extracting(p -> p.getName()).containsExactly("zeta", "alpha");
    assertThat(properties).extracting(p -> p.getRequired()).containsExactly(false, true);
    assertThat(properties.get(1).getType().getPrimitive()).isEqualTo(DataType.DATA_TYPE_BINARY);
  }

  @Test
  void paramDefault_nanAsPythonWritesIt_isANumber() throws Exception {
    ModelSignature signature = signature(
        "[{\"type\": \"string\"}]", null,
        "[{\"name\": \"threshold\", \"type\": \"double\", \"default\": NaN, \"shape\": null}]");

    assertThat(signature.getParams().getParams(0).getDefaultValue().getNumberValue()).isNaN();
  }
}
