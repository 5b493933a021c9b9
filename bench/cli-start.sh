#!/usr/bin/env bash
# How long one CLI call takes from the shell, start-up included: what a pipeline pays per call.
#
#   ./mvnw -B -DskipTests package           # registry-server.jar, gantry.jar and the class-data sharing archive
#   bench/cli-start.sh                      # RUNS=10 by default
#   BEFORE_JAR=/tmp/gantry-before.jar bench/cli-start.sh   # and a jar of an earlier build, run as java -jar
#
# It starts a server on its embedded database in a temporary directory, registers a model whose champion points at
# version 1, then times RUNS calls each of `--version` and `resolve models:/bench@champion` (wall time, and the CPU
# time of the process) three ways: `java -jar gantry.jar` with no flags (how bin/gantry started it before), bin/gantry
# with a copy of the jar and no archive (its JVM flags alone), and bin/gantry as built (flags and archive); with
# BEFORE_JAR, first that jar as `java -jar` (the build before start-up was worked on made every subcommand). It prints
# the median and the fastest of each, then the machine's load, as the other processes on it change the figures.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${RUNS:-10}
jar="$repo/registry-server/target/registry-server.jar"
cli_jar="$repo/registry-client/target/gantry.jar"
model_dir="$repo/registry-client/src/test/resources/mlflow-model"

[ -f "$jar" ] || { echo "$jar is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "$cli_jar" ] || { echo "$cli_jar is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "${cli_jar%.jar}.jsa" ] || echo "warning: ${cli_jar%.jar}.jsa is missing: bin/gantry runs without it" >&2

# shellcheck source=bench/server.sh
. "$repo/bench/server.sh"
make_work_dir

start_server
export GANTRY_TARGET=127.0.0.1:$grpc_port GANTRY_USER=bench
"$repo/bin/gantry" models create bench >/dev/null
"$repo/bin/gantry" versions register bench "$model_dir" --no-upload --source s3://bench/model >/dev/null
"$repo/bin/gantry" promote bench 1 --to champion >/dev/null

# bin/gantry beside a copy of the jar, where no archive is
mkdir -p "$work/plain/bin" "$work/plain/registry-client/target"
cp "$repo/bin/gantry" "$work/plain/bin/gantry"
cp "$cli_jar" "$work/plain/registry-client/target/gantry.jar"

# RUNS timed calls of "$@": prints "median fastest" wall seconds and the median CPU seconds (user + system)
measure() {
  local walls="" cpus="" start end cpu
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>&1
    cpu=$(awk '{print $1 + $2}' "$work/time")
    end=$(date +%s%N)
    walls="$walls $(( (end - start) / 1000000 ))"
    cpus="$cpus $cpu"
  done
  printf '%s %s %s' "$(median "$walls" | awk '{printf "%.2f", $1 / 1000}')" \
    "$(tr ' ' '\n' <<<"$walls" | sed '/^$/d' | sort -n | head -1 | awk '{printf "%.2f", $1 / 1000}')" \
    "$(median "$cpus" | awk '{printf "%.2f", $1}')"
}

# the median of space-separated numbers: the middle one, or the mean of the middle two
median() {
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 1; }
echo "median of $runs; seconds: wall median, wall fastest, CPU median"
printf '%-44s %-18s %s\n' "how" "--version" "resolve"
hows=("java -jar gantry.jar" "bin/gantry, no archive" "bin/gantry")
[ -z "${BEFORE_JAR:-}" ] || hows=("java -jar BEFORE_JAR" "${hows[@]}")
for how in "${hows[@]}"; do
  case $how in
    "java -jar BEFORE_JAR") cmd=(java -jar "$BEFORE_JAR") ;;
    "java -jar gantry.jar") cmd=(java -jar "$cli_jar") ;;
    "bin/gantry, no archive") cmd=("$work/plain/bin/gantry") ;;
    *) cmd=("$repo/bin/gantry") ;;
  esac
  printf '%-44s %-18s %s\n' "$how" "$(measure "${cmd[@]}" --version)" \
    "$(measure "${cmd[@]}" resolve models:/bench@champion)"
done
echo "$(nproc) cores; $(uptime)"
