package io.gantry.client;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what people type into resource names (AIP-122): {@code taxi} into {@code models/taxi},
 * {@code taxi 3} and {@code models:/taxi/3} (the MLflow URI) into {@code models/taxi/versions/3},
 * {@code models:/taxi@champion} into {@code models/taxi/aliases/champion}, and the id of a promotion, a role
 * binding or an API token into {@code promotions/{uuid}}, {@code roleBindings/{id}} or {@code apiTokens/{uuid}}.
 * Only the shape is checked here; whether a model id is valid is the server's to say, so that every client gets the
 * same answer naming the same field.
 */
public final class ResourceNames {

  public static final String MODEL_URI_PREFIX = "models:/";

  private static final String MODELS = "models/";
  private static final String PROMOTIONS = "promotions";
  private static final String ROLE_BINDINGS = "roleBindings";
  private static final String API_TOKENS = "apiTokens";
  private static final String WEBHOOKS = "webhooks";
  private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern VERSION_URI = Pattern.compile("models:/(.+)/([^/]+)");
  private static final Pattern VERSION_NAME = Pattern.compile("models/(.+)/versions/([^/]+)");
  private static final Pattern ALIAS_URI = Pattern.compile("models:/([^/@]+)@([^/@]+)");
  private static final Pattern ALIAS_NAME = Pattern.compile("models/([^/]+)/aliases/([^/]+)");
  private static final Pattern ID = Pattern.compile("[^/\\s]+");

  private ResourceNames() {}

  /** {@code taxi} or {@code models/taxi} → {@code models/taxi}. */
  public static String model(String model) {
    return MODELS + modelId(model);
  }

  /** {@code models/taxi} or {@code taxi} → {@code taxi}. */
  public static String modelId(String model) {
    return model.startsWith(MODELS) ? model.substring(MODELS.length()) : model;
  }

  /** {@code taxi}, {@code 3} → {@code models/taxi/versions/3}. */
  public static String version(String model, String version) {
    if (!VERSION_NUMBER.matcher(version).matches()) {
      throw new IllegalArgumentException("version must be a positive whole number, got '" + version + "'");
    }
    return model(model) + "/versions/" + version;
  }

  /** {@code models:/taxi/3} or {@code models/taxi/versions/3} → {@code models/taxi/versions/3}. */
  public static String version(String reference) {
    for (Pattern form : new Pattern[] {VERSION_URI, VERSION_NAME}) {
      Matcher matcher = form.matcher(reference);
      if (matcher.matches()) {
        return version(matcher.group(1), matcher.group(2));
      }
    }
    throw new IllegalArgumentException(
        "expected a version as models:/MODEL/VERSION or models/MODEL/versions/VERSION, got '" + reference + "'");
  }

  /** {@code models/taxi/versions/3} → {@code models/taxi}. */
  public static String versionParent(String versionName) {
    return model(versionNameParts(versionName).group(1));
  }

  /** {@code models/taxi/versions/3} → 3. */
  public static long versionNumber(String versionName) {
    return Long.parseLong(versionNameParts(versionName).group(2));
  }

  private static Matcher versionNameParts(String versionName) {
    Matcher matcher = VERSION_NAME.matcher(versionName);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("expected a version name models/MODEL/versions/VERSION, got '"
          + versionName + "'");
    }
    return matcher;
  }

  /** {@code taxi}, {@code champion} → {@code models/taxi/aliases/champion}. */
  public static String alias(String model, String alias) {
    return model(model) + "/aliases/" + alias;
  }

  /** {@code models:/taxi@champion} or {@code models/taxi/aliases/champion} → {@code models/taxi/aliases/champion}. */
  public static String alias(String reference) {
    for (Pattern form : new Pattern[] {ALIAS_URI, ALIAS_NAME}) {
      Matcher matcher = form.matcher(reference);
      if (matcher.matches()) {
        return alias(matcher.group(1), matcher.group(2));
      }
    }
    throw new IllegalArgumentException(
        "expected an alias as models:/MODEL@ALIAS or models/MODEL/aliases/ALIAS, got '" + reference + "'");
  }

  /** Whether {@code argument} names an alias ({@code models:/taxi@champion}) rather than a version. */
  public static boolean isAliasReference(String argument) {
    return ALIAS_URI.matcher(argument).matches() || ALIAS_NAME.matcher(argument).matches();
  }

  /** A promotion's uuid or {@code promotions/{uuid}} → {@code promotions/{uuid}}. */
  public static String promotion(String promotion) {
    return child(PROMOTIONS, promotion, "a promotion");
  }

  /** A role binding's id or {@code roleBindings/{id}} → {@code roleBindings/{id}}. */
  public static String roleBinding(String binding) {
    return child(ROLE_BINDINGS, binding, "a role binding");
  }

  /** An API token's uuid or {@code apiTokens/{uuid}} → {@code apiTokens/{uuid}}. */
  public static String apiToken(String token) {
    return child(API_TOKENS, token, "an API token");
  }

  /** A webhook's id or {@code webhooks/{id}} → {@code webhooks/{id}}. */
  public static String webhook(String webhook) {
    return child(WEBHOOKS, webhook, "a webhook");
  }

  /** {@code id} or {@code collection/id} → {@code collection/id}; the server checks the id itself. */
  private static String child(String collection, String argument, String what) {
    String prefix = collection + "/";
    String id = argument.startsWith(prefix) ? argument.substring(prefix.length()) : argument;
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "expected " + what + " as its id or " + prefix + "ID, got '" + argument + "'");
    }
    return prefix + id;
  }

  /** Whether {@code argument} names a version on its own, rather than being a model followed by a version. */
  public static boolean isVersionReference(String argument) {
    return argument.startsWith(MODEL_URI_PREFIX) || VERSION_NAME.matcher(argument).matches();
  }
}
