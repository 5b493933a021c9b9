package io.gantry.policy.builtin;

import io.gantry.policy.DataType;
import io.gantry.policy.DataType.ArrayType;
import io.gantry.policy.DataType.MapType;
import io.gantry.policy.DataType.ObjectType;
import io.gantry.policy.DataType.Property;
import io.gantry.policy.DataType.Scalar;
import io.gantry.policy.Signature;
import io.gantry.policy.Signature.ColumnSpec;
import io.gantry.policy.Signature.Schema;
import io.gantry.policy.Signature.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a candidate signature can replace the current one without breaking a caller: it accepts every input
 * the current one accepts and produces the same outputs. Each problem is one sentence naming the column.
 */
final class SignatureCompatibility {

  /** Scalar widenings that lose nothing a caller could send (MLflow's own schema enforcement allows these). */
  private static final Map<Scalar, Set<Scalar>> WIDER_SCALARS = Map.of(
      Scalar.INTEGER, Set.of(Scalar.LONG, Scalar.DOUBLE),
      Scalar.LONG, Set.of(Scalar.DOUBLE),
      Scalar.FLOAT, Set.of(Scalar.DOUBLE));

  private static final Pattern NUMERIC_DTYPE = Pattern.compile("(int|uint|float)(8|16|32|64)");

  private final List<String> problems = new ArrayList<>();

  private SignatureCompatibility() {}

  /** Every way {@code candidate} breaks a caller of {@code current}, or nothing when it does not. */
  static List<String> problems(Signature current, Signature candidate) {
    SignatureCompatibility check = new SignatureCompatibility();
    check.inputs(current.inputs(), candidate.inputs());
    check.outputs(current.outputs(), candidate.outputs());
    return List.copyOf(check.problems);
  }

  private void inputs(Schema current, Schema candidate) {
    if (current instanceof Schema.Columns was && candidate instanceof Schema.Columns now) {
      Map<String, ColumnSpec> candidateColumns = byName(now.columns(), ColumnSpec::name);
      for (ColumnSpec column : was.columns()) {
        ColumnSpec replacement = candidateColumns.get(column.name());
        if (replacement == null) {
          problems.add("drops input column '" + column.name() + "' (" + column.type().describe() + ")");
        } else if (!accepts(replacement.type(), column.type())) {
          problems.add("input column '" + column.name() + "' changes type from " + column.type().describe()
              + " to " + replacement.type().describe());
        } else if (replacement.required() && !column.required()) {
          problems.add("input column '" + column.name() + "' becomes required");
        }
      }
      Map<String, ColumnSpec> currentColumns = byName(was.columns(), ColumnSpec::name);
      for (ColumnSpec column : now.columns()) {
        if (column.required() && !currentColumns.containsKey(column.name())) {
          problems.add("adds required input column '" + column.name() + "' (" + column.type().describe() + ")");
        }
      }
    } else if (current instanceof Schema.Tensors was && candidate instanceof Schema.Tensors now) {
      Map<String, TensorSpec> candidateTensors = tensorsByName(now);
      tensorsByName(was).forEach((name, tensor) -> {
        TensorSpec replacement = candidateTensors.get(name);
        if (replacement == null) {
          problems.add("drops input tensor '" + name + "'");
        } else if (!acceptsDtype(replacement.dtype(), tensor.dtype())) {
          problems.add("input tensor '" + name + "' changes dtype from " + tensor.dtype() + " to "
              + replacement.dtype());
        } else if (!acceptsShape(replacement.shape(), tensor.shape())) {
          problems.add("input tensor '" + name + "' changes shape from " + tensor.shape() + " to "
              + replacement.shape());
        }
      });
      Map<String, TensorSpec> currentTensors = tensorsByName(was);
      candidateTensors.keySet().stream()
          .filter(name -> !currentTensors.containsKey(name))
          .forEach(name -> problems.add("adds input tensor '" + name + "'"));
    } else {
      problems.add("inputs change from " + kind(current) + " to " + kind(candidate));
    }
  }

  private void outputs(Schema current, Schema candidate) {
    // A holder logged without outputs promised callers nothing about them.
    if (current instanceof Schema.Columns was && was.columns().isEmpty()) {
      return;
    }
    if (current instanceof Schema.Columns was && candidate instanceof Schema.Columns now) {
      Map<String, ColumnSpec> candidateColumns = byName(now.columns(), ColumnSpec::name);
      for (ColumnSpec column : was.columns()) {
        ColumnSpec replacement = candidateColumns.get(column.name());
        if (replacement == null) {
          problems.add("drops output column '" + column.name() + "' (" + column.type().describe() + ")");
        } else if (!replacement.type().equals(column.type())) {
          problems.add("output column '" + column.name() + "' changes type from " + column.type().describe()
              + " to " + replacement.type().describe());
        }
      }
      Map<String, ColumnSpec> currentColumns = byName(was.columns(), ColumnSpec::name);
      now.columns().stream()
          .filter(column -> !currentColumns.containsKey(column.name()))
          .forEach(column -> problems.add("adds output column '" + column.name() + "'"));
    } else if (current instanceof Schema.Tensors was && candidate instanceof Schema.Tensors now) {
      Map<String, TensorSpec> candidateTensors = tensorsByName(now);
      Map<String, TensorSpec> currentTensors = tensorsByName(was);
      currentTensors.forEach((name, tensor) -> {
        TensorSpec replacement = candidateTensors.get(name);
        if (replacement == null) {
          problems.add("drops output tensor '" + name + "'");
        } else if (!replacement.dtype().equals(tensor.dtype()) || !replacement.shape().equals(tensor.shape())) {
          problems.add("output tensor '" + name + "' changes from " + tensor.dtype() + tensor.shape() + " to "
              + replacement.dtype() + replacement.shape());
        }
      });
      candidateTensors.keySet().stream()
          .filter(name -> !currentTensors.containsKey(name))
          .forEach(name -> problems.add("adds output tensor '" + name + "'"));
    } else {
      problems.add("outputs change from " + kind(current) + " to " + kind(candidate));
    }
  }

  /** Whether every value of type {@code accepted} is also a value of type {@code type}. */
  static boolean accepts(DataType type, DataType accepted) {
    if (type.equals(accepted) || type == Scalar.ANY) {
      return true;
    }
    if (type instanceof Scalar wider && accepted instanceof Scalar narrower) {
      return WIDER_SCALARS.getOrDefault(narrower, Set.of()).contains(wider);
    }
    if (type instanceof ArrayType array && accepted instanceof ArrayType acceptedArray) {
      return accepts(array.items(), acceptedArray.items());
    }
    if (type instanceof MapType map && accepted instanceof MapType acceptedMap) {
      return accepts(map.values(), acceptedMap.values());
    }
    if (type instanceof ObjectType object && accepted instanceof ObjectType acceptedObject) {
      return acceptsProperties(object.properties(), acceptedObject.properties());
    }
    return false;
  }

  // The same rules as for input columns, one level down.
  private static boolean acceptsProperties(List<Property> properties, List<Property> accepted) {
    Map<String, Property> byName = byName(properties, Property::name);
    Map<String, Property> acceptedByName = byName(accepted, Property::name);
    for (Property property : accepted) {
      Property replacement = byName.get(property.name());
      if (replacement == null
          || !accepts(replacement.type(), property.type())
          || (replacement.required() && !property.required())) {
        return false;
      }
    }
    return properties.stream().noneMatch(p -> p.required() && !acceptedByName.containsKey(p.name()));
  }

  /**
   * numpy's safe casting ({@code np.can_cast(accepted, dtype, "safe")}) for the numeric dtypes: a wider integer of
   * the same signedness, a signed integer wider than an unsigned one, a wider float, or a float at least twice as
   * wide as an integer (so its mantissa holds every value). Other dtypes must be equal.
   */
  static boolean acceptsDtype(String dtype, String accepted) {
    if (dtype.equals(accepted)) {
      return true;
    }
    Matcher to = NUMERIC_DTYPE.matcher(dtype);
    Matcher from = NUMERIC_DTYPE.matcher(accepted);
    if (!to.matches() || !from.matches()) {
      return false;
    }
    String toKind = to.group(1);
    String fromKind = from.group(1);
    int toBits = Integer.parseInt(to.group(2));
    int fromBits = Integer.parseInt(from.group(2));
    if (toKind.equals(fromKind)) {
      return toBits >= fromBits;
    }
    if (toKind.equals("int") && fromKind.equals("uint")) {
      return toBits > fromBits;
    }
    return toKind.equals("float") && toBits >= 2 * fromBits;
  }

  /** The same rank, and each dimension either variable ({@code -1}) or the current one's fixed size. */
  static boolean acceptsShape(List<Long> shape, List<Long> accepted) {
    if (shape.size() != accepted.size()) {
      return false;
    }
    for (int i = 0; i < shape.size(); i++) {
      if (shape.get(i) != -1 && !Objects.equals(shape.get(i), accepted.get(i))) {
        return false;
      }
    }
    return true;
  }

  // An unnamed tensor (a model taking a single array) is matched by position.
  private static Map<String, TensorSpec> tensorsByName(Schema.Tensors schema) {
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    List<TensorSpec> tensors = schema.tensors();
    for (int i = 0; i < tensors.size(); i++) {
      TensorSpec tensor = tensors.get(i);
      byName.put(tensor.name().isEmpty() ? "#" + i : tensor.name(), tensor);
    }
    return byName;
  }

  private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
    Map<String, T> byName = new LinkedHashMap<>();
    items.forEach(item -> byName.put(name.apply(item), item));
    return byName;
  }

  private static String kind(Schema schema) {
    return schema instanceof Schema.Columns ? "columns" : "tensors";
  }
}
