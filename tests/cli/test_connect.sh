#!/bin/sh
# tests/cli/test_connect.sh - connecting an account from the command line,
# on SQLite and on PostgreSQL (INLET_TEST_PG): `inlet serve --demo` runs the
# API with the Salesforce emulator; `inlet connect` prints the link; curl
# plays the browser (opens the link, submits the consent form, comes back
# to the callback with its cookie); then `inlet integration test`,
# `refresh` and `disconnect`. No token or client secret on any output.
# Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LOG_LEVEL INLET_LISTEN \
    INLET_PUBLIC_URL SALESFORCE_CLIENT_ID SALESFORCE_CLIENT_SECRET INLET_SALESFORCE_BASE_URL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-connect.XXXXXX")
passed=0; failed=0; pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
. "$(dirname "$0")/lib/serve.sh"
# location FILE: the Location header of a curl -D dump.
location() { tr -d '\r' <"$1" | sed -n 's/^[Ll]ocation: //p' | head -n 1; }

pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work"; cd "$work" || exit 1
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
    else
        db="inlet_connect_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
    fi
    "$INLET" tenant create cli-connect >"$tmp/out" 2>/dev/null || bad "tenant create"
    tenant=$(awk '/^tenant /{print $2}' "$tmp/out")
    start_demo || continue
    # The command line is another process: it needs the same public URL,
    # the emulator's origin and its client (serve --demo knows them itself).
    export INLET_PUBLIC_URL="$base" INLET_SALESFORCE_BASE_URL="$sf"
    export SALESFORCE_CLIENT_ID=sandbox-salesforce-client SALESFORCE_CLIENT_SECRET=sandbox-salesforce-secret

    "$INLET" connect "$tenant" salesforce "CLI Sales" >"$tmp/link" 2>"$tmp/connect.err" ||
        bad "connect: $(cat "$tmp/connect.err")"
    link=$(cat "$tmp/link")
    case "$link" in "$base/api/oauth/go?state="*) ok ;; *) bad "connect printed '$link'" ;; esac
    # The browser: the link, the consent page, the form, the callback.
    jar="$tmp/jar.$engine"; rm -f "$jar"
    curl -s -c "$jar" -b "$jar" -D "$tmp/h1" -o /dev/null "$link"
    provider=$(location "$tmp/h1")
    case "$provider" in "$sf/services/oauth2/authorize?"*) ok ;; *) bad "link went to '$provider'" ;; esac
    form="${provider#*\?}&username=user%40sandbox.inlet.test&password=sandbox&action=allow"
    curl -s -D "$tmp/h2" -o /dev/null -d "$form" "$sf/services/oauth2/authorize"
    back=$(location "$tmp/h2")
    curl -s -c "$jar" -b "$jar" -D "$tmp/h3" -o /dev/null "$back"
    landing=$(location "$tmp/h3")
    case "$landing" in *"inlet_oauth=connected&integration_id=int_"*) ok ;; *) bad "landed on '$landing'" ;; esac
    id=$(printf '%s' "$landing" | sed 's/.*integration_id=\(int_[0-9a-z]*\).*/\1/')
    # The link worked once: used now.
    code=$(curl -s -o /dev/null -w '%{http_code}' "$link")
    [ "$code" = 404 ] && ok || bad "link reused: $code"

    "$INLET" integration test "$tenant" "$id" >"$tmp/out" 2>&1 && ok || bad "test: $(cat "$tmp/out")"
    grep -q '^ok ' "$tmp/out" && ok || bad "test said: $(cat "$tmp/out")"
    "$INLET" integration refresh "$tenant" "$id" >"$tmp/out" 2>&1 && ok || bad "refresh: $(cat "$tmp/out")"
    curl -s "$sf/_sandbox/counters" | grep -q '"token_refresh":1' && ok || bad "no refresh counted"
    # The proxy and an action, from the command line.
    "$INLET" proxy "$tenant" "$id" GET /limits >"$tmp/out" 2>"$tmp/proxy.err" && ok ||
        bad "proxy: $(cat "$tmp/proxy.err")"
    grep -q DailyApiRequests "$tmp/out" && grep -q '^HTTP 200$' "$tmp/proxy.err" && ok ||
        bad "proxy said: $(cat "$tmp/out" "$tmp/proxy.err")"
    "$INLET" proxy "$tenant" "$id" GET /query/../../oauth2/token >"$tmp/out" 2>&1
    [ $? -eq 2 ] && ok || bad "proxy took a dot segment: $(cat "$tmp/out")"
    "$INLET" proxy "$tenant" "$id" GET /sobjects/Contact/003000000000000AAA >"$tmp/out" 2>&1
    [ $? -eq 1 ] && grep -q "HTTP 404" "$tmp/out" && ok || bad "proxy 404: $(cat "$tmp/out")"
    "$INLET" action "$tenant" "$id" create_contact --input '{"LastName":"From the CLI"}' \
        >"$tmp/out" 2>&1 && grep -q '"ok":true,"action":"create_contact","status":201' "$tmp/out" &&
        ok || bad "action: $(cat "$tmp/out")"
    "$INLET" action "$tenant" "$id" create_contact --input '{}' >"$tmp/out" 2>&1
    [ $? -eq 2 ] && grep -q '/input/LastName' "$tmp/out" && ok || bad "action input: $(cat "$tmp/out")"
    "$INLET" action "$tenant" "$id" create_contact --input '{"LastName":"X","Nope__c":1}' \
        >"$tmp/out" 2>&1
    [ $? -eq 1 ] && grep -q 'INVALID_FIELD' "$tmp/out" && ok || bad "action refused: $(cat "$tmp/out")"
    "$INLET" integration disconnect "$tenant" "$id" >"$tmp/out" 2>&1 && ok || bad "disconnect: $(cat "$tmp/out")"
    grep -q "tokens revoked" "$tmp/out" && ok || bad "disconnect said: $(cat "$tmp/out")"
    "$INLET" integration test "$tenant" "$id" >"$tmp/out" 2>&1 && bad "test after disconnect passed" || ok
    # Bad arguments are usage errors.
    "$INLET" connect "$tenant" nope x >"$tmp/out" 2>&1; [ $? -eq 2 ] && ok || bad "unknown connector"
    "$INLET" integration test not-a-tenant "$id" >"$tmp/out" 2>&1; [ $? -eq 2 ] && ok || bad "bad tenant id"
    # Nothing secret anywhere.
    for f in "$tmp/serve.out" "$tmp/serve.err" "$tmp/link" "$tmp/connect.err" "$tmp/out"; do
        if grep -q "00DSB0000000001!\|5Aep\|sandbox-salesforce-secret" "$f"; then
            bad "a secret in $f"; else ok; fi
    done
    kill -TERM $pid; wait $pid; pid=""
    unset INLET_PUBLIC_URL INLET_SALESFORCE_BASE_URL SALESFORCE_CLIENT_ID SALESFORCE_CLIENT_SECRET
    if [ $engine = postgres ]; then
        psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null
    fi
    cd "$tmp" || exit 1
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
