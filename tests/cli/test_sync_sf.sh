#!/bin/sh
# tests/cli/test_sync_sf.sh - the declarative Salesforce sync loses and
# doubles nothing across kill -9, changes and faults, on SQLite and on
# PostgreSQL (INLET_TEST_PG). `inlet sandbox` runs as a process of its own
# with N Contacts, so that killing the server leaves the provider's records,
# changes and tokens alone (`serve --demo` would take them down with it);
# `inlet serve` is sent there by INLET_SALESFORCE_BASE_URL.
#   - Trials: a new integration each (curl plays the browser), discovered,
#     Contact selected with every field, synced through the API; the server
#     gets SIGKILL at random points after some pages committed (twice by
#     default) and is started again: the killed run is either taken up
#     again (its job's process is gone) and waited for, possibly killed
#     again, or reads failed ("inlet stopped while it ran") and the sync
#     is sent again, until a run succeeds. Whenever no run is active, the
#     rows equal the records the runs created (counts commit with rows).
#   - K records changed and D deleted: the next run updates exactly those
#     (a record read again at the bookmark's second is unchanged); then
#     half the records changed at one instant, the run killed and resumed.
#   - Records changed while a sync reads them, the server killed after the
#     next pages, the sync resumed.
#   - Faults (rate-limit refusals, 5xx bursts, cut answers, tokens that
#     expire early or all at once): every run ends success, or partial or
#     failed with its error, keeping its rows and bookmark; runs repeated
#     finish the job. Salesforce's concurrent limit must not read as its
#     daily one.
# After each: inlet's table equals what the emulator holds (the same Ids,
# each once, the same values: tests/cli/lib/salesforce.sh dumps both sides
# as canonical lines, compared with cmp), and the rows equal the records the
# runs created. No token or client secret on any output.
# Sizes: INLET_SF_RECORDS (20000), INLET_SF_TRIALS (3 per engine),
# INLET_SF_KILLS (kills per trial, 2); the full check is e.g.
# INLET_SF_TRIALS=20 INLET_SF_RECORDS=1000000. INLET_SF_SEED fixes the data
# set (default random; printed). INLET_SF_ENGINES="sqlite" runs one engine,
# INLET_SF_VERBOSE=1 prints the log of runs and kills.
# Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LISTEN INLET_PUBLIC_URL \
    INLET_SALESFORCE_BASE_URL SALESFORCE_CLIENT_ID SALESFORCE_CLIENT_SECRET
export INLET_LOG_LEVEL=warn
N=${INLET_SF_RECORDS:-20000}
TRIALS=${INLET_SF_TRIALS:-3}
KILLS=${INLET_SF_KILLS:-2}
SEED=${INLET_SF_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
PAGE=2000 # the emulator's page
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-sync-sf.XXXXXX")
passed=0; failed=0; pid=""; sb_pid=""; engine=setup; kills_mid=0; kills_late=0
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; [ -n "$sb_pid" ] && kill -KILL $sb_pid 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine, seed $SEED, $N records]: $*"; }
# check DESCRIPTION WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi; }
. "$(dirname "$0")/lib/serve.sh"
. "$(dirname "$0")/lib/salesforce.sh"
# note TEXT: a line for the log (printed on failure or with INLET_SF_VERBOSE),
# with the seconds since the start.
t0=$(date +%s)
note() { echo "  $(($(date +%s) - t0))s [$engine] $*" >>"$tmp/log"; }
# rand N: 0 to N-1.
rand() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1)); }
stop() { [ -n "$pid" ] || return 0; kill -TERM $pid; wait $pid 2>/dev/null; pid=""; cat "$tmp/serve.out" "$tmp/serve.err" >>"$tmp/all.out"; }
killed() { kill -KILL $pid; wait $pid 2>/dev/null; pid=""; cat "$tmp/serve.out" "$tmp/serve.err" >>"$tmp/all.out"; }
# api METHOD PATH BODY: the answer in $tmp/body, the status in $code.
api() {
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$3" "$base$2")
    cat "$tmp/body" >>"$tmp/all.out"
}
# runinfo RUN: GET /api/runs/RUN; $st (status), $processed, $created,
# $updated, $unchanged, $deleted, $nfailed, $error ("" when null).
runinfo() {
    api GET "/api/runs/$1" ''
    st=$(sed -n 's/^{"id":"[^"]*","integration_id":"[^"]*","status":"\([a-z]*\)".*/\1/p' "$tmp/body")
    for f in processed created updated unchanged deleted; do
        eval "$f=\$(sed -n 's/.*\"counts\":{[^}]*\"$f\":\([0-9]*\).*/\1/p' \"\$tmp/body\")"
    done
    nfailed=$(sed -n 's/.*"counts":{[^}]*"failed":\([0-9]*\).*/\1/p' "$tmp/body")
    error=$(sed -n 's/.*"error":"\(\([^"\\]\|\\.\)*\)".*/\1/p' "$tmp/body")
}
# sync_start: POST sync; $run.
sync_start() {
    api POST "/api/integrations/$id/sync" '{}'
    run=$(sed -n 's/^{"id":"\(run_[^"]*\)".*/\1/p' "$tmp/body")
    [ "$code" = 202 ] && [ -n "$run" ] || { bad "POST sync: $code $(head -c 300 "$tmp/body")"; return 1; }
}
# wait_run RUN: until it is neither queued nor running (runinfo's values).
# A GET that answers no run (a server just restarted, a connection busy)
# is asked again for up to 10 s before it counts as a failure.
wait_run() {
    i=0; misses=0
    while :; do
        runinfo "$1"
        if [ -z "$st" ]; then
            misses=$((misses + 1))
            [ $misses -lt 50 ] || { bad "GET run $1: $code $(head -c 300 "$tmp/body")"; return 1; }
            sleep 0.2; continue
        fi
        misses=0
        case "$st" in queued | running) ;; *) return 0 ;; esac
        i=$((i + 1))
        [ $i -lt 6000 ] || { bad "run $1 still $st after 20 minutes"; return 1; }
        sleep 0.2
    done
}
# kill_after RUN T: SIGKILL the server once RUN has processed T records
# and a random 0-100 ms more (about a page), mid-page or mid-commit; 1 if
# RUN ended first. Polls with one curl and one sed, to keep up with pages.
kill_after() {
    seen=""
    while :; do
        set -- "$1" "$2" $(curl -s -H "Authorization: Bearer $key" "$base/api/runs/$1" |
            sed -n 's/^{"id":"[^"]*","integration_id":"[^"]*","status":"\([a-z]*\)".*"counts":{"processed":\([0-9]*\).*/\1 \2/p')
        case "${3:-}" in queued | running) ;; *) runinfo "$1"; return 1 ;; esac
        processed=$4
        [ "$processed" -ge "$2" ] && break
        case " $seen " in *" $processed "*) ;; *) seen="$seen $processed" ;; esac
        sleep 0.02
    done
    sleep "0.$(printf '%03d' "$(rand 100)")"
    killed
}
# rows: the table's rows (0 before the first commit creates it).
rows() { r=$(q "SELECT count(*) FROM \"$table\"" 2>/dev/null); echo "${r:-0}"; }
# compare WHAT: inlet's table against the emulator's Contacts.
compare() {
    sandbox_token && sandbox_dump Contact "$tmp/want" || return 1
    dest_dump $engine "$table" Contact "$tmp/got"
    check "$1: records at the emulator" "$total" "$(wc -l <"$tmp/want")"
    check "$1: rows, each Id once" "$(wc -l <"$tmp/want")|$(wc -l <"$tmp/want")" \
        "$(q "SELECT count(*) || '|' || count(DISTINCT id) FROM \"$table\"")"
    if cmp -s "$tmp/want" "$tmp/got"; then ok; else
        cut -d'|' -f1 "$tmp/want" >"$tmp/want.ids"; cut -d'|' -f1 "$tmp/got" | LC_ALL=C sort -u >"$tmp/got.ids"
        missing=$(LC_ALL=C comm -23 "$tmp/want.ids" "$tmp/got.ids" | wc -l)
        extra=$(LC_ALL=C comm -13 "$tmp/want.ids" "$tmp/got.ids" | wc -l)
        other=$(($(LC_ALL=C comm -23 "$tmp/want" "$tmp/got" | wc -l) - missing))
        first=$(LC_ALL=C comm -23 "$tmp/want" "$tmp/got" | grep -F -f "$tmp/got.ids" | head -n 1)
        bad "$1: the table differs from the emulator: $missing Ids missing (first:" \
            "$(LC_ALL=C comm -23 "$tmp/want.ids" "$tmp/got.ids" | head -n 3 | tr '\n' ' ')), $extra extra," \
            "$other with other values${first:+ (emulator: $first; inlet: $(grep -F "${first%%|*}" "$tmp/got"))}"
    fi
}
# created_sum: records created by every run of the integration.
created_sum() { q "SELECT coalesce(sum(records_created), 0) FROM sync_runs WHERE integration_id = '$id'"; }
# bookmark: the stream's stored bookmark value, "" when none.
bookmark() {
    q "SELECT bookmark FROM stream_state WHERE integration_id = '$id' AND stream = 'Contact'" |
        sed -n 's/.*"replication_key_value": *"\([^"]*\)".*/\1/p'
}
# restart: after a kill: serve again, then what became of the killed run:
# 0 it reads failed ("inlet stopped while it ran": a new run must be sent),
# 1 it had ended before the kill, 3 its job was taken up again and the same
# run goes on (queued or running), 2 the server did not start.
restart() {
    start || return 2
    runinfo "$run"
    case "$st" in
    success) return 1 ;;
    queued | running) return 3 ;;
    esac
    check "the killed run, at the next start" "failed|inlet stopped while it ran" \
        "$st|$(printf '%s' "$error" | grep -o 'inlet stopped while it ran')"
    check "rows committed = records the runs created (counts commit with the rows)" \
        "$(rows)" "$(created_sum)"
    return 0
}
# mutate MEMBERS: POST /_sandbox/mutate {"object":"Contact",MEMBERS};
# $touched, $dels.
mutate() {
    curl -s -o "$tmp/mut" -H 'Content-Type: application/json' \
        -d "{\"object\":\"Contact\",$1}" "$sf/_sandbox/mutate"
    touched=$(sed -n 's/.*"touched":\([0-9]*\).*/\1/p' "$tmp/mut")
    dels=$(sed -n 's/.*"deleted":\([0-9]*\).*/\1/p' "$tmp/mut")
}
# kept WHAT: after a run that may have failed: it ended success, partial or
# failed, with its error unless success; the rows committed did not shrink
# and match the runs' created counts; the bookmark did not go back. Sets
# $before and $bm_before for the next run.
kept() {
    now=$(rows); bm_now=$(bookmark)
    note "$1: $st, $processed processed, rows $now, bookmark $bm_now: $error"
    case "$st" in
    success) ok ;;
    partial | failed) [ -n "$error" ] && ok || bad "$1: $st without its error" ;;
    *) bad "$1: ended '$st'" ;;
    esac
    [ "$now" -ge "${before:-0}" ] && ok || bad "$1: rows went from $before to $now"
    check "$1: rows = records created" "$now" "$(created_sum)"
    [ -z "${bm_before:-}" ] || [ "$(printf '%s\n%s\n' "$bm_before" "$bm_now" | LC_ALL=C sort | tail -n 1)" = "$bm_now" ] &&
        ok || bad "$1: the bookmark went back from $bm_before to $bm_now"
    before=$now; bm_before=$bm_now
}
# faulted FAULTS STATUS|PROCESSED ERROR: a run under FAULTS alone ends
# STATUS (a pattern) having read PROCESSED, with ERROR in its error, and
# keeps what it had (kept).
faulted() {
    sandbox_faults "$1"
    sync_start && wait_run "$run" || return 1
    kept "faults $1"
    case "$st|$processed" in $2) ok ;; *) bad "faults $1: run $st after $processed records, want $2: $error" ;; esac
    case "$error" in *"$3"*) ok ;; *) bad "faults $1: the error '$error' does not say '$3'" ;; esac
}
# new_integration NAME: connect, discover, select Contact with every field.
new_integration() {
    sf_connect "$tenant" "$1" || return 1
    table="${id}_contact"
    api POST "/api/integrations/$id/discover" '{}'
    check "discover" 200 "$code"
    api PUT "/api/integrations/$id/catalog" '{"streams":[{"tap_stream_id":"Contact"}]}'
    check "select Contact" 200 "$code"
}
# sync_until_success MAXRUNS KILLS [TODO]: sync, killing the server KILLS
# times at random points while a run has pages left, until a run succeeds.
# A run taken up again after the restart is waited for (and may be killed
# again); one failed by the restart is sent again. TODO is what the first
# run has to read (default: the rows not loaded yet).
sync_until_success() {
    runs=0; k=0; left=${3:-$((total - $(rows)))}; again=""
    while [ $runs -lt "$1" ]; do
        from=0
        if [ -n "$again" ]; then
            runinfo "$run"; from=${processed:-0}
        else
            sync_start || return 1
            runs=$((runs + 1))
        fi
        again=""
        if [ $k -lt "$2" ] && [ $left -gt $((2 * PAGE)) ]; then
            at=$((from + PAGE + $(rand $((left - 2 * PAGE)))))
            if kill_after "$run" $at; then
                k=$((k + 1))
                restart; r=$?
                case $r in 0 | 3) kills_mid=$((kills_mid + 1)) ;; 1) kills_late=$((kills_late + 1)) ;; esac
                note "$trial: run $runs killed after $processed processed (at $at; seen $(echo $seen | tr ' ' '\n' | tail -n 4 | paste -sd' ' -)); $(rows) rows committed;" \
                    "$(case $r in 0) echo "failed at the start" ;; 1) echo "it had ended" ;; 3) echo "taken up again" ;; esac)"
                left=$((total - $(rows)))
                [ $r = 2 ] && return 1
                [ $r = 0 ] && continue
                [ $r = 3 ] && { again=1; continue; }
            fi
        fi
        wait_run "$run" || return 1
        check "$trial: rows committed = records the runs created (counts commit with the rows)" \
            "$(rows)" "$(created_sum)"
        left=$((total - $(rows)))
        [ "$st" = success ] && return 0
        note "$trial: run ended $st: $error"
    done
    bad "$trial: no run succeeded in $1 (last: $st: $error)"
    return 1
}

pg_admin_url=$INLET_TEST_PG
engine=setup
sandbox_start "$N" "$SEED" || { echo "salesforce: $passed passed, $failed failed"; exit 1; }
# The server and `inlet connect` send Salesforce there, with its client.
export INLET_SALESFORCE_BASE_URL=$sf SALESFORCE_CLIENT_ID=sandbox-salesforce-client \
    SALESFORCE_CLIENT_SECRET=$SF_SECRET
: >"$tmp/all.out"; : >"$tmp/log"
for engine in ${INLET_SF_ENGINES:-sqlite postgres}; do
    work="$tmp/$engine"; mkdir -p "$work"; cd "$work" || exit 1
    curl -s -o /dev/null -X POST "$sf/_sandbox/reset"
    total=$N
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
        q() { sqlite3 "$work/data/inlet.db" "$1"; }
    else
        db="inlet_sync_sf_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
        # As system code: sync_runs and stream_state have row-level security.
        q() { psql -X -A -t -q "$INLET_DB" -c "SET inlet.system = on" -c "$1"; }
    fi
    "$INLET" tenant create cli-sync-sf >"$tmp/out" 2>/dev/null || bad "tenant create"
    tenant=$(awk '/^tenant /{print $2}' "$tmp/out")
    key=$(awk '/^api_key /{print $2}' "$tmp/out")
    start || continue

    # The kill -9 trials, each on a new integration.
    t=1
    while [ $t -le "$TRIALS" ]; do
        trial="trial $t"
        new_integration "Trial $t" || break
        if sync_until_success 10 "$KILLS"; then
            note "$trial: synced"
            compare "$trial"
            check "$trial: records created by the runs" "$N" "$(created_sum)"
        fi
        # Space back; the last trial's table goes on below.
        [ $t -lt "$TRIALS" ] && q "DELETE FROM \"$table\"" >/dev/null
        t=$((t + 1))
    done
    [ -n "$id" ] || { stop; continue; }

    # K changed and D deleted: the next run updates exactly the records that
    # differ (K+D, less any both changed and deleted) and reads again only
    # what is at or past the bookmark's second, unchanged (values from the
    # last minute before a query never move the bookmark).
    trial=changes
    bm=$(bookmark)
    if [ $engine = sqlite ]; then
        edge=$(q "SELECT count(*) FROM \"$table\" WHERE substr(systemmodstamp, 1, 19) >= substr('$bm', 1, 19)")
    else
        edge=$(q "SELECT count(*) FROM \"$table\"
            WHERE date_trunc('second', systemmodstamp) >= date_trunc('second', '$bm'::timestamptz)")
    fi
    K=$((N / 100 + 1)); D=$((N / 400 + 1))
    mutate "\"touch\":$K,\"delete\":$D"
    check "mutate" "$K|$D" "$touched|$dels"
    sandbox_token && sandbox_dump Contact "$tmp/want"
    dest_dump $engine "$table" Contact "$tmp/got"
    differ=$(LC_ALL=C comm -23 "$tmp/want" "$tmp/got" | wc -l)
    [ "$differ" -le $((K + D)) ] && [ "$differ" -ge "$K" ] && ok ||
        bad "changes: $differ records differ after $K changed and $D deleted"
    sync_start && wait_run "$run"
    check "changes: run" "success|0|$differ|$D|0" "$st|$created|$updated|$deleted|$nfailed"
    [ "${unchanged:-0}" -le "$edge" ] && [ "$processed" = $((updated + unchanged)) ] && ok ||
        bad "changes: $unchanged unchanged of $processed; at most $edge are at or past the bookmark's second"
    note "changes: $st, $updated updated ($K changed, $D deleted, $differ differed), $unchanged unchanged"
    compare "after $K changed and $D deleted"

    # Many changed at one instant (more than a page shares the bookmark),
    # the run killed after a page or more, resumed.
    trial="changes at one instant"
    K=$((N / 2))
    mutate "\"touch\":$K"
    sync_until_success 10 1 "$K" && compare "after $K changed at one instant, killed and resumed"

    # Records changed while a sync reads them: the query matched its rows
    # before, so a changed record comes in a later page with a cursor past
    # every record still to read. Killed after that page, resumed: nothing
    # may be lost.
    trial="changed while read"
    if new_integration "Changed while read"; then
        sync_start
        while runinfo "$run" && [ "$st" = running ] && [ "${processed:-0}" -lt $PAGE ]; do sleep 0.02; done
        mutate "\"touch\":$((N / 100 + 1))"
        at=$((processed + 2 * PAGE))
        if [ $at -lt $((N - PAGE)) ] && kill_after "$run" $at; then
            restart; r=$?
            case $r in 0 | 3) kills_mid=$((kills_mid + 1)) ;; esac
            note "$trial: killed after $processed processed; $(rows) rows committed, bookmark $(bookmark)"
            case $r in
            0) sync_until_success 10 0 && compare "$trial, killed and resumed" ;;
            1 | 3) wait_run "$run" && check "$trial: the run taken up" success "$st" &&
                compare "$trial, killed and resumed" ;;
            esac
        else
            # The query's rows were fixed when it began, as Salesforce's
            # are: a record changed in a page already read keeps its old
            # values in this run. The bookmark stayed below the change, so
            # the next run reads it.
            note "$trial: the run ended before the kill"
            wait_run "$run" && check "$trial: the run" success "$st" &&
                sync_until_success 3 0 && compare "$trial, not killed, then synced again"
        fi
    fi

    # Faults: a new integration synced from nothing with every fault on, the
    # emulator's records back to the start (reset; its tokens stay valid).
    # Each run succeeds, or ends partial or failed with its error, keeping
    # what it committed and its bookmark; runs repeated finish the job.
    trial=faults
    curl -s -o /dev/null -X POST "$sf/_sandbox/reset"
    if new_integration "Faults"; then
        faults='"rate_limit_every":7,"error_every":9,"error_burst":3,"error_status":503,"cut_every":13,"token_ttl_s":3'
        sandbox_faults "{$faults}"
        before=0; bm_before=""
        runs=0
        while [ $runs -lt 30 ]; do
            sync_start || break
            runs=$((runs + 1))
            # Once, mid-run, every access token expires at once.
            if [ $runs = 1 ]; then
                while runinfo "$run" && [ "$st" = running ] && [ "${processed:-0}" -lt $PAGE ]; do
                    sleep 0.05
                done
                sandbox_faults "{$faults,\"expire_tokens\":true}"
            fi
            wait_run "$run" || break
            kept "faults run $runs"
            [ "$st" = success ] && break
        done
        check "faults: a run succeeded" success "$st"
        curl -s "$sf/_sandbox/counters" >"$tmp/counters"
        fc=$(sed -n 's/.*"faults":\([0-9]*\).*/\1/p' "$tmp/counters")
        refreshes=$(sed -n 's/.*"token_refresh":\([0-9]*\).*/\1/p' "$tmp/counters")
        [ "${fc:-0}" -gt 0 ] && [ "${refreshes:-0}" -gt 0 ] && ok ||
            bad "faults: the emulator counted ${fc:-0} faults and ${refreshes:-0} token refreshes"
        # Changes under the same faults.
        mutate "\"touch\":$((N / 50 + 1)),\"delete\":$((N / 200 + 1))"
        runs=0
        while [ $runs -lt 30 ]; do
            sync_start && wait_run "$run" || break
            runs=$((runs + 1))
            kept "faults, changes, run $runs"
            [ "$st" = success ] && break
        done
        check "faults, changes: a run succeeded" success "$st"
        # One fault at a time, each run's end and error known: a 5xx storm
        # after 3 pages (5 attempts each, then the run fails with what
        # was read kept), cut answers, a 502 page from "the edge", and
        # Salesforce's two limits, both 403 REQUEST_LIMIT_EXCEEDED, told
        # apart by their message: the concurrent one is retried and then
        # stops the run; only the daily one is "the daily limit".
        # First a token that outlives them (one refresh, in a run of its own),
        # so that each run's calls are its pages.
        sandbox_faults '{"expire_tokens":true}'
        sync_start && wait_run "$run"
        check "a run with the tokens expired" success "$st"
        mutate "\"touch\":$((3 * PAGE + PAGE / 2))"
        faulted '{"error_every":4,"error_burst":4}' "failed|$((3 * PAGE))" "503 SERVER_UNAVAILABLE"
        faulted '{"cut_every":1}' "failed|0" "partial file"
        faulted '{"error_every":1,"error_status":502}' "failed|0" "answered 502"
        faulted '{"daily_limit":1}' "partial|$PAGE" "daily API request limit"
        faulted '{"rate_limit_every":1}' "*|0" "REQUEST_LIMIT_EXCEEDED"
        case "$error" in
        *daily*) bad "the concurrent limit (ConcurrentPerOrgLongTxn) reported as the daily one: $error" ;;
        *) ok ;;
        esac
        sandbox_faults '{}'
        sync_start && wait_run "$run"
        check "no fault: run" success "$st"
        compare "after runs under faults"
    fi

    stop
    [ $engine = postgres ] && { cd "$tmp"; psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null; }
done
engine=all
cat "$tmp/sandbox.out" "$tmp/sandbox.err" >>"$tmp/all.out"
if grep -q "00DSB0000000001!\|5Aep\|$SF_SECRET" "$tmp/all.out"; then bad "a token or the client secret on an output"; else ok; fi
[ -n "${INLET_SF_VERBOSE:-}" ] || [ $failed -gt 0 ] && cat "$tmp/log"
echo "salesforce: $N records, seed $SEED; SIGKILL $kills_mid times mid-run, $kills_late after the run had ended"
echo "salesforce: $passed passed, $failed failed"
[ $failed -eq 0 ]
