package io.gantry.server.common;

import io.gantry.server.error.FieldViolation;
import io.gantry.server.error.GantryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects every invalid field of a request, so one error names them all. */
public final class Violations {

  public static final int MAX_TAG_KEY = 250;
  public static final int MAX_TAG_VALUE = 5000;
  public static final int MAX_TAGS = 100;
  public static final int MAX_DESCRIPTION = 65_536;

  private final List<FieldViolation> violations = new ArrayList<>();

  public Violations add(String field, String description) {
    violations.add(new FieldViolation(field, description));
    return this;
  }

  public Violations add(List<FieldViolation> more) {
    violations.addAll(more);
    return this;
  }

  /** Single-line text: no control characters, at most {@code max} characters. */
  public Violations line(String field, String value, int max) {
    return text(field, value, max, false);
  }

  /** Free text: may hold line breaks and tabs, no other control characters. */
  public Violations text(String field, String value, int max) {
    return text(field, value, max, true);
  }

  public Violations required(String field, String value) {
    if (value.isEmpty()) {
      add(field, "is required");
    }
    return this;
  }

  public Violations uri(String field, String value, int max) {
    int before = violations.size();
    line(field, value, max);
    if (violations.size() == before && !value.isEmpty()) {
      try {
        new URI(value);
      } catch (URISyntaxException e) {
        add(field, "is not a valid URI: " + e.getMessage());
      }
    }
    return this;
  }

  public Violations tags(String field, Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      add(field, "has " + tags.size() + " tags; at most " + MAX_TAGS + " are allowed");
    }
    tags.forEach((key, value) -> tag(field, key, value));
    return this;
  }

  /** One tag; {@code field} is the map (e.g. {@code model.tags}), or empty for separate key and value fields. */
  public Violations tag(String field, String key, String value) {
    String keyField = field.isEmpty() ? "key" : field;
    String valueField = field.isEmpty() ? "value" : field;
    String which = field.isEmpty() ? "" : "tag '" + Names.printable(key) + "': ";
    int keyLength = key.codePointCount(0, key.length());
    if (key.isEmpty()) {
      add(keyField, "tag key is required");
    } else if (keyLength > MAX_TAG_KEY) {
      add(keyField, which + "key is " + keyLength + " characters long; at most " + MAX_TAG_KEY + " are allowed");
    } else if (key.codePoints().anyMatch(Character::isISOControl)) {
      add(keyField, which + "key contains a control character");
    }
    int valueLength = value.codePointCount(0, value.length());
    if (valueLength > MAX_TAG_VALUE) {
      add(valueField, which + "value is " + valueLength + " characters long; at most " + MAX_TAG_VALUE
          + " are allowed");
    } else {
      text(valueField, value, MAX_TAG_VALUE);
    }
    return this;
  }

  public void throwIfAny() {
    if (!violations.isEmpty()) {
      throw GantryException.invalid(violations);
    }
  }

  private Violations text(String field, String value, int max, boolean multiline) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      add(field, "is " + length + " characters long; at most " + max + " are allowed");
      return this;
    }
    int bad = value.codePoints()
        .filter(cp -> Character.isISOControl(cp) && !(multiline && (cp == '\n' || cp == '\r' || cp == '\t')))
        .findFirst().orElse(-1);
    if (bad >= 0) {
      add(field, String.format("contains the control character U+%04X", bad));
    }
    return this;
  }
}
