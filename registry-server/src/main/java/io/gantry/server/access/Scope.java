package io.gantry.server.access;

import java.util.Optional;

/**
 * What a call touches, as far as its rights are concerned.
 *
 * @param model the model id (or, for {@link Kind#PATTERN}, the model glob) the call acts on
 * @param alias the alias a promotion moves or an approval decides on, when there is one
 */
public record Scope(Kind kind, String model, Optional<String> alias) {

  public enum Kind {
    /** One model: a binding whose glob matches it applies. */
    MODEL,
    /** A model glob (a policy binding's): a binding on {@code *}, on the same glob, or matching a plain name. */
    PATTERN,
    /** Every model at once (the audit log, access control): only a binding on {@code *} applies. */
    EVERY_MODEL,
    /** Some models (lists, or a name the service will refuse): a binding on any model applies. */
    ANY_MODEL,
    /** Nothing but the caller itself: any verified caller may. */
    CALLER
  }

  private static final String ALIASES = "/aliases/";

  public static final Scope EVERY_MODEL = new Scope(Kind.EVERY_MODEL, "*", Optional.empty());
  public static final Scope ANY_MODEL = new Scope(Kind.ANY_MODEL, "", Optional.empty());
  public static final Scope CALLER = new Scope(Kind.CALLER, "", Optional.empty());

  public static Scope model(String modelId) {
    return modelId.isEmpty() ? ANY_MODEL : new Scope(Kind.MODEL, modelId, Optional.empty());
  }

  public static Scope alias(String modelId, String alias) {
    return modelId.isEmpty() ? ANY_MODEL
        : new Scope(Kind.MODEL, modelId, alias.isEmpty() ? Optional.empty() : Optional.of(alias));
  }

  public static Scope pattern(String glob) {
    return glob.isEmpty() ? ANY_MODEL : new Scope(Kind.PATTERN, glob, Optional.empty());
  }

  /**
   * The scope of a resource name of a model, version or alias, in any spelling the API takes. A name that is not
   * one (malformed, or {@code models/-} for every model) is {@link #ANY_MODEL}: the service refuses or lists it.
   */
  public static Scope of(String resourceName) {
    // models/{model}…, models:/{model}/{version}, models:/{model}@{alias}; parsed by hand, since a cached
    // resolve spends less time answering than a regular expression would take here
    int start = resourceName.startsWith("models/") ? 7 : resourceName.startsWith("models:/") ? 8 : -1;
    if (start < 0) {
      return ANY_MODEL;
    }
    int end = start;
    while (end < resourceName.length() && resourceName.charAt(end) != '/' && resourceName.charAt(end) != '@') {
      end++;
    }
    String model = resourceName.substring(start, end);
    if (model.isEmpty() || model.equals("-")) {
      return ANY_MODEL;
    }
    String alias = "";
    if (end < resourceName.length() && resourceName.charAt(end) == '@') {
      alias = resourceName.substring(end + 1);
    } else if (resourceName.startsWith(ALIASES, end)) {
      alias = resourceName.substring(end + ALIASES.length());
    }
    return alias.indexOf('/') >= 0 ? ANY_MODEL : alias(model, alias);
  }

  /** How a refusal names it. */
  String describe() {
    return switch (kind) {
      case MODEL -> "models/" + model + alias.map(a -> " (alias " + a + ")").orElse("");
      case PATTERN -> "the models matching " + model;
      case EVERY_MODEL -> "every model (*)";
      case ANY_MODEL -> "any model";
      case CALLER -> "the caller";
    };
  }
}
