#!/bin/sh
# tests/cli/test_serve.sh - `inlet serve` and `inlet connectors check` as an
# operator runs them, on SQLite and on PostgreSQL (INLET_TEST_PG): the server
# answers, skips a bad connector file with its path and pointer but starts,
# never logs the API key, and stops cleanly (exit 0) on SIGTERM and SIGINT;
# a taken port is a clear failure. Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LOG_LEVEL INLET_LISTEN
repo=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-serve.XXXXXX")
passed=0; failed=0; pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
contains() { # contains FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in: $(tail -c 400 "$1")"; fi
}
lacks() {
    if grep -qF -- "$2" "$1"; then bad "$3: '$2' should not appear"; else ok; fi
}
. "$(dirname "$0")/lib/serve.sh"
# stop SIGNAL: the server exits 0 within 12 s of SIGNAL.
stop() {
    kill -"$1" $pid
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 120 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 $pid 2>/dev/null; then
        bad "serve still running 12 s after SIG$1"; kill -KILL $pid
    fi
    wait $pid; status=$?; pid=""
    [ $status -eq 0 ] && ok || bad "serve exited $status after SIG$1"
    contains "$tmp/serve.err" '"msg":"stopped"' "SIG$1 logged the stop"
}

# connectors check: a good file, and a bad one named with its pointer.
engine=none
"$INLET" connectors check "$repo/connectors/salesforce.json" >"$tmp/out" 2>&1 && ok ||
    bad "connectors check salesforce.json: $(cat "$tmp/out")"
"$INLET" connectors check "$repo/tests/data/connectors/unknown_auth.json" >"$tmp/out" 2>&1 &&
    bad "connectors check accepted unknown_auth.json" || ok
contains "$tmp/out" "/auth/type" "connectors check names the pointer"
"$INLET" connectors check "$tmp/missing.json" >"$tmp/out" 2>&1 && bad "missing file accepted" || ok

pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work/connectors"; cd "$work" || exit 1
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
    else
        db="inlet_serve_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
    fi
    # A bad connector file beside the built-ins: skipped, reported, no stop.
    printf '{"name":"broken","title":"B","category":"crm","description":"d","auth":{"type":"magic"}}' \
        >connectors/broken.json
    "$INLET" tenant create serve-test >"$tmp/out" 2>/dev/null || bad "tenant create"
    key=$(awk '/^api_key /{print $2}' "$tmp/out")

    start || continue
    contains "$tmp/serve.err" "broken.json" "bad connector file reported"
    contains "$tmp/serve.err" "/auth/type" "bad connector file's pointer"
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$base/readyz")
    [ "$code" = 200 ] && ok || bad "readyz $code"
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $key" \
        "$base/api/connectors")
    [ "$code" = 200 ] && ok || bad "connectors $code"
    contains "$tmp/body" '"name":"salesforce"' "built-in connector listed"
    lacks "$tmp/body" '"name":"broken"' "bad connector not listed"
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d '{"connector":"salesforce","name":"Sales"}' \
        "$base/api/integrations")
    [ "$code" = 201 ] && ok || bad "create integration $code: $(cat "$tmp/body")"
    # The same port twice: the second server fails, saying why.
    "$INLET" serve --listen "127.0.0.1:$port" >"$tmp/out2" 2>&1 && bad "second serve on a taken port" || ok
    contains "$tmp/out2" "port $port" "taken port named"
    stop TERM
    contains "$tmp/serve.err" '"status":201' "access log line"
    lacks "$tmp/serve.err" "$key" "API key in the log"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
    [ "$code" = 000 ] && ok || bad "still answering after the stop: $code"

    start || continue
    stop INT

    # --demo: the sandbox in the same process (free ports here), the
    # Salesforce connector sent to it; it stops with the server.
    start --demo=0 || continue
    i=0
    while ! grep -q '^sandbox salesforce' "$tmp/serve.out" && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
    sf=$(awk '$1 == "sandbox" && $2 == "salesforce" {print $3}' "$tmp/serve.out")
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$sf/_sandbox/counters")
    [ "$code" = 200 ] && ok || bad "demo sandbox at '$sf': $code"
    contains "$tmp/serve.err" '"connector":"salesforce","origin":"'"$sf"'"' "demo points salesforce"
    stop TERM
    code=$(curl -s -o /dev/null -w '%{http_code}' "$sf/_sandbox/counters")
    [ "$code" = 000 ] && ok || bad "demo sandbox still answering after the stop: $code"
    # A connector origin override that would send tokens over plain http.
    INLET_SALESFORCE_BASE_URL=http://example.com "$INLET" serve --listen 127.0.0.1:1 \
        >"$tmp/out" 2>&1 && bad "http override off loopback accepted" || ok
    contains "$tmp/out" "INLET_SALESFORCE_BASE_URL: http is only for localhost" "override refused"

    if [ $engine = postgres ]; then
        psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null
    fi
    cd "$tmp" || exit 1
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
