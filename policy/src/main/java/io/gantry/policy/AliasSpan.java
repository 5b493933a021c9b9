package io.gantry.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stretch of time during which an alias of the candidate's model pointed at one version.
 *
 * @param alias the alias, such as {@code staging}
 * @param version the version it pointed at
 * @param from when the alias moved onto that version
 * @param to when it moved away; empty while it still points there
 */
public record AliasSpan(String alias, long version, Instant from, Optional<Instant> to) {

  public AliasSpan {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }

  /** How long the alias pointed at the version, counting an open span up to {@code now}. */
  public Duration duration(Instant now) {
    return Duration.between(from, to.orElse(now));
  }
}
