package io.gantry.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An MLflow model signature: what the model accepts, what it produces, and its inference parameters.
 *
 * @param inputs the input schema
 * @param outputs the output schema; an empty column schema when the model was logged without one
 * @param params the inference parameters
 */
public record Signature(Schema inputs, Schema outputs, List<ParamSpec> params) {

  public Signature {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(outputs, "outputs");
    params = List.copyOf(params);
  }

  /**
   * An MLflow schema: either named columns (a DataFrame-like input) or tensors. MLflow never mixes the two.
   */
  public sealed interface Schema {

    /**
     * A schema of columns.
     *
     * @param columns the columns, in declaration order
     */
    record Columns(List<ColumnSpec> columns) implements Schema {
      public Columns {
        columns = List.copyOf(columns);
      }
    }

    /**
     * A schema of tensors.
     *
     * @param tensors the tensors, in declaration order
     */
    record Tensors(List<TensorSpec> tensors) implements Schema {
      public Tensors {
        tensors = List.copyOf(tensors);
      }
    }
  }

  /**
   * A column of a column schema.
   *
   * @param name the column name
   * @param type the column type
   * @param required whether every input must carry the column
   */
  public record ColumnSpec(String name, DataType type, boolean required) {
    public ColumnSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  /**
   * A tensor of a tensor schema.
   *
   * @param name the tensor name; empty for the single unnamed tensor of a model that takes one
   * @param dtype the numpy dtype name, such as {@code float32}
   * @param shape the dimensions, {@code -1} for a variable one such as the batch size
   */
  public record TensorSpec(String name, String dtype, List<Long> shape) {
    public TensorSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
      shape = List.copyOf(shape);
    }
  }

  /**
   * An inference parameter.
   *
   * @param name the parameter name
   * @param type the parameter's scalar type
   * @param defaultValue its default as MLflow recorded it (a string, number, boolean or list), if any
   * @param shape {@code [-1]} for a list parameter, empty for a scalar one
   */
  public record ParamSpec(String name, DataType.Scalar type, Optional<Object> defaultValue, List<Long> shape) {
    public ParamSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(defaultValue, "defaultValue");
      shape = List.copyOf(shape);
    }
  }
}
