#!/bin/sh
# bench/ui/run.sh INLET - the web UI at scale: a tenant with 1,000
# integrations and 100,000 runs (BENCH_UI_INTEGRATIONS, BENCH_UI_RUNS),
# against the reference measured in the same run, an empty tenant on the
# same server. measure.mjs loads pages in Debian's chromium and reports the
# time until each is usable (its data drawn) and the first contentful
# paint, median of BENCH_RUNS loads, as ratios to the reference. SQLite
# under ./data of a temporary directory; the runs are inserted with the
# sqlite3 shell (through the API they would take an hour of syncs).
# Used by `make bench`; docs/benchmarks.md explains the figures.
set -eu
N=${BENCH_UI_INTEGRATIONS:-1000}
RUNS=${BENCH_UI_RUNS:-100000}
inlet=${1:-}
[ -n "$inlet" ] && [ -x "$inlet" ] || { echo "usage: bench/ui/run.sh PATH/TO/inlet" >&2; exit 2; }
case "$inlet" in /*) ;; *) inlet=$(pwd)/$inlet ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-ui.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
unset INLET_DB INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LISTEN
export INLET_DATA_DIR="$tmp/data" INLET_LOG_LEVEL=warn INLET_RATE_LIMIT=off
cd "$tmp"
key_of() { "$inlet" tenant create "$1" | awk '/^api_key/ {print $2}'; }
big=$(key_of big); empty=$(key_of empty)
port=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
base="http://127.0.0.1:$port"
"$inlet" serve --listen "127.0.0.1:$port" --workers 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
i=0
until curl -fs -o /dev/null "$base/healthz"; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "bench/ui: serve did not start: $(tail -c 300 "$tmp/serve.err")" >&2; exit 1; }
    sleep 0.1
done
echo "bench/ui: $N integrations through the API, $RUNS runs into SQLite" >&2
i=0
while [ $i -lt "$N" ]; do
    curl -fs -o /dev/null -H "Authorization: Bearer $big" -H 'Content-Type: application/json' \
        --data "{\"connector\":\"salesforce\",\"name\":\"Org $i\"}" "$base/api/integrations"
    i=$((i + 1))
done
# Runs spread over the integrations, newest last, mostly successes, ids that
# sort by time as inlet's do (run_ + 26 characters).
sqlite3 "$tmp/data/inlet.db" <<SQL
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $RUNS - 1),
ints AS (SELECT id, tenant_id, row_number() OVER (ORDER BY id) - 1 AS r FROM integrations
         WHERE tenant_id = (SELECT id FROM tenants WHERE name = 'big'))
INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode, status, created_at,
                       started_at, finished_at, records_processed, records_created, error)
SELECT printf('run_%026d', k), ints.tenant_id, ints.id, 'schedule', 'incremental',
       CASE WHEN k % 50 = 0 THEN 'failed' ELSE 'success' END,
       strftime('%s', 'now') - ($RUNS - k) * 60, strftime('%s', 'now') - ($RUNS - k) * 60,
       strftime('%s', 'now') - ($RUNS - k) * 60 + 30, k % 500, k % 7,
       CASE WHEN k % 50 = 0 THEN 'the provider answered 503' END
FROM n JOIN ints ON ints.r = k % $N;
SQL
node "$here/measure.mjs" "$base" "$big" "$empty"
