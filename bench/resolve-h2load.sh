#!/usr/bin/env bash
# Alias resolution at volume: ResolveAlias against the health check on one server, in one run, with h2load.
#
#   apt-get install nghttp2-client          # h2load, the reference gRPC load generator here
#   ./mvnw -B -DskipTests package           # registry-server.jar and the gantry CLI
#   bench/resolve-h2load.sh                 # ROUNDS=5 REQUESTS=200000 by default
#   GANTRY_CACHE_MAX_ENTRIES=0 bench/resolve-h2load.sh   # the same with the resolve cache off
#   BENCH_AUTH=token bench/resolve-h2load.sh  # callers verified: resolves carry a viewer's API token, roles checked
#
# It starts a server on its embedded database in a temporary directory (any GANTRY_* variable set here passes
# through), registers a model whose champion points at version 1, then runs rounds that alternate ResolveAlias and
# grpc.health.v1.Health/Check at -c 16 -m 1 and at -c 16 -m 8, one h2load thread each (the server has the other
# core). Each run is checked, not just timed: every response a 200, no failed or errored request, the data bytes
# exactly REQUESTS times one response's, and for resolve the server's own count of OK calls up by REQUESTS. It prints each round,
# the medians, the per-round ratios resolve/health and the p99 latencies, then one markdown line per setting.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
requests=${REQUESTS:-200000}
jar="$repo/registry-server/target/registry-server.jar"
cli="$repo/bin/gantry"
model_dir="$repo/registry-client/src/test/resources/mlflow-model"

command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
[ -f "$jar" ] || { echo "$jar is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "$repo/registry-client/target/gantry.jar" ] || { echo "the CLI is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }

# shellcheck source=bench/server.sh
. "$repo/bench/server.sh"
make_work_dir

if [ "${BENCH_AUTH:-}" = token ]; then
  export GANTRY_API_TOKENS=true GANTRY_BOOTSTRAP_TOKEN_FILE="$work/admin.token"
fi
start_server

export GANTRY_TARGET=127.0.0.1:$grpc_port GANTRY_USER=bench
identity=(-H 'x-gantry-user: bench')
if [ "${BENCH_AUTH:-}" = token ]; then
  export GANTRY_TOKEN_FILE="$work/admin.token"
  "$cli" tokens create --principal deployer --secret-file "$work/deployer.token" >/dev/null
  "$cli" roles grant user:deployer viewer --models bench >/dev/null
  identity=(-H "authorization: Bearer $(cat "$work/deployer.token")")
fi
"$cli" models create bench >/dev/null
"$cli" versions register bench "$model_dir" --no-upload --source s3://bench/model >/dev/null
"$cli" promote bench 1 --to champion >/dev/null

# A gRPC message on the wire: flag 0 (not compressed), a 4-byte big-endian length, the protobuf bytes.
# ResolveAliasRequest{name = 1}: tag 0x0a, length, the name; CheckRequest{}: nothing.
name="models/bench/aliases/champion"
frame() { printf "\\x00\\x00\\x00\\x00\\x$(printf %02x "$1")"; }
{ frame $((2 + ${#name})); printf "\\x0a\\x$(printf %02x ${#name})%s" "$name"; } >"$work/resolve.bin"
frame 0 >"$work/health.bin"

resolve_url="http://127.0.0.1:$grpc_port/gantry.v1.ModelRegistry/ResolveAlias"
health_url="http://127.0.0.1:$grpc_port/grpc.health.v1.Health/Check"
metrics() { # bash's /dev/tcp: no curl needed
  exec 3<>"/dev/tcp/127.0.0.1/$http_port"
  printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}
metric_of() {
  [ -n "$1" ] || { echo 0; return; }
  metrics \
    | awk -v m="$1" '$1 ~ /^gantry_grpc_server_calls_seconds_count/ && index($1, "code=\"OK\"") && index($1, "method=\"" m "\"") {print $2}' \
    | awk '{s += $1} END {printf "%d", s}'
}

# load URL BODY N CONNECTIONS STREAMS LOG: runs h2load, prints "rate data_bytes", fails on any error.
load() {
  local out
  out=$(h2load -n "$4" -c "$5" -m "$6" -t 1 -d "$3" --log-file="$7" \
    -H 'content-type: application/grpc' -H 'te: trailers' "${identity[@]}" "$2")
  local succeeded failed errored twoxx rate data
  read -r succeeded failed errored <<<"$(echo "$out" | awk '/^requests:/ {print $8, $10, $12}')"
  twoxx=$(echo "$out" | awk '/^status codes:/ {print $3}')
  rate=$(echo "$out" | awk '/^finished in/ {gsub(",", "", $4); print $4}')
  data=$(echo "$out" | awk '/^traffic:/ {print $0}' | sed -E 's/.*\(([0-9]+)\) data.*/\1/')
  if [ "$succeeded" != "$4" ] || [ "$failed" != 0 ] || [ "$errored" != 0 ] || [ "$twoxx" != "$4" ]; then
    echo "h2load on $1: $succeeded of $4 succeeded, $failed failed, $errored errored, $twoxx 2xx" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$rate $data"
}

# One request each, to learn the size of a correct response body.
resolve_bytes=$(load resolve "$resolve_url" "$work/resolve.bin" 1 1 1 /dev/null | cut -d' ' -f2)
health_bytes=$(load health "$health_url" "$work/health.bin" 1 1 1 /dev/null | cut -d' ' -f2)
[ "$resolve_bytes" -gt 100 ] || { echo "a resolve answered $resolve_bytes data bytes: not a ModelVersion" >&2; exit 1; }

checked_load() { # KIND N STREAMS LOG → rate
  local url body bytes method before after result
  if [ "$1" = resolve ]; then url=$resolve_url body=$work/resolve.bin bytes=$resolve_bytes
    method=gantry.v1.ModelRegistry/ResolveAlias
  else url=$health_url body=$work/health.bin bytes=$health_bytes method=""; fi
  before=$(metric_of "$method")
  result=$(load "$1" "$url" "$body" "$2" 16 "$3" "$4")
  after=$(metric_of "$method")
  if [ "${result#* }" != $(( $2 * bytes )) ]; then
    echo "$1: ${result#* } data bytes for $2 responses of $bytes" >&2; exit 1
  fi
  # The health service is not metered; a failed check would have answered no body, which the bytes show.
  if [ -n "$method" ] && [ $(( after - before )) != "$2" ]; then
    echo "$1: the server counted $(( after - before )) OK calls for $2 requests" >&2; exit 1
  fi
  echo "${result%% *}"
}

p99_ms() { sort -n -k3 "$1" | awk '{v[NR] = $3} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}'; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

echo "warming up ($requests requests each)"
for streams in 1 8; do
  checked_load resolve "$requests" "$streams" /dev/null >/dev/null
  checked_load health "$requests" "$streams" /dev/null >/dev/null
done

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
cache=${GANTRY_CACHE_MAX_ENTRIES:-default}
echo "$(date -u +%Y-%m-%d) commit $commit, $(nproc) cores, $(h2load --version | head -1), cache max entries: $cache, callers: ${BENCH_AUTH:-header}"
echo "response bodies: resolve $resolve_bytes bytes, health $health_bytes bytes; $requests requests per run"
summary=()
for streams in 1 8; do
  resolve_rates=() health_rates=() ratios=() resolve_p99=() health_p99=()
  for round in $(seq 1 "$rounds"); do
    r=$(checked_load resolve "$requests" "$streams" "$work/resolve.log")
    h=$(checked_load health "$requests" "$streams" "$work/health.log")
    resolve_rates+=("$r") health_rates+=("$h")
    ratios+=("$(awk -v r="$r" -v h="$h" 'BEGIN {printf "%.3f", r / h}')")
    resolve_p99+=("$(p99_ms "$work/resolve.log")") health_p99+=("$(p99_ms "$work/health.log")")
    printf 'c16 m%s round %s: resolve %8.0f req/s (p99 %s ms)  health %8.0f req/s (p99 %s ms)  ratio %s\n' \
      "$streams" "$round" "$r" "${resolve_p99[-1]}" "$h" "${health_p99[-1]}" "${ratios[-1]}"
  done
  mr=$(printf '%s\n' "${resolve_rates[@]}" | median)
  mh=$(printf '%s\n' "${health_rates[@]}" | median)
  mratio=$(printf '%s\n' "${ratios[@]}" | median)
  mp99=$(printf '%s\n' "${resolve_p99[@]}" | median)
  hp99=$(printf '%s\n' "${health_p99[@]}" | median)
  printf 'c16 m%s median: resolve %.0f req/s, health %.0f req/s, ratio %s (per round: %s), p99 resolve %s ms, health %s ms\n' \
    "$streams" "$mr" "$mh" "$mratio" "${ratios[*]}" "$mp99" "$hp99"
  summary+=("$(printf '| -c 16 -m %s | %.0f | %.0f | %s | %s–%s | %s | %s |' "$streams" "$mr" "$mh" "$mratio" \
    "$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)" "$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)" \
    "$mp99" "$hp99")")
done
echo
echo "| h2load | resolve req/s | health req/s | ratio (median) | ratio (range) | resolve p99 ms | health p99 ms |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
