#!/bin/sh
# tests/e2e/run.sh - the browser tests: `inlet serve --demo` on free ports,
# on SQLite and then on PostgreSQL (INLET_TEST_PG, from scripts/with-pg),
# and every tests/e2e/*.test.mjs run by Node's test runner against it in
# Debian's chromium. Ends with "e2e: N passed, M failed". E2E=file.test.mjs
# runs one file. Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
export INLET
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LOG_LEVEL INLET_LISTEN
repo=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-e2e.XXXXXX")
passed=0; failed=0; pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
. "$(dirname "$0")/../cli/lib/serve.sh"

files=$(ls "$repo"/tests/e2e/*.test.mjs)
[ -n "${E2E:-}" ] && files="$repo/tests/e2e/$E2E"
pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work"; cd "$work" || exit 1
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
    else
        db="inlet_e2e_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
    fi
    "$INLET" migrate >/dev/null 2>&1 || bad "migrate: $("$INLET" migrate 2>&1 | tail -n 2)"
    start_demo || continue
    export INLET_E2E_BASE="$base" INLET_E2E_SANDBOX="$sf" INLET_E2E_ENGINE=$engine
    # Node's TAP reporter ends with "# pass N" and "# fail M".
    # shellcheck disable=SC2086
    (cd "$repo" && node --test --test-concurrency=1 --test-reporter=tap $files) >"$tmp/tap" 2>&1
    status=$?
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tmp/tap"); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tmp/tap")
    p=${p:-0}; f=${f:-0}
    passed=$((passed + p)); failed=$((failed + f))
    if [ $status -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
        [ "$f" -eq 0 ] && bad "node --test exited $status"
        echo "--- [$engine] test output"; grep -v '^ *\(duration_ms\|type\):' "$tmp/tap" | tail -n 120
        echo "--- [$engine] server log (last lines)"; tail -n 30 "$tmp/serve.err"
    fi
    grep -q 'ERROR: AddressSanitizer\|runtime error:' "$tmp/serve.err" && bad "sanitizer: $(grep -m1 -A20 'ERROR\|runtime error' "$tmp/serve.err")"
    kill -TERM $pid; wait $pid; status=$?; pid=""
    [ $status -eq 0 ] || bad "serve exited $status (a leak or a sanitizer report?): $(tail -c 1500 "$tmp/serve.err")"
    if [ $engine = postgres ]; then
        unset INLET_DB INLET_KEYS
        psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null 2>&1
    fi
done
echo "e2e: $passed passed, $failed failed"
[ $failed -eq 0 ]
