package io.gantry.server.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.FieldViolation;
import io.gantry.server.error.GantryException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a request that protobuf refused to parse is damaged. The parser says only what went wrong; this walks the
 * same bytes against the message's descriptor to name the field (as a path of proto field names, the form every
 * other violation uses), so a client written in any language learns which of its fields it encoded wrongly.
 */
final class Damage {

  /** protobuf-java's own default: deeper nesting is refused by the parser too. */
  private static final int MAX_DEPTH = 100;

  private final String field;
  private final String description;
  private final boolean encodingOfOneField;

  private Damage(String field, String description, boolean encodingOfOneField) {
    this.field = field;
    this.description = description;
    this.encodingOfOneField = encodingOfOneField;
  }

  /**
   * The error a client gets for {@code bytes}, which the parser refused with {@code failure}: INVALID_FIELD when one
   * string field holds bytes that are not UTF-8, MALFORMED_REQUEST when the message itself is cut short or not
   * protobuf, naming the field where the walk found the damage.
   */
  static GantryException of(byte[] bytes, Descriptor type, InvalidProtocolBufferException failure) {
    Damage damage;
    try {
      damage = walk(CodedInputStream.newInstance(bytes), type, "", 0);
    } catch (IOException e) {
      damage = new Damage("", e.getMessage(), false);
    }
    if (damage == null) {
      // the walk found nothing the parser objects to (it reads less strictly): report what the parser said
      damage = new Damage("", failure.getMessage(), false);
    }
    String what = "the request is not a valid " + type.getFullName() + ": ";
    if (damage.encodingOfOneField) {
      return GantryException.invalid(damage.field, damage.description);
    }
    List<FieldViolation> violations = damage.field.isEmpty()
        ? List.of() : List.of(new FieldViolation(damage.field, damage.description));
    String where = damage.field.isEmpty() ? "" : damage.field + ": ";
    return new GantryException(ErrorCode.MALFORMED_REQUEST, what + where + damage.description, violations,
        failure);
  }

  /** The first damage in the message {@code in} is positioned on, or null if its encoding reads cleanly. */
  private static Damage walk(CodedInputStream in, Descriptor type, String path, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      return new Damage(path, "nests messages more than " + MAX_DEPTH + " deep", false);
    }
    Map<Integer, Integer> seen = new HashMap<>();
    while (!in.isAtEnd()) {
      int tag;
      try {
        tag = in.readTag();
      } catch (InvalidProtocolBufferException e) {
        return new Damage(path, "holds bytes that are no field (" + e.getMessage() + ")", false);
      }
      FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
      // a known field sent with another wire type is an unknown field to the parser, as is an unknown number
      boolean known = field != null && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
          && (field.getType() == FieldDescriptor.Type.STRING || field.getType() == FieldDescriptor.Type.MESSAGE);
      String fieldPath = field == null ? path : join(path, field.getName());
      if (field != null && field.isRepeated() && !field.isMapField()) {
        fieldPath += "[" + (seen.merge(field.getNumber(), 1, Integer::sum) - 1) + "]";
      }
      try {
        if (!known) {
          in.skipField(tag);
        } else if (field.getType() == FieldDescriptor.Type.STRING) {
          ByteString value = in.readBytes();
          if (!value.isValidUtf8()) {
            return new Damage(fieldPath, "is not valid UTF-8", true);
          }
        } else {
          int length = in.readRawVarint32();
          if (length < 0 || length > in.getBytesUntilLimit()) {
            return new Damage(fieldPath, "is cut short: " + length + " bytes announced, "
                + Math.max(in.getBytesUntilLimit(), 0) + " left", false);
          }
          int limit = in.pushLimit(length);
          Damage inner = walk(in, field.getMessageType(), fieldPath, depth + 1);
          if (inner != null) {
            // a map entry's key and value are the map field, as far as the client is concerned
            return field.isMapField() ? new Damage(fieldPath, inner.description, inner.encodingOfOneField) : inner;
          }
          in.popLimit(limit);
        }
      } catch (InvalidProtocolBufferException e) {
        return new Damage(fieldPath, "is cut short or malformed (" + e.getMessage() + ")", false);
      }
    }
    return null;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
