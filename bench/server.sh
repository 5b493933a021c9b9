# Sourced by the bench scripts. make_work_dir makes $work, removed (and the server stopped) when the script exits.
make_work_dir() {
  work=$(mktemp -d)
  trap 'if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
}

# start_server runs registry-server.jar ($jar) on its embedded default with its data
# and log in $work (any GANTRY_* variable set passes through, JAVA_OPTS goes to the JVM), waits until it serves,
# and sets server_pid, grpc_port and http_port; a server that does not start stops the script with its log.
start_server() {
  # shellcheck disable=SC2086 # JAVA_OPTS holds several words on purpose
  GANTRY_DATA_DIR="$work/data" GANTRY_GRPC_PORT=0 GANTRY_HTTP_PORT=0 \
    java ${JAVA_OPTS:-} -jar "$jar" >"$work/server.log" 2>&1 &
  server_pid=$!
  local ports=""
  for _ in $(seq 1 600); do
    ports=$(sed -nE 's/.*serving gRPC on port ([0-9]+), health and metrics over HTTP on port ([0-9]+).*/\1 \2/p' \
      "$work/server.log")
    [ -n "$ports" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$ports" ] || { echo "the server did not start within 60 s" >&2; cat "$work/server.log" >&2; exit 1; }
  read -r grpc_port http_port <<<"$ports"
}
