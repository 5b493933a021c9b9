package io.gantry.policy;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** The type of a signature column: a scalar, or an array, object or map built from other types (MLflow 2.10+). */
public sealed interface DataType {

  /** A short readable form, such as {@code long}, {@code array<double>} or {@code object{id: long, note?: string}}. */
  String describe();

  /** The MLflow scalar types. */
  enum Scalar implements DataType {
    BOOLEAN,
    INTEGER,
    LONG,
    FLOAT,
    DOUBLE,
    STRING,
    BINARY,
    DATETIME,
    /** MLflow's {@code AnyType}: any value, including null. */
    ANY;

    @Override
    public String describe() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A list of values of one type.
   *
   * @param items the type of every element
   */
  record ArrayType(DataType items) implements DataType {
    public ArrayType {
      Objects.requireNonNull(items, "items");
    }

    @Override
    public String describe() {
      return "array<" + items.describe() + ">";
    }
  }

  /**
   * A record with named properties.
   *
   * @param properties the properties, in declaration order
   */
  record ObjectType(List<Property> properties) implements DataType {
    public ObjectType {
      properties = List.copyOf(properties);
    }

    @Override
    public String describe() {
      return properties.stream()
          .map(p -> p.name() + (p.required() ? "" : "?") + ": " + p.type().describe())
          .collect(Collectors.joining(", ", "object{", "}"));
    }
  }

  /**
   * A map from string keys to values of one type.
   *
   * @param values the type of every value
   */
  record MapType(DataType values) implements DataType {
    public MapType {
      Objects.requireNonNull(values, "values");
    }

    @Override
    public String describe() {
      return "map<string, " + values.describe() + ">";
    }
  }

  /**
   * A property of an {@link ObjectType}.
   *
   * @param name the property name
   * @param type the property type
   * @param required whether every object must carry the property
   */
  record Property(String name, DataType type, boolean required) {
    public Property {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }
}
