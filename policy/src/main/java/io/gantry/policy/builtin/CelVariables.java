package io.gantry.policy.builtin;

import com.google.protobuf.NullValue;
import io.gantry.policy.Candidate;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.PromotionRequest;
import io.gantry.policy.Requirement;
import io.gantry.policy.Signature;
import io.gantry.policy.Signature.ColumnSpec;
import io.gantry.policy.Signature.ParamSpec;
import io.gantry.policy.Signature.Schema;
import io.gantry.policy.Signature.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot as CEL variables: maps with snake_case keys, lists, strings, ints (as {@code long}), doubles and
 * bools, so expressions read like the registry's JSON.
 *
 * <ul>
 *   <li>{@code candidate} and {@code current}: {@code model}, {@code version}, {@code status} ({@code "READY"}),
 *       {@code created_by}, {@code tags}, {@code metrics} (dataset → metric → value, so
 *       {@code candidate.metrics.test.rmse}), {@code dataset_digests}, {@code requirements} (each {@code name},
 *       {@code specifier}, {@code pinned}, {@code line}, {@code line_number}, {@code source_file}),
 *       {@code content_digest}, and {@code signature} only when there is one ({@code has(candidate.signature)}):
 *       {@code inputs} and {@code outputs} (columns with {@code name}, {@code type} such as
 *       {@code "array<double>"} and {@code required}; or tensors with {@code name}, {@code dtype}, {@code shape}),
 *       and {@code params} ({@code name}, {@code type}).
 *   <li>{@code current} is {@code null} when no version holds the alias.
 *   <li>{@code request}: {@code requester}, {@code alias}, {@code justification}.
 * </ul>
 */
final class CelVariables {

  static final String CANDIDATE = "candidate";
  static final String CURRENT = "current";
  static final String REQUEST = "request";

  private CelVariables() {}

  static Map<String, Object> of(PolicyInput input) {
    return Map.of(
        CANDIDATE, candidate(input.candidate()),
        // CEL's null is the protobuf NullValue; a Java null would read as an unbound variable.
        CURRENT, input.current().<Object>map(CelVariables::candidate).orElse(NullValue.NULL_VALUE),
        REQUEST, request(input.request()));
  }

  private static Map<String, Object> candidate(Candidate candidate) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("model", candidate.model());
    map.put("version", candidate.version());
    map.put("status", candidate.status().name());
    map.put("created_by", candidate.createdBy());
    map.put("tags", candidate.tags());
    map.put("metrics", candidate.metrics());
    map.put("dataset_digests", candidate.datasetDigests());
    map.put("requirements", candidate.requirements().stream().map(CelVariables::requirement).toList());
    map.put("content_digest", candidate.contentDigest());
    candidate.signature().ifPresent(signature -> map.put("signature", signature(signature)));
    return map;
  }

  private static Map<String, Object> requirement(Requirement requirement) {
    return Map.of(
        "name", requirement.name(),
        "specifier", requirement.specifier(),
        "pinned", requirement.pinned(),
        "line", requirement.line(),
        "line_number", (long) requirement.lineNumber(),
        "source_file", requirement.sourceFile());
  }

  private static Map<String, Object> signature(Signature signature) {
    return Map.of(
        "inputs", schema(signature.inputs()),
        "outputs", schema(signature.outputs()),
        "params", signature.params().stream().map(CelVariables::param).toList());
  }

  private static List<Map<String, Object>> schema(Schema schema) {
    if (schema instanceof Schema.Columns columns) {
      return columns.columns().stream().map(CelVariables::column).toList();
    }
    return ((Schema.Tensors) schema).tensors().stream().map(CelVariables::tensor).toList();
  }

  private static Map<String, Object> column(ColumnSpec column) {
    return Map.of("name", column.name(), "type", column.type().describe(), "required", column.required());
  }

  private static Map<String, Object> tensor(TensorSpec tensor) {
    return Map.of("name", tensor.name(), "dtype", tensor.dtype(), "shape", tensor.shape());
  }

  private static Map<String, Object> param(ParamSpec param) {
    return Map.of("name", param.name(), "type", param.type().describe());
  }

  private static Map<String, Object> request(PromotionRequest request) {
    return Map.of(
        "requester", request.requester(),
        "alias", request.alias(),
        "justification", request.justification());
  }
}
