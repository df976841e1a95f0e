#!/usr/bin/env bash
# Load run of the coordination server (BENCHMARKS.md, "Coordination server under load").
#
# For each database (SQLite file, then the PostgreSQL at $TVAERS_LOAD_PG, default
# postgres://postgres@127.0.0.1:5432): starts `tvaers serve --demo` with a generated
# municipality of $CITIZENS citizens (default 42,000), logs in as the employment caseworker of
# the demo, and lets `wrk` (Debian package wrk) hammer, with $CLIENTS concurrent connections
# (default 50) for $SECONDS_PER_RUN seconds (default 20) each:
#   - GET /api/citizens/{id}    the citizen endpoint: session check, the access rule, the
#                               audit entry appended (hash-chained) and the citizen's data;
#   - GET /citizens/{id}        the web application's citizen overview (HTML): services of
#                               every department the rule opens (each category decided and
#                               logged), alerts from the rules engine, family, team;
#   - GET /api/session          the reference: session check only, no audit write.
# Prints wrk's figures and a table of requests/s, p50 and p99. Needs a release build:
#   cargo build --release && bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CITIZENS=${CITIZENS:-42000}
CLIENTS=${CLIENTS:-50}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
PG=${TVAERS_LOAD_PG:-postgres://postgres@127.0.0.1:5432}
BIN=${TVAERS_BIN:-target/release/tvaers}
PORT=${PORT:-18089}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$BIN is missing: run cargo build --release first" >&2; exit 2; }

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

results=()

run_backend() {
  local name=$1 url=$2
  echo "== $name: serve --demo with $CITIZENS citizens"
  local t0=$SECONDS
  "$BIN" serve --demo --citizens "$CITIZENS" --database-url "$url" \
    --listen "127.0.0.1:$PORT" >"$work/$name.out" 2>"$work/$name.err" &
  server=$!
  for _ in $(seq 1 600); do
    grep -q "127.0.0.1:$PORT" "$work/$name.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/$name.err"; exit 1; }
    sleep 0.5
  done
  echo "   loaded and listening after $((SECONDS - t0)) s"
  local pw
  pw=$(awk '$1 == "beskaeftigelse" { print $3 }' "$work/$name.out")
  [ -n "$pw" ] || { echo "no demo password in the output" >&2; cat "$work/$name.out"; exit 1; }
  local base="http://127.0.0.1:$PORT"
  curl -sf -c "$work/jar" -H 'content-type: application/json' \
    -d "{\"username\":\"beskaeftigelse\",\"password\":\"$pw\"}" "$base/api/login" >/dev/null
  local cookie
  cookie=$(awk '$6 == "tvaers_session" { print $7 }' "$work/jar")
  local id
  id=$(curl -sf -b "$work/jar" "$base/api/citizens" | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print((d["citizens"] if isinstance(d,dict) else d)[0]["id"])')
  curl -sf -b "$work/jar" "$base/api/citizens/$id" >/dev/null
  for path in "/api/citizens/$id" "/citizens/$id" "/api/session"; do
    echo "-- $name GET $path, $CLIENTS connections, $SECONDS_PER_RUN s"
    wrk -t2 -c"$CLIENTS" -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: tvaers_session=$cookie" \
      "$base$path" | tee "$work/wrk.txt"
    local rps p50 p99 non2xx
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.txt")
    if [ -n "$non2xx" ]; then
      echo "FAILED: $non2xx responses were not 2xx" >&2
      exit 1
    fi
    results+=("| $name | GET ${path/$id/{id\}} | $rps | $p50 | $p99 |")
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

run_backend sqlite "sqlite://$work/load.db"

db="tvaers_load_$$"
psql "$PG/postgres" -qc "CREATE DATABASE $db" >/dev/null
run_backend postgresql "$PG/$db"
psql "$PG/postgres" -qc "DROP DATABASE $db" >/dev/null

echo
echo "## $CITIZENS citizens, $CLIENTS connections, $SECONDS_PER_RUN s per row, $(nproc) cores, $(date -u +%F)"
echo
echo "| database | request | requests/s | p50 | p99 |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${results[@]}"
