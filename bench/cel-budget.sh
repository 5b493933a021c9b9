#!/usr/bin/env bash
# The CEL budget's cut-off time: four nested comprehensions over a version's 80 tags (41 million steps without a
# budget) evaluated N times; prints each evaluation's wall time and the verdict. Needs the policy module built
# (./mvnw -B -q -pl policy test-compile).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cp_file="$(mktemp)"
./mvnw -B -q -o -pl policy dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
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
java -cp "policy/target/classes:policy/target/test-classes:$(cat "$cp_file")" "$src" "$runs"
