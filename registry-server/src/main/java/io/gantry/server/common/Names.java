package io.gantry.server.common;

import io.gantry.server.error.GantryException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource names (AIP-122): {@code models/{model}}, {@code models/{model}/versions/{version}},
 * {@code models/{model}/aliases/{alias}} and {@code promotions/{uuid}}.
 */
public final class Names {

  public static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,255}");
  private static final Pattern MODEL_NAME = Pattern.compile("models/([^/]*)");
  private static final Pattern VERSION_NAME = Pattern.compile("models/([^/]*)/versions/([^/]*)");
  // MLflow's URI form, accepted wherever a version is
  private static final Pattern VERSION_URI = Pattern.compile("models:/([^/]*)/([^/]*)");
  private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,9}");
  public static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  /** The alias every model has: its highest READY version, computed, never stored. */
  public static final String LATEST = "latest";
  /** Stands for every alias of a model, where a watch is asked for. */
  public static final String EVERY_ALIAS = "*";
  private static final Pattern ALIAS_NAME = Pattern.compile("models/([^/]*)/aliases/([^/]*)");
  // MLflow's URI form of an alias
  private static final Pattern ALIAS_URI = Pattern.compile("models:/([^/@]*)@([^/]*)");
  private static final Pattern PROMOTION_NAME = Pattern.compile("promotions/([0-9a-fA-F-]{36})");

  private Names() {}

  /** A version of a model, by number. */
  public record VersionRef(String model, int version) {
    public String name() {
      return versionName(model, version);
    }
  }

  /** An alias of a model. */
  public record AliasRef(String model, String alias) {
    public String name() {
      return aliasName(model, alias);
    }
  }

  public static String modelName(String modelId) {
    return "models/" + modelId;
  }

  public static String versionName(String modelId, long version) {
    return "models/" + modelId + "/versions/" + version;
  }

  public static String aliasName(String modelId, String alias) {
    return "models/" + modelId + "/aliases/" + alias;
  }

  /** The model a resource is named under ({@code models/{model}/...}); empty for a resource outside any model. */
  public static Optional<String> modelOf(String resource) {
    String prefix = modelName("");
    if (!resource.startsWith(prefix)) {
      return Optional.empty();
    }
    int end = resource.indexOf('/', prefix.length());
    return Optional.of(resource.substring(prefix.length(), end < 0 ? resource.length() : end));
  }

  public static String promotionName(UUID id) {
    return "promotions/" + id;
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

  /** Checks an alias; {@code latest} passes, callers that write refuse it. */
  public static String checkAlias(String field, String alias) {
    if (alias.isEmpty()) {
      throw GantryException.invalid(field, "is required");
    }
    if (!ALIAS.matcher(alias).matches()) {
      throw GantryException.invalid(field, "'" + printable(alias) + "' is not a valid alias: it must match "
          + ALIAS.pattern() + " (a lower-case letter, then lower-case letters, digits, '_', '-'; at most 64)");
    }
    return alias;
  }

  /** Parses {@code models/{model}/aliases/{alias}} or {@code models:/{model}@{alias}}. */
  public static AliasRef parseAliasName(String field, String name) {
    Matcher m = matchAlias(field, name);
    return new AliasRef(checkModelId(field, m.group(1)), checkAlias(field, m.group(2)));
  }

  /** Like {@link #parseAliasName}, also taking {@value #EVERY_ALIAS} for every alias of the model. */
  public static AliasRef parseAliasOrEvery(String field, String name) {
    Matcher m = matchAlias(field, name);
    String alias = m.group(2).equals(EVERY_ALIAS) ? EVERY_ALIAS : checkAlias(field, m.group(2));
    return new AliasRef(checkModelId(field, m.group(1)), alias);
  }

  private static Matcher matchAlias(String field, String name) {
    Matcher m = ALIAS_NAME.matcher(name);
    if (!m.matches()) {
      m = ALIAS_URI.matcher(name);
      if (!m.matches()) {
        throw GantryException.invalid(field,
            malformed(name, "models/{model}/aliases/{alias} or models:/{model}@{alias}"));
      }
    }
    return m;
  }

  /** Parses {@code promotions/{uuid}}. */
  public static UUID parsePromotionName(String field, String name) {
    Matcher m = PROMOTION_NAME.matcher(name);
    if (m.matches()) {
      try {
        return UUID.fromString(m.group(1));
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw GantryException.invalid(field, malformed(name, "promotions/{uuid}"));
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
