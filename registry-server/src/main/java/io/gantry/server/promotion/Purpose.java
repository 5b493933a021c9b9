package io.gantry.server.promotion;

import io.gantry.server.error.GantryException;
import java.util.Arrays;
import java.util.Locale;

/** Which move a policy binding gates. */
public enum Purpose {
  /** Pointing the alias at a version. */
  PROMOTE,
  /** Pointing the alias back at its previous holder; falls back to {@link #PROMOTE} when unbound. */
  ROLLBACK,
  /** Removing the alias. */
  REMOVE;

  /** The name bindings and the API use. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; empty means {@link #PROMOTE}. */
  public static Purpose parse(String field, String text) {
    if (text.isEmpty()) {
      return PROMOTE;
    }
    return Arrays.stream(values()).filter(p -> p.wireName().equals(text)).findFirst().orElseThrow(() ->
        GantryException.invalid(field, "'" + text + "' is not a purpose; use promote, rollback or remove"));
  }
}
