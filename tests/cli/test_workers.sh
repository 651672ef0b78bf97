#!/bin/sh
# tests/cli/test_workers.sh - `inlet worker` processes share the job queue
# with `inlet serve`, on SQLite and on PostgreSQL (INLET_TEST_PG):
#   - `serve --workers 0` runs no jobs: a sync asked through its API, and
#     one queued by POST /api/cron (INLET_CRON_SECRET), are run by a
#     worker process; the cron route refuses a wrong secret.
#   - Probe jobs (`inlet jobs probe N --ms M`) drained by workers, one of
#     them killed -9 midway: every job ends done exactly once. A claim
#     counts an attempt, so a job handed to two workers would show
#     attempts 2; only the jobs the killed worker held may, taken up again
#     after their lease ran out (PostgreSQL: by the other workers; SQLite,
#     one process: by the worker started again, which releases a dead
#     process's leases at once). PostgreSQL: 4 workers, 10,000 jobs
#     (INLET_WORKERS_JOBS); SQLite: 1 worker, 2,000.
# The drain rate is printed for the record, never checked.
# Run by scripts/test with INLET=path.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
fixtures=$(cd "$(dirname "$0")/../fixtures/connectors" && pwd)
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LISTEN \
    INLET_PUBLIC_URL INLET_WORKERS INLET_JOB_LEASE
export INLET_CONNECTORS_DIR="$fixtures"
export INLET_LOG_LEVEL=warn
cron_secret=cron_5e9d1c_do_not_print_0123456789
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-workers.XXXXXX")
passed=0; failed=0; pid=""; wpids=""
trap 'for p in $pid $wpids; do kill -KILL $p 2>/dev/null; done; rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
# check DESCRIPTION WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi; }
. "$(dirname "$0")/lib/serve.sh"
stop() { kill -TERM $pid; wait $pid 2>/dev/null; pid=""; }
# api METHOD PATH BODY: the answer in $tmp/body, the status in $code.
api() {
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$3" "$base$2")
}
# worker NAME [ARG...]: an `inlet worker` in the background, up once it says
# so; its pid in $wpid and added to $wpids.
worker() {
    name=$1; shift
    "$INLET" worker "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    wpid=$!; wpids="$wpids $wpid"
    i=0
    while [ $i -lt 100 ]; do
        grep -q "running" "$tmp/$name.out" 2>/dev/null && return 0
        kill -0 $wpid 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    bad "worker $name did not come up: $(tail -c 400 "$tmp/$name.err")"
    return 1
}
# until_q SQL WANT SECONDS: wait until the query answers WANT; $got has it.
until_q() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        got=$(q "$1")
        [ "$got" = "$2" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work/t"; cd "$work" || exit 1
    export TMPDIR="$work/t"
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
        q() { sqlite3 "$work/data/inlet.db" "$1"; }
        nworkers=1; njobs=${INLET_WORKERS_JOBS_SQLITE:-2000}
    else
        db="inlet_workers_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
        q() { psql -X -A -t -q "$INLET_DB" -c "SET inlet.system = on" -c "$1"; }
        nworkers=4; njobs=${INLET_WORKERS_JOBS:-10000}
    fi
    "$INLET" tenant create cli-workers >"$tmp/out" 2>/dev/null || bad "tenant create"
    tenant=$(awk '/^tenant /{print $2}' "$tmp/out")
    key=$(awk '/^api_key /{print $2}' "$tmp/out")

    # ---- serve runs no jobs; a worker process runs the syncs ----
    INLET_CRON_SECRET=$cron_secret start --workers 0 || continue
    api POST /api/integrations '{"connector":"tap-counter","name":"Counter","config":{"count":25},
        "secrets":{"api_key":"sk_workers_secret"}}'
    check "create integration" 201 "$code"
    id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$tmp/body" | head -n 1)
    "$INLET" discover "$tenant" "$id" >/dev/null 2>"$tmp/err" || bad "discover: $(cat "$tmp/err")"
    api POST "/api/integrations/$id/sync" '{}'
    check "sync queued" 202 "$code"
    sleep 1.5
    check "no worker in serve: the job waits" queued \
        "$(q "SELECT status FROM jobs WHERE kind = 'sync'")"
    worker w0 --workers 1 || continue
    until_q "SELECT status FROM sync_runs WHERE integration_id = '$id'" success 60 ||
        bad "the worker did not run the sync: $got"
    check "rows loaded by the worker" 25 "$(q "SELECT count(*) FROM \"${id}_items\"")"

    # POST /api/cron queues a due schedule (the loops may take it first).
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer not-the-secret-at-all" "$base/api/cron")
    check "cron: a wrong secret" 401 "$code"
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$base/api/cron")
    check "cron: no secret" 401 "$code"
    api PUT "/api/integrations/$id/schedule" '{"kind":"daily","time":"03:00"}'
    check "schedule" 200 "$code"
    q "UPDATE integrations SET next_run_at = 1 WHERE id = '$id'" >/dev/null
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $cron_secret" "$base/api/cron")
    check "cron" 200 "$code"
    grep -q '"syncs":{"due":' "$tmp/body" && ok || bad "cron answer: $(cat "$tmp/body")"
    until_q "SELECT count(*) FROM sync_runs WHERE integration_id = '$id' AND
        triggered_by = 'schedule' AND status = 'success'" 1 60 ||
        bad "the scheduled run did not run: $got"
    check "next run moved on" 1 "$(q "SELECT count(*) FROM integrations WHERE id = '$id'
        AND next_run_at > 1000")"
    kill -TERM $wpid; wait $wpid; check "worker stops on SIGTERM" 0 $?
    wpids=""
    stop
    cat "$tmp"/*.out "$tmp"/*.err >>"$tmp/all.out" 2>/dev/null

    # ---- probes drained, one worker killed -9 midway ----
    "$INLET" jobs probe "$njobs" --ms 2 >"$tmp/out" 2>"$tmp/err"
    check "jobs probe" "0|queued $njobs probe jobs" "$?|$(cat "$tmp/out")"
    "$INLET" jobs probe 0 >/dev/null 2>&1; check "jobs probe 0" 2 $?
    t0=$(date +%s)
    # The victim (w1) holds its leases for 30 s: the stop-and-look below may
    # keep it stopped for seconds at a time, and a lease that ran out then
    # would be taken by its own other thread, a second claim that is not
    # the kill's. The others keep 5 s, so they take its jobs soon after.
    n=1; while [ $n -le $nworkers ]; do
        lease=5; [ $n = 1 ] && lease=30
        worker "w$n" --workers 2 --job-lease $lease || break
        eval "wpid$n=$wpid"
        n=$((n + 1))
    done
    # Killed once a third is done, with jobs in its hands (2 threads).
    i=0
    while [ "$(q "SELECT count(*) FROM jobs WHERE kind = 'probe' AND status = 'done'")" -lt $((njobs / 3)) ] &&
        [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    # Stopped first, so that what it holds cannot change: a claim or an end
    # it had sent either committed or dies with its connection. Stopped
    # again until it holds some.
    victim=$wpid1; held=0; i=0
    while [ $i -lt 50 ]; do
        kill -STOP $victim; sleep 0.3
        held=$(q "SELECT count(*) FROM jobs WHERE status = 'running' AND lease_owner LIKE 'worker:%:$victim:%'")
        [ "$held" -gt 0 ] && break
        kill -CONT $victim; sleep 0.05; i=$((i + 1))
    done
    kill -KILL $victim; wait $victim 2>/dev/null
    echo "workers [$engine]: worker $victim killed holding $held jobs"
    if [ $engine = sqlite ]; then
        worker w1b --workers 2 --job-lease 5 || continue
    fi
    until_q "SELECT count(*) FROM jobs WHERE kind = 'probe' AND status = 'done'" "$njobs" 180 ||
        bad "drained: $got of $njobs done"
    t1=$(date +%s)
    check "nothing queued, running or failed" 0 \
        "$(q "SELECT count(*) FROM jobs WHERE kind = 'probe' AND status <> 'done'")"
    again=$(q "SELECT count(*) FROM jobs WHERE kind = 'probe' AND attempts > 1")
    check "claimed twice: only what the killed worker held" "$held" "$again"
    if [ "$held" -ge 1 ] && [ "$held" -le 2 ]; then ok; else bad "the victim held $held jobs"; fi
    check "no job claimed three times" 0 "$(q "SELECT count(*) FROM jobs WHERE attempts > 2")"
    [ $engine = postgres ] && check "every worker took jobs" 4 \
        "$(q "SELECT count(DISTINCT split_part(lease_owner, ':', 3)) FROM jobs WHERE kind = 'probe'")"
    "$INLET" jobs >"$tmp/out" 2>&1
    grep -Eq "^probe +done +$njobs\$" "$tmp/out" && ok || bad "inlet jobs: $(cat "$tmp/out")"
    echo "workers [$engine]: $njobs probe jobs drained by $nworkers workers in $((t1 - t0)) s" \
        "($again taken up again after the kill)"
    for p in $wpids; do
        [ $p = $victim ] && continue
        kill -TERM $p; wait $p; check "worker $p stops on SIGTERM" 0 $?
    done
    wpids=""
    cat "$tmp"/w*.out "$tmp"/w*.err >>"$tmp/all.out" 2>/dev/null
    [ $engine = postgres ] && { cd "$tmp"; psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null; }
done
engine=all
if grep -q "sk_workers_secret\|$cron_secret" "$tmp/all.out"; then bad "a secret on an output"; else ok; fi
echo "workers: $passed passed, $failed failed"
[ $failed -eq 0 ]
