#!/usr/bin/env bash
# MLflow's REST API at speed: get-by-alias and get-version over HTTP/1.1 (wrk) and HTTP/2 (h2load), sequential
# creates, and gRPC's ResolveAlias on the same server in the same run, for what the HTTP door and its in-process
# gRPC hop cost against gRPC itself.
#
#   apt-get install -y wrk nghttp2-client curl  # wrk (HTTP/1.1), h2load (HTTP/2); curl seeds the model
#   ./mvnw -B -DskipTests package               # registry-server.jar
#   bench/mlflow-http.sh                        # DURATION=10 (seconds per wrk run), REQUESTS=100000 (per h2load run),
#                                               # WARMUP=10 (seconds of wrk per URL first), WARMUP_CREATES=2000
#
# It starts a server on its embedded database in a temporary directory (any GANTRY_* variable set here passes
# through), creates a model with a version and the alias champion on it through MLflow's API, then:
#   - wrk at -c 1 and -c 16 (one thread: the server has the other core) on
#     GET /api/2.0/mlflow/registered-models/alias and GET /api/2.0/mlflow/model-versions/get, a Lua script checking
#     every response (status 200 and the version in the body); any failure stops the script;
#   - h2load (HTTP/2 cleartext, prior knowledge) at -c 1 and -c 16 on the same URLs, every response a 2xx and the
#     data bytes exactly N times one response's;
#   - 200 sequential POST model-versions/create over HTTP/1.1 (h2load --h1 -c 1), each a 200 and the last version
#     there afterwards: once cold (the server's first creates), once warm (after WARMUP_CREATES=2000 more);
#   - gRPC ResolveAlias with h2load at -c 16 -m 1, as bench/resolve-h2load.sh does.
# It prints each figure and the targets of issue 22: get-by-alias >= 30,000 req/s at c=16, p50 <= 1 ms at c=1,
# creates >= 3x MLflow 2.12's 46-76/s.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-10}
requests=${REQUESTS:-100000}
jar="$repo/registry-server/target/registry-server.jar"

for tool in wrk h2load curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y wrk nghttp2-client curl" >&2; exit 1; }
done
[ -f "$jar" ] || { echo "$jar is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }

# shellcheck source=bench/server.sh
. "$repo/bench/server.sh"
make_work_dir

start_server
base="http://127.0.0.1:$http_port"
api="$base/api/2.0/mlflow"

mlflow_post() { # ENDPOINT JSON
  local status
  status=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'X-Gantry-User: bench' -d "$2" "$api/$1")
  [ "$status" = 200 ] || { echo "POST $1 answered $status: $(cat "$work/answer.json")" >&2; exit 1; }
}
mlflow_post registered-models/create '{"name": "bench"}'
mlflow_post model-versions/create '{"name": "bench", "source": "s3://bench/model/1"}'
mlflow_post registered-models/alias '{"name": "bench", "alias": "champion", "version": "1"}'
mlflow_post registered-models/create '{"name": "bench-creates"}'
mlflow_post registered-models/create '{"name": "bench-warmup"}'

alias_url="$api/registered-models/alias?name=bench&alias=champion"
version_url="$api/model-versions/get?name=bench&version=1"
for url in "$alias_url" "$version_url"; do
  curl -sf "$url" | grep -q '"version":"1"' || { echo "$url does not answer version 1" >&2; exit 1; }
done

# wrk: every response checked in Lua; the script prints "RATE P50_MS P99_MS CHECKED FAILURES"
cat >"$work/check.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) expected = args[1]; checked = 0; failures = 0 end
function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or not string.find(body, expected, 1, true) then failures = failures + 1 end
end
function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("checked"); f = f + t:get("failures") end
  f = f + summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, c, f))
end
LUA
wrk_run() { # URL CONNECTIONS → "rate p50 p99 checked failures"
  local out result
  out=$(wrk -t1 -c"$2" -d"${duration}s" --timeout 10s -s "$work/check.lua" "$1" -- '"version":"1"')
  result=$(echo "$out" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
  read -r _ _ _ checked failures <<<"$result"
  if [ "$failures" != 0 ] || [ "$checked" = 0 ]; then
    echo "wrk on $1: $failures failures in $checked responses" >&2; echo "$out" >&2; exit 1
  fi
  echo "$result"
}

# h2load over h2c: "rate p50_ms" once every response is a 2xx with the bytes of a correct one
h2_run() { # URL N CONNECTIONS BYTES_EACH [h2load options...]
  local url=$1 n=$2 c=$3 each=$4 out ok data rate
  shift 4
  rm -f "$work/h2.log" # h2load appends to its log
  out=$(h2load -n "$n" -c "$c" -m 1 -t 1 --log-file="$work/h2.log" "$@" "$url")
  ok=$(echo "$out" | awk '/^status codes:/ {print $3}')
  data=$(echo "$out" | awk '/^traffic:/ {print $0}' | sed -E 's/.*\(([0-9]+)\) data.*/\1/')
  rate=$(echo "$out" | awk '/^finished in/ {gsub(",", "", $4); print $4}')
  if [ "$ok" != "$n" ] || { [ "$each" != 0 ] && [ "$data" != $(( n * each )) ]; }; then
    echo "h2load on $url: $ok of $n were 2xx, $data data bytes (expected $(( n * each )))" >&2
    echo "$out" >&2; exit 1
  fi
  echo "$rate $(sort -n -k3 "$work/h2.log" | awk '{v[NR] = $3} END {printf "%.3f", v[int((NR + 1) / 2)] / 1000}')"
}
bytes_of() { h2load -n 1 -c 1 "$@" | awk '/^traffic:/ {print $0}' | sed -E 's/.*\(([0-9]+)\) data.*/\1/'; }

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
  "$(nproc) cores, load before: $(uptime | sed 's/.*load average: //')"
echo "warming up"
wrk -t1 -c16 -d"${WARMUP:-10}s" "$alias_url" >/dev/null
wrk -t1 -c16 -d"${WARMUP:-10}s" "$version_url" >/dev/null

results=()
for pair in "get-by-alias $alias_url" "get-version $version_url"; do
  read -r name url <<<"$pair"
  for c in 1 16; do
    read -r rate p50 p99 checked _ <<<"$(wrk_run "$url" "$c")"
    printf 'HTTP/1.1 wrk  %-12s c=%-2s %9.0f req/s  p50 %s ms  p99 %s ms  (%s responses checked, 0 failed)\n' \
      "$name" "$c" "$rate" "$p50" "$p99" "$checked"
    results+=("$name h1 $c $rate $p50 $p99")
  done
  each=$(bytes_of "$url")
  for c in 1 16; do
    read -r rate p50 <<<"$(h2_run "$url" "$requests" "$c" "$each")"
    printf 'HTTP/2   h2load %-12s c=%-2s %9.0f req/s  p50 %s ms  (%s responses, %s bytes each)\n' \
      "$name" "$c" "$rate" "$p50" "$requests" "$each"
    results+=("$name h2 $c $rate $p50 -")
  done
done

# 200 creates, one after another, as MLflow's client makes them (HTTP/1.1, JSON): first on a server that has made
# none yet (the write path not yet compiled by the JIT), then again after WARMUP_CREATES more, as a server that has
# been running makes them; the target is read against the second
printf '{"name": "bench-creates", "source": "s3://bench/creates"}' >"$work/create.json"
printf '{"name": "bench-warmup", "source": "s3://bench/warmup"}' >"$work/warmup.json"
create_run() { # VERSION_EXPECTED_AFTER → "rate p50"
  local out
  out=$(h2_run "$api/model-versions/create" 200 1 0 --h1 -d "$work/create.json" \
    -H 'content-type: application/json' -H 'x-gantry-user: bench')
  curl -sf "$api/model-versions/get?name=bench-creates&version=$1" | grep -q "\"version\":\"$1\"" \
    || { echo "the created version $1 is not there" >&2; exit 1; }
  echo "$out"
}
read -r creates_cold create_cold_p50 <<<"$(create_run 200)"
printf 'creates  h2load --h1      c=1  %9.0f req/s  p50 %s ms  (cold: the first 200, version 200 there)\n' \
  "$creates_cold" "$create_cold_p50"
h2_run "$api/model-versions/create" "${WARMUP_CREATES:-2000}" 1 0 --h1 -d "$work/warmup.json" \
  -H 'content-type: application/json' -H 'x-gantry-user: bench' >/dev/null
read -r creates create_p50 <<<"$(create_run 400)"
printf 'creates  h2load --h1      c=1  %9.0f req/s  p50 %s ms  (warm: 200 more after %s, version 400 there)\n' \
  "$creates" "$create_p50" "${WARMUP_CREATES:-2000}"

# gRPC's ResolveAlias on the same server: a message is flag 0, a 4-byte length, then the protobuf bytes
name="models/bench/aliases/champion"
{ printf "\\x00\\x00\\x00\\x00\\x$(printf %02x $((2 + ${#name})))"; printf "\\x0a\\x$(printf %02x ${#name})%s" "$name"; } \
  >"$work/resolve.bin"
grpc=(-d "$work/resolve.bin" -H 'content-type: application/grpc' -H 'te: trailers' -H 'x-gantry-user: bench')
resolve_url="http://127.0.0.1:$grpc_port/gantry.v1.ModelRegistry/ResolveAlias"
each=$(bytes_of "${grpc[@]}" "$resolve_url")
h2_run "$resolve_url" "$requests" 16 "$each" "${grpc[@]}" >/dev/null
read -r grpc_rate grpc_p50 <<<"$(h2_run "$resolve_url" "$requests" 16 "$each" "${grpc[@]}")"
printf 'gRPC     h2load ResolveAlias c=16 %9.0f req/s  p50 %s ms\n' "$grpc_rate" "$grpc_p50"

echo "load after: $(uptime | sed 's/.*load average: //')"
echo
echo "| protocol | call | c | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
for r in "${results[@]}"; do
  read -r name proto c rate p50 p99 <<<"$r"
  printf '| %s | %s | %s | %.0f | %s | %s |\n' "$([ "$proto" = h1 ] && echo HTTP/1.1 || echo HTTP/2)" "$name" "$c" \
    "$rate" "$p50" "$p99"
done
printf '| HTTP/1.1 | create (sequential, cold) | 1 | %.0f | %s | - |\n' "$creates_cold" "$create_cold_p50"
printf '| HTTP/1.1 | create (sequential, warm) | 1 | %.0f | %s | - |\n' "$creates" "$create_p50"
printf '| gRPC | ResolveAlias | 16 | %.0f | %s | - |\n' "$grpc_rate" "$grpc_p50"
alias_h1_16=$(printf '%s\n' "${results[@]}" | awk '$1 == "get-by-alias" && $2 == "h1" && $3 == 16 {print $4}')
alias_h1_1_p50=$(printf '%s\n' "${results[@]}" | awk '$1 == "get-by-alias" && $2 == "h1" && $3 == 1 {print $5}')
alias_h2_16=$(printf '%s\n' "${results[@]}" | awk '$1 == "get-by-alias" && $2 == "h2" && $3 == 16 {print $4}')
echo
awk -v a="$alias_h1_16" -v p="$alias_h1_1_p50" -v cr="$creates" -v h2="$alias_h2_16" -v g="$grpc_rate" 'BEGIN {
  printf "get-by-alias c=16: %.0f req/s, %.0fx MLflow 2.12 at its best (380/s); target 30,000: %s\n", a, a / 380,
    (a >= 30000 ? "met" : "missed")
  printf "get-by-alias c=1 p50: %s ms; target 1 ms: %s\n", p, (p <= 1 ? "met" : "missed")
  printf "creates: %.0f/s, %.1fx MLflow 2.12 at its best (76/s); target 3x: %s\n", cr, cr / 76,
    (cr >= 3 * 76 ? "met" : "missed")
  printf "get-by-alias over HTTP/2 against gRPC ResolveAlias, c=16: %.2f (the REST door and its in-process hop)\n",
    h2 / g
}'
