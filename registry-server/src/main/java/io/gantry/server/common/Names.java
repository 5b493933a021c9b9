package io.gantry.server.common;

import io.gantry.server.error.GantryException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Resource names (AIP-122): {@code models/{model}} and {@code models/{model}/versions/{version}}. */
public final class Names {

  public static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,255}");
  private static final Pattern MODEL_NAME = Pattern.compile("models/([^/]*)");
  private static final Pattern VERSION_NAME = Pattern.compile("models/([^/]*)/versions/([^/]*)");
  // MLflow's URI form, accepted wherever a version is
  private static final Pattern VERSION_URI = Pattern.compile("models:/([^/]*)/([^/]*)");
  private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");

  private Names() {}

  /** A version of a model, by number. */
  public record VersionRef(String model, int version) {
    public String name() {
      return versionName(model, version);
    }
  }

  public static String modelName(String modelId) {
    return "models/" + modelId;
  }

  public static String versionName(String modelId, long version) {
    return "models/" + modelId + "/versions/" + version;
  }

  /** Checks a model id as given on create. */
  public static String checkModelId(String field, String modelId) {
    if (modelId.isEmpty()) {
      throw GantryException.invalid(field, "is required");
    }
    if (!MODEL_ID.matcher(modelId).matches()) {
      throw GantryException.invalid(field, "'" + printable(modelId) + "' is not a valid model id: it must match "
          + MODEL_ID.pattern() + " (letters, digits, '.', '_', '-'; at most 256 characters)");
    }
    return modelId;
  }

  /** Parses {@code models/{model}} into the model id. */
  public static String parseModelName(String field, String name) {
    Matcher m = MODEL_NAME.matcher(name);
    if (!m.matches()) {
      throw GantryException.invalid(field, malformed(name, "models/{model}"));
    }
    return checkModelId(field, m.group(1));
  }

  /** Parses a list parent: {@code models/{model}}, or {@code models/-} for every model (empty). */
  public static Optional<String> parseModelParent(String field, String parent) {
    if ("models/-".equals(parent)) {
      return Optional.empty();
    }
    return Optional.of(parseModelName(field, parent));
  }

  /** Parses {@code models/{model}/versions/{version}} or {@code models:/{model}/{version}}. */
  public static VersionRef parseVersionName(String field, String name) {
    Matcher m = VERSION_NAME.matcher(name);
    if (!m.matches()) {
      m = VERSION_URI.matcher(name);
      if (!m.matches()) {
        throw GantryException.invalid(field,
            malformed(name, "models/{model}/versions/{version} or models:/{model}/{version}"));
      }
    }
    String model = checkModelId(field, m.group(1));
    if (!VERSION_NUMBER.matcher(m.group(2)).matches() || Long.parseLong(m.group(2)) > Integer.MAX_VALUE) {
      throw GantryException.invalid(field, "version '" + printable(m.group(2)) + "' is not a positive number");
    }
    return new VersionRef(model, Integer.parseInt(m.group(2)));
  }

  private static String malformed(String name, String expected) {
    return name.isEmpty() ? "is required (" + expected + ")"
        : "'" + printable(name) + "' is not a resource name of the form " + expected;
  }

  /** The value for an error message: control characters escaped, long values cut. */
  public static String printable(String value) {
    StringBuilder out = new StringBuilder();
    value.codePoints().limit(80).forEach(cp -> {
      if (Character.isISOControl(cp)) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return value.codePointCount(0, value.length()) > 80 ? out + "…" : out.toString();
  }
}
