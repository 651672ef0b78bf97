#!/bin/sh
# tests/cli/test_sync.sh - a Singer tap as an integration's connector, from
# the command line, on SQLite and on PostgreSQL (INLET_TEST_PG): the API
# (`inlet serve` with tests/fixtures/connectors) creates the integration
# with its secret; `inlet discover` stores the catalog and selects;
# `inlet sync` loads the tap's records into the integration's table, fails
# with the tap's own words when it crashes, resumes from the stored state
# with nothing lost or doubled, and SIGTERM cancels it with the tap's
# process group and private folder gone. A server killed during a sync
# fails that run at its next start and removes the tap's folder. The secret
# is on no output.
# Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
fixtures=$(cd "$(dirname "$0")/../fixtures/connectors" && pwd)
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LISTEN \
    INLET_PUBLIC_URL
export INLET_CONNECTORS_DIR="$fixtures"
export INLET_LOG_LEVEL=warn
secret=sk_cli_5e9d1c_do_not_print
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-sync.XXXXXX")
passed=0; failed=0; pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
# check DESCRIPTION WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi; }
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in $(head -c 600 "$1")"; fi; }
. "$(dirname "$0")/lib/serve.sh"
stop() { kill -TERM $pid; wait $pid 2>/dev/null; pid=""; }
# api METHOD PATH BODY: the answer in $tmp/body, the status in $code.
api() {
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$3" "$base$2")
}
# sync ID: `inlet sync`, output in $tmp/sync.out/.err, status in $status.
sync_now() {
    "$INLET" sync "$tenant" "$1" >"$tmp/sync.out" 2>"$tmp/sync.err"; status=$?
    cat "$tmp/sync.out" "$tmp/sync.err" >>"$tmp/all.out"
}

pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work/t"; cd "$work" || exit 1
    export TMPDIR="$work/t" # where inlet makes the taps' private folders
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
        q() { sqlite3 "$work/data/inlet.db" "$1"; }
    else
        db="inlet_sync_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
        # As system code: sync_runs has row-level security.
        q() { psql -X -A -t -q "$INLET_DB" -c "SET inlet.system = on" -c "$1"; }
    fi
    : >"$tmp/all.out"
    "$INLET" tenant create cli-sync >"$tmp/out" 2>/dev/null || bad "tenant create"
    tenant=$(awk '/^tenant /{print $2}' "$tmp/out")
    key=$(awk '/^api_key /{print $2}' "$tmp/out")
    start || continue
    api POST /api/integrations "{\"connector\":\"tap-counter\",\"name\":\"Counter\",
        \"config\":{\"count\":25,\"state_every\":10},\"secrets\":{\"api_key\":\"$secret\"}}"
    check "create integration" 201 "$code"
    id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$tmp/body" | head -n 1)
    cat "$tmp/body" >>"$tmp/all.out"

    # Discovery: the catalog stored, "items" selected by default.
    "$INLET" discover "$tenant" "$id" >"$tmp/out" 2>"$tmp/err"
    check "discover" '0|* items|inlet: 1 streams, 1 selected; changes: {"streams_added":["items"],"streams_removed":[],"fields_added":{},"fields_removed":{}}' \
        "$?|$(cat "$tmp/out")|$(cat "$tmp/err")"
    "$INLET" discover "$tenant" "$id" --select nope >"$tmp/out" 2>"$tmp/err"
    check "discover --select an unknown stream" "2|inlet: stream \"nope\" is not in the catalog" \
        "$?|$(cat "$tmp/err")"
    "$INLET" discover "$tenant" "$id" --select items >"$tmp/out" 2>"$tmp/err"
    check "discover --select items" "0|* items" "$?|$(cat "$tmp/out")"
    "$INLET" discover "$tenant" "$id" --select items --select-all >/dev/null 2>"$tmp/err"
    check "--select with --select-all" 2 $?

    # The first sync loads everything; the second finds nothing new.
    sync_now "$id"
    check "sync: $(cat "$tmp/sync.err")" 0 $status
    contains "$tmp/sync.out" "success: 25 records (created 25, updated 0, unchanged 0" "sync counts"
    check "rows" 25 "$(q "SELECT count(*) FROM \"${id}_items\"")"
    check "an exact decimal" "0.25" "$(q "SELECT amount FROM \"${id}_items\" WHERE id = 25")"
    sync_now "$id"
    contains "$tmp/sync.out" "success: 0 records" "second sync: nothing new"
    check "runs" 2 "$(q "SELECT count(*) FROM sync_runs WHERE integration_id = '$id' AND status = 'success'")"

    # A tap that crashes: the run fails in the tap's words, what committed stays.
    api PATCH "/api/integrations/$id" '{"config":{"count":60,"crash_at":47}}'
    check "patch" 200 "$code"
    sync_now "$id"
    check "crashed sync" 1 $status
    contains "$tmp/sync.err" "failed: the tap exited with status 1: tap-counter: crashing at id 47" \
        "the tap's last words"
    check "rows after the crash" 46 "$(q "SELECT count(*) FROM \"${id}_items\"")"
    api PATCH "/api/integrations/$id" '{"config":{"crash_at":null}}'
    sync_now "$id"
    check "resumed sync" 0 $status
    contains "$tmp/sync.out" "success: 15 records (created 14, updated 0, unchanged 1," \
        "resumed after the last state (45): 46 again, 47-60 new"
    check "rows, each once" "60|60" \
        "$(q "SELECT count(*) || '|' || count(DISTINCT id) FROM \"${id}_items\"")"
    check "run log of the crash" 1 "$(q "SELECT count(*) FROM sync_runs WHERE integration_id = '$id'
        AND status = 'failed' AND log LIKE '%crashing at id 47%'")"

    # --full ignores the stored state; --stream names selected streams only.
    "$INLET" sync "$tenant" "$id" --full --stream items >"$tmp/sync.out" 2>"$tmp/sync.err"
    check "sync --full" 0 $?
    contains "$tmp/sync.out" "success: 60 records (created 0, updated 0, unchanged 60," "full resync"
    "$INLET" sync "$tenant" "$id" --stream items,nope >"$tmp/sync.out" 2>"$tmp/sync.err"
    check "sync --stream nope" "2|inlet: stream \"nope\" is not in the catalog" \
        "$?|$(cat "$tmp/sync.err")"
    # On a terminal, a progress line at each committed batch (script(1) gives one).
    api PATCH "/api/integrations/$id" '{"config":{"count":30000,"start":1000}}'
    script -qec "'$INLET' sync '$tenant' '$id'" /dev/null >"$tmp/tty.out" 2>&1
    contains "$tmp/tty.out" "inlet sync: 10000 records (0 failed)" "progress line on a terminal"
    if grep -q 'records/s' "$tmp/sync.err"; then bad "progress line off a terminal"; else ok; fi

    # SIGTERM cancels: the tap's group and its private folder are gone.
    api PATCH "/api/integrations/$id" '{"config":{"count":50000000,"start":100}}'
    TMPDIR="$work/t" "$INLET" sync "$tenant" "$id" >"$tmp/sync.out" 2>"$tmp/sync.err" &
    spid=$!
    i=0
    while [ "$(q "SELECT count(*) FROM sync_runs WHERE integration_id = '$id' AND records_processed > 0
        AND status = 'running'")" != 1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    # The running tap: the secret is on neither its command line nor its environment.
    taps=$(pgrep -f "$work/t/inlet-tap-")
    check "a running tap" 1 "$([ -n "$taps" ] && echo 1)"
    for p in $taps; do cat "/proc/$p/cmdline" "/proc/$p/environ" 2>/dev/null; done |
        tr '\0' '\n' >"$tmp/procs"
    contains "$tmp/procs" "TMPDIR=$work/t/inlet-tap-" "the tap's environment read"
    if grep -qF "$secret" "$tmp/procs"; then bad "the secret in a tap's argv or environ"; else ok; fi
    kill -TERM $spid; wait $spid; status=$?
    cat "$tmp/sync.out" "$tmp/sync.err" >>"$tmp/all.out"
    check "cancelled sync" 1 $status
    contains "$tmp/sync.out" " cancelled: " "cancelled run"
    check "tap processes left" 0 "$(pgrep -fc "$work/t/inlet-tap-")"
    check "private folders left" "" "$(ls "$work/t")"
    check "cancelled in the store" 1 "$(q "SELECT count(*) FROM sync_runs WHERE integration_id = '$id'
        AND status = 'cancelled' AND finished_at IS NOT NULL")"

    # The server killed during a sync it runs: at the next start its job is
    # taken up again at once (its process is gone) and the same run goes on
    # from the stored state; the killed tap's folder is removed.
    api PATCH "/api/integrations/$id" '{"config":{"count":50000000,"start":200000000}}'
    api POST "/api/integrations/$id/sync" '{}'
    check "API sync" 202 "$code"
    run=$(sed -n 's/^{"id":"\(run_[^"]*\)".*/\1/p' "$tmp/body")
    i=0
    while [ "$(q "SELECT records_processed > 0 FROM sync_runs WHERE id = '$run'")" != 1 ] &&
        [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL $pid; wait $pid 2>/dev/null; pid=""
    cat "$tmp/serve.out" "$tmp/serve.err" >>"$tmp/all.out"
    check "the killed run's folder, left" 1 "$(ls "$work/t" | grep -c '^inlet-tap-')"
    killed=$(ls "$work/t" | grep '^inlet-tap-')
    before=$(q "SELECT records_processed FROM sync_runs WHERE id = '$run'")
    start || continue
    contains "$tmp/serve.err" "jobs of a stopped process taken up again" "the killed job taken up"
    i=0
    while [ "$(q "SELECT records_processed > $before FROM sync_runs WHERE id = '$run'")" != 1 ] &&
        [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    check "the same run goes on" 1 "$(q "SELECT count(*) FROM sync_runs WHERE id = '$run'
        AND status = 'running' AND records_processed > $before")"
    check "the killed run's folder (its config file) removed" no \
        "$([ -e "$work/t/$killed" ] && echo yes || echo no)"
    api POST "/api/integrations/$id/sync" '{}'
    # SQLite has one writer, which the running sync's batches keep busy: a
    # write may be answered 503 (try again) before it is answered 409.
    [ $engine = sqlite ] && [ "$code" = 503 ] && code=409
    check "a sync while it goes on" 409 "$code"
    i=0
    api POST "/api/runs/$run/cancel" ''
    while [ "$code" = 503 ] && [ $i -lt 100 ]; do # SQLite's writer busy: again
        sleep 0.1; i=$((i + 1)); api POST "/api/runs/$run/cancel" ''
    done
    i=0
    while [ "$(q "SELECT count(*) FROM jobs WHERE status = 'running'")" != 0 ] &&
        [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    api PATCH "/api/integrations/$id" '{"config":{"count":10,"start":1}}'
    api POST "/api/integrations/$id/sync" '{}'
    check "a sync after the crash" 202 "$code"
    [ "$code" = 202 ] || cat "$tmp/body"

    stop
    cat "$tmp/serve.out" "$tmp/serve.err" >>"$tmp/all.out"
    if grep -qF "$secret" "$tmp/all.out"; then bad "the secret on an output"; else ok; fi
    [ $engine = postgres ] && { cd "$tmp"; psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null; }
done
echo "sync: $passed passed, $failed failed"
[ $failed -eq 0 ]
