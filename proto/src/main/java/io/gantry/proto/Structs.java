package io.gantry.proto;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code google.protobuf.Struct} to and from the plain Java values policies take: maps, lists, scalars. */
public final class Structs {

  private Structs() {}

  /** Numbers become doubles, as JSON numbers are in a Struct. */
  public static Map<String, Object> toMap(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((key, value) -> map.put(key, toJava(value)));
    return map;
  }

  public static Struct toStruct(Map<String, ?> map) {
    Struct.Builder struct = Struct.newBuilder();
    map.forEach((key, value) -> struct.putFields(key, toValue(value)));
    return struct.build();
  }

  private static Object toJava(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> toMap(value.getStructValue());
      case LIST_VALUE -> {
        List<Object> list = new ArrayList<>();
        value.getListValue().getValuesList().forEach(element -> list.add(toJava(element)));
        yield list;
      }
      default -> null;
    };
  }

  private static Value toValue(Object value) {
    if (value == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (value instanceof Number number) {
      return Value.newBuilder().setNumberValue(number.doubleValue()).build();
    }
    if (value instanceof Boolean bool) {
      return Value.newBuilder().setBoolValue(bool).build();
    }
    if (value instanceof Map<?, ?> map) {
      Struct.Builder struct = Struct.newBuilder();
      map.forEach((key, element) -> struct.putFields(String.valueOf(key), toValue(element)));
      return Value.newBuilder().setStructValue(struct).build();
    }
    if (value instanceof Iterable<?> list) {
      ListValue.Builder values = ListValue.newBuilder();
      list.forEach(element -> values.addValues(toValue(element)));
      return Value.newBuilder().setListValue(values).build();
    }
    return Value.newBuilder().setStringValue(String.valueOf(value)).build();
  }
}
