package io.gantry.server.promotion;

import io.gantry.server.alias.Alias;
import io.gantry.server.common.Names;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.promotion.Promotion.Kind;
import java.util.Optional;

/**
 * What a requester asks for.
 *
 * @param version the version to point at; empty for a removal, and for a rollback (found in the history)
 * @param expectedCurrentVersion the holder the requester expects; 0 means no holder
 */
public record Draft(String modelId, String alias, Kind kind, Optional<Integer> version, String justification,
    Optional<Integer> expectedCurrentVersion, boolean archivePrevious) {

  static final int MAX_JUSTIFICATION = 4096;

  /** Refuses a malformed draft before anything is read. */
  void check() {
    Names.checkAlias("alias", alias);
    if (Names.LATEST.equals(alias)) {
      throw GantryException.invalid("alias", "'latest' is computed (the highest READY version) and cannot be moved");
    }
    Violations violations = new Violations().text("justification", justification, MAX_JUSTIFICATION);
    if (kind == Kind.MOVE && version.isEmpty()) {
      violations.add("version", "is required (a positive version number), unless remove_alias is set");
    }
    if (kind == Kind.REMOVE && version.isPresent()) {
      violations.add("version", "must be 0 when remove_alias is set");
    }
    expectedCurrentVersion.filter(v -> v < 0).ifPresent(v ->
        violations.add("expected_current_version", "must be 0 (no holder) or a version number, got " + v));
    violations.throwIfAny();
  }

  /** Refuses the draft when the alias does not point where the requester expects. */
  void requireExpectedHolder(Alias current) {
    if (expectedCurrentVersion.isPresent() && !expectedCurrentVersion.get().equals(current.version().orElse(0))) {
      throw new GantryException(ErrorCode.CURRENT_VERSION_MISMATCH, "alias " + current.name() + " points at "
          + Promotion.describe(current.version()) + ", not at "
          + Promotion.describe(expectedCurrentVersion.filter(v -> v > 0)) + " as expected_current_version says");
    }
  }

  /** A rollback to {@code previous}, expecting the alias's holder of now. */
  Draft rollingBackTo(int previous, Alias current) {
    return new Draft(modelId, alias, kind, Optional.of(previous), justification,
        current.version().or(() -> Optional.of(0)), archivePrevious);
  }
}
