package io.gantry.policy.builtin;

import io.gantry.policy.AliasSpan;
import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Passes when the candidate held another alias, such as {@code staging}, long enough in one stretch. */
record PriorAliasPolicy(String alias, Duration minDuration) implements Policy {

  static final String TYPE = "prior-alias";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    // The longest single stretch counts: a version bounced in and out of staging was never soaked for the whole time.
    Optional<AliasSpan> longest = input.aliasHistory().stream()
        .filter(span -> span.alias().equals(alias) && span.version() == candidate.version())
        .max(Comparator.comparing(span -> span.duration(input.now())));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("alias", alias);
    facts.put("min_duration", minDuration.toString());
    if (longest.isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + " has never held " + alias + "; it must hold it for at least "
          + minDuration + " first", facts);
    }
    AliasSpan span = longest.get();
    Duration held = span.duration(input.now());
    facts.put("held", held.toString());
    facts.put("from", span.from().toString());
    span.to().ifPresent(to -> facts.put("to", to.toString()));
    String stretch = candidate.reference() + (span.to().isPresent() ? " held " : " has held ") + alias + " for "
        + held + " (since " + span.from() + span.to().map(to -> " until " + to).orElse("") + ")";
    if (held.compareTo(minDuration) >= 0) {
      return Verdict.pass(TYPE, stretch + ", at least " + minDuration, facts);
    }
    return Verdict.fail(TYPE, stretch + ", less than the required " + minDuration, facts);
  }
}
