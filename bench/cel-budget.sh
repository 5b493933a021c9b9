#!/usr/bin/env bash
# The CEL budget's cut-off time: four nested comprehensions over a version's 80 tags (41 million steps without a
# budget) evaluated N times; prints each evaluation's wall time and the verdict. Runs on the policy module's test
# class path as surefire recorded it, so run the module's tests first:
#   ./mvnw -B -q -pl policy verify -Dtest=PoliciesTest
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
classpath="$(grep -o 'name="surefire.test.class.path" value="[^"]*"' \
  policy/target/surefire-reports/TEST-io.gantry.policy.PoliciesTest.xml | sed 's/.*value="//; s/"$//')"
src="$(mktemp -d)/CelBudgetBench.java"
cat >"$src" <<'JAVA'
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.Snapshots;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

public class CelBudgetBench {
  public static void main(String[] args) {
    String expression = "candidate.tags.all(a, candidate.tags.all(b, candidate.tags.all(c, "
        + "candidate.tags.all(d, size(a + b + c + d) > 0))))";
    Policy policy = Policies.discover().create("cel", Map.of("expression", expression));
    Snapshots.VersionBuilder builder = Snapshots.version(2);
    IntStream.range(0, 80).forEach(i -> builder.tag("t" + i, "v"));
    var input = Snapshots.input(builder.build(), Optional.empty(), "champion");
    for (int i = 0; i < Integer.parseInt(args[0]); i++) {
      long start = System.nanoTime();
      var verdict = policy.evaluate(input);
      System.out.printf("run %d: %d ms, %s%n", i + 1, (System.nanoTime() - start) / 1_000_000, verdict.message());
    }
  }
}
JAVA
java -cp "$classpath" "$src" "$runs"
