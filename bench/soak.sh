#!/usr/bin/env bash
# Load and soak: mixed traffic against one server on its embedded default, through a database restart and a client
# killed mid-upload, then a check that nothing acknowledged was lost.
#
#   ./mvnw -B -DskipTests package           # registry-server.jar and the gantry CLI
#   bench/soak.sh                           # DURATION=300 WORKERS=6 by default
#
# It starts a server in a temporary directory (loopback only; any GANTRY_* variable set here passes through) and runs
# `gantry soak` against it: WORKERS callers for DURATION seconds, resolving, registering versions with two uploaded
# files each, reporting evaluations, promoting to an open alias and to one that asks an approval, listing the audit
# log. Meanwhile, at 40% of the run, it restarts the embedded PostgreSQL (pg_ctl restart -m fast: every
# connection dropped), and at 60% it starts `gantry versions register` on a 256 MiB file and kills it (SIGKILL) once the upload
# is under way. At the end `gantry soak` reads back every write the server acknowledged (present, and in the audit
# log exactly once), downloads every file of every READY version of every model against its digest (so the killed
# upload must not have left a READY version), and has the server verify the audit log; this script then checks
# the log offline too (export, signed checkpoint, key) and prints the heap after a full GC idle before and after the
# run, and under load 20 s in and 25 s before the end (the least of three samples, as in-flight uploads count).
# Exit 0 only if all of it holds.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-300}
workers=${WORKERS:-6}
jar="$repo/registry-server/target/registry-server.jar"
cli="$repo/bin/gantry"

[ -f "$jar" ] || { echo "$jar is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "$repo/registry-client/target/gantry.jar" ] || { echo "the CLI is missing: ./mvnw -B -DskipTests package" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd (from the JDK) is needed to read the server's heap" >&2; exit 1; }

work=$(mktemp -d)
pgdata="$work/data/postgres"
cleanup() {
  if [ -n "${killed_pid:-}" ]; then kill -9 "$killed_pid" 2>/dev/null || true; fi
  if [ -n "${soak_pid:-}" ]; then kill "$soak_pid" 2>/dev/null || true; fi
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  # the database restarted by this script is not the server's child: stop it if the server did not
  if [ -f "$pgdata/postmaster.pid" ]; then
    kill -INT "$(head -1 "$pgdata/postmaster.pid")" 2>/dev/null || true
    sleep 2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/server.sh
. "$repo/bench/server.sh"
start_server
export GANTRY_TARGET=127.0.0.1:$grpc_port GANTRY_USER=soak

# Restarts the embedded PostgreSQL with pg_ctl in fast mode: every connection dropped, as when the database host
# restarts, then a start with the same command line. As root, pg_ctl runs in a user namespace of its own
# (unshare -U), the way the embedded default starts it, because PostgreSQL refuses to run as root.
restart_database() {
  local pg_ctl
  pg_ctl="$(dirname "$(head -1 "$pgdata/postmaster.opts" | awk '{print $1}')")/pg_ctl"
  if [ "$(id -u)" = 0 ]; then
    unshare -U "$pg_ctl" -D "$pgdata" -m fast -w restart >>"$work/postgres.log" 2>&1
  else
    "$pg_ctl" -D "$pgdata" -m fast -w restart >>"$work/postgres.log" 2>&1
  fi
}

# The heap in use right after a full collection: what the server holds on to.
heap_after_gc() {
  jcmd "$server_pid" GC.run >/dev/null
  jcmd "$server_pid" GC.heap_info | awk '/ used / {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}' \
    | tr -d ','
}
# Under load a sample also holds whatever uploads are in flight (up to a few MiB per worker): the least of three.
heap_under_load() {
  local least="" sample
  for _ in 1 2 3; do
    sample=$(heap_after_gc | tr -d 'K')
    if [ -z "$least" ] || [ "$sample" -lt "$least" ]; then least=$sample; fi
    sleep 3
  done
  echo "${least}K"
}
now() { date +%s; }

echo "server pid $server_pid on 127.0.0.1:$grpc_port, data in $work/data"
heap_before=$(heap_after_gc)
echo "heap after GC, idle before the run: $heap_before"
"$cli" soak --duration "$duration" --workers "$workers" >"$work/soak.out" 2>&1 &
soak_pid=$!
started=$(now)

sleep 20 # past start-up and the JIT's first compilations
heap_early=$(heap_under_load)
echo "heap after GC under load, 20 s in (least of three): $heap_early"

sleep $(( duration * 4 / 10 - 20 > 0 ? duration * 4 / 10 - 20 : 1 ))
echo "restarting the database at $(( $(now) - started )) s"
restart_started=$(date +%s%N)
restart_database || { echo "the database did not restart:" >&2; cat "$work/postgres.log" >&2; exit 1; }
echo "database back after $(( ($(date +%s%N) - restart_started) / 1000000 )) ms"

sleep $(( duration * 2 / 10 ))
cp -r "$repo/registry-client/src/test/resources/mlflow-model" "$work/killed-model"
head -c $(( 256 << 20 )) /dev/urandom >"$work/killed-model/model.bin"
"$cli" models create soak-killed >/dev/null
"$cli" versions register soak-killed "$work/killed-model" --progress >"$work/killed.out" 2>"$work/killed.err" &
killed_pid=$!
killed=""
for _ in $(seq 1 600); do
  # "uploading 12.0/256.0 MiB ..." once at least a chunk has gone out
  if tr '\r' '\n' <"$work/killed.err" | grep -Eq '^uploading [1-9][0-9.]*/'; then
    kill -9 "$killed_pid"
    killed=$(tr '\r' '\n' <"$work/killed.err" | grep -E '^uploading' | tail -1 | awk '{print $2}')
    break
  fi
  kill -0 "$killed_pid" 2>/dev/null || break
  sleep 0.05
done
wait "$killed_pid" 2>/dev/null || true
killed_pid=""
[ -n "$killed" ] || { echo "the upload to kill ended before it could be killed" >&2; cat "$work/killed.err" >&2; exit 1; }
echo "killed a client mid-upload at $(( $(now) - started )) s, after $killed MiB"

# the same measure under the same load near the end: what a long run added and kept
sleep $(( started + duration - 25 - $(now) > 0 ? started + duration - 25 - $(now) : 0 ))
heap_late=$(heap_under_load)
echo "heap after GC under load, $(( $(now) - started )) s in (least of three): $heap_late"

status=0
wait "$soak_pid" || status=$?
soak_pid=""
cat "$work/soak.out"
heap_idle=$(heap_after_gc)
echo "heap after GC: idle $heap_before before the run and $heap_idle after it; under load $heap_early 20 s in and $heap_late near the end"

"$cli" versions list soak-killed
"$cli" audit export >"$work/trail.jsonl"
"$cli" audit checkpoint >"$work/cp.txt"
"$cli" audit key >"$work/key.txt"
"$cli" audit verify --file "$work/trail.jsonl" --checkpoint "$work/cp.txt" --key "@$work/key.txt" || status=1
echo "server: $(grep -c ' ERROR ' "$work/server.log" || true) ERROR lines in its log, $(grep -c 'Internal error' "$work/server.log" || true) internal errors"
exit "$status"
