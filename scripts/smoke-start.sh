#!/usr/bin/env bash
# Smoke test of the README's start command: `npm start` on the embedded default must serve the
# demo book over HTTP and stop cleanly on SIGTERM. Used by .ci/run; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${SMOKE_PORT:-4765}"
log="$(mktemp)"
PORT="$port" npm start >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
  grep -q 'Collateral service ready' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "smoke: server exited before it was ready"; exit 1; }
  sleep 0.5
done
grep -q 'Collateral service ready: memory store, demo book' "$log" || { cat "$log"; echo "smoke: no ready line"; exit 1; }

query='{"query":"{ accounts { id marginStatus { callType } } }"}'
response="$(curl -sS -X POST "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
  -H 'authorization: Bearer dev-admin-key' -d "$query")"
echo "$response" | grep -q '"id":"gs-umr-im"' || { echo "smoke: unexpected response: $response"; exit 1; }
anonymous="$(curl -sS -X POST "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -d "$query")"
echo "$anonymous" | grep -q '"code":"UNAUTHENTICATED"' || { echo "smoke: a request without a key was not refused: $anonymous"; exit 1; }

# npm start runs node through a shell; signal the node process itself (its pid is in the log line).
node_pid="$(grep -o '"pid":[0-9]*' "$log" | head -n1 | cut -d: -f2)"
kill -TERM "$node_pid"
for _ in $(seq 1 40); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$node_pid" 2>/dev/null; then echo "smoke: server did not stop on SIGTERM"; exit 1; fi
grep -q '"msg":"Stopped"' "$log" || { cat "$log"; echo "smoke: no clean stop"; exit 1; }
echo "smoke: npm start served the demo book and stopped cleanly"
