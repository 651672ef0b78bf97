#!/bin/sh
# bench/sync/run.sh INLET [WALK] - a Salesforce sync end to end: N Contacts
# (BENCH_RECORDS, default 1,000,000; every field) from `inlet sandbox` into
# SQLite and into PostgreSQL (INLET_TEST_PG: run under scripts/with-pg) with
# `inlet sync`, each into a new integration connected through the real
# OAuth flow. In the same run, the references:
#   - the emulator's own rate: bench/sandbox/walk.c (WALK; default the
#     sandbox-walk built beside INLET by `make bench`) pages through the
#     query the sync sends, on one kept-alive connection, best of 2; and the
#     emulator's CPU time during each sync;
#   - `inlet load` on the same records: the emulator's pages turned into a
#     Singer stream (SCHEMA from the integration's catalog, one RECORD per
#     record, attributes dropped, as the connector drops them), loaded
#     with --batch-size 2000 (a transaction per page, as the sync commits);
#   - the sync again with the connector's rate budget lifted
#     (INLET_CONNECTORS_DIR holding salesforce.json with "rate_limit"
#     raised): what the engine does when the budget does not hold it back.
# Peak RSS (VmHWM, /usr/bin/time) of each inlet process, and the sync's at
# BENCH_SMALL records (100,000) beside N's: it must not grow with records.
# Targets: sync >= 0.5 x inlet load on the same engine; peak RSS under 64
# MB and within 10 % between the two sizes. BENCH_PERF=1 appends a perf
# profile of one more budget-free sync per engine. Tokens stay in files under
# the temporary directory; nothing secret is printed. Everything is stopped
# and removed however the script ends. docs/benchmarks.md has the figures.
set -eu
N=${BENCH_RECORDS:-1000000}
SMALL=${BENCH_SMALL:-100000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
INLET=${1:-}
[ -n "$INLET" ] && [ -x "$INLET" ] || { echo "usage: bench/sync/run.sh INLET [WALK]" >&2; exit 2; }
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
walk=${2:-$(dirname "$INLET")/bench/sandbox-walk}
[ -x "$walk" ] || { echo "bench/sync: no walker at $walk (make bench builds it)" >&2; exit 2; }
: "${INLET_TEST_PG:?run under scripts/with-pg}"
for tool in curl sqlite3 psql ss /usr/bin/time; do
    command -v $tool >/dev/null 2>&1 || { echo "bench/sync: $tool not found (run scripts/deps)" >&2; exit 1; }
done
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LISTEN INLET_PUBLIC_URL
export INLET_LOG_LEVEL=warn
load0=$(cut -d' ' -f1-3 /proc/loadavg) # the machine is shared: say how busy it was

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-sync.XXXXXX")
export INLET_CONNECTORS_DIR=$tmp/none # no such folder: the built-in connectors only
pid=""; sb_pid=""; small_pid=""; pgdbs=""
cleanup() {
    for p in $pid $sb_pid $small_pid; do kill -TERM "$p" 2>/dev/null || true; done
    for d in $pgdbs; do psql -X -q "$INLET_TEST_PG" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench/sync: $*" >&2; exit 1; }
bad() { die "$@"; }
. "$repo/tests/cli/lib/serve.sh"
. "$repo/tests/cli/lib/salesforce.sh"
say() { echo "bench/sync: $*" >&2; }

# CPU ticks (user + system) of a process.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

# --- the emulators: N records, and BENCH_SMALL for the memory check ------------
sandbox_start "$SMALL" 0; small_pid=$sb_pid; small_sf=$sf
sandbox_start "$N" 0
say "sandbox up: $N Contacts at $sf, $SMALL at $small_sf"

# --- connect: three integrations on N's emulator, one on the small one -----------
# api METHOD PATH BODY: the answer in $tmp/body; fails on a status >= 300.
api() {
    c=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$3" "$base$2")
    [ "$c" -lt 300 ] || die "$1 $2: HTTP $c $(head -c 300 "$tmp/body")"
}
export SALESFORCE_CLIENT_ID=sandbox-salesforce-client SALESFORCE_CLIENT_SECRET=$SF_SECRET
# tenant: a tenant in the engine's store: $tenant, $key.
tenant() {
    "$INLET" tenant create bench-sync >"$tmp/tenant" 2>/dev/null || die "tenant create"
    tenant=$(awk '/^tenant /{print $2}' "$tmp/tenant")
    key=$(awk '/^api_key /{print $2}' "$tmp/tenant")
}
# integration NAME ORIGIN: a new integration connected to the emulator at
# ORIGIN, discovered, Contact selected with every field: $id_NAME. The
# catalog answer stays in $tmp/catalog.json.
integration() {
    big_sf=$sf; sf=$2
    INLET_SALESFORCE_BASE_URL=$2; export INLET_SALESFORCE_BASE_URL
    start
    sf_connect "$tenant" "Bench $1"
    api POST "/api/integrations/$id/discover" '{}'
    api PUT "/api/integrations/$id/catalog" '{"streams":[{"tap_stream_id":"Contact"}]}'
    cp "$tmp/body" "$tmp/catalog.json"
    eval "id_$1=\$id"
    kill -TERM $pid; wait $pid 2>/dev/null || true; pid=""
    sf=$big_sf; unset INLET_SALESFORCE_BASE_URL
}

# The connector with its rate budget lifted, for the third sync.
mkdir -p "$tmp/connectors/logos"
sed 's/"requests_per_second": *[0-9.]*/"requests_per_second": 100000/; s/"burst": *[0-9.]*/"burst": 100000/' \
    "$repo/connectors/salesforce.json" >"$tmp/connectors/salesforce.json"
cp "$repo/connectors/logos/salesforce.svg" "$tmp/connectors/logos/"
grep -q '"requests_per_second": 100000' "$tmp/connectors/salesforce.json" || die "could not lift the rate budget"

# timed OUT CMD...: run CMD under /usr/bin/time; "seconds peak_kb user_s sys_s" into OUT.
timed() {
    out=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >"$tmp/cmd.out" 2>"$tmp/cmd.err" ||
        { cat "$tmp/cmd.out" "$tmp/cmd.err" >&2; die "$* failed"; }
    cat "$tmp/time" >"$out"
}
# sync_timed NAME ID ORIGIN SANDBOX_PID [CONNECTORS_DIR]: `inlet sync`; its
# figures and the emulator's CPU during it into $tmp/r.NAME: "seconds
# peak_kb user sys sandbox_ticks".
sync_timed() {
    c0=$(cpu_ticks "$4")
    INLET_SALESFORCE_BASE_URL=$3 INLET_CONNECTORS_DIR=${5:-$tmp/none} \
        timed "$tmp/r.$1" "$INLET" sync "$tenant" "$2"
    c1=$(cpu_ticks "$4")
    grep -q "success: " "$tmp/cmd.out" || die "sync $1: $(cat "$tmp/cmd.out" "$tmp/cmd.err")"
    echo " $((c1 - c0))" >>"$tmp/r.$1"
    tr -d '\n' <"$tmp/r.$1" >"$tmp/r.$1.x" && mv "$tmp/r.$1.x" "$tmp/r.$1"
    say "sync $1: $(grep -o 'success: [0-9]* records' "$tmp/cmd.out"), $(cat "$tmp/r.$1")"
}

# --- the Singer stream of the same records, fetched with our own token ---------
sandbox_token
sf_fields Contact
fields=$(cut -d' ' -f1 "$tmp/fields.Contact" | paste -sd, - | sed 's/,/, /g')
soql="SELECT $fields FROM Contact WHERE SystemModstamp >= 1970-01-01T00:00:00Z ORDER BY SystemModstamp ASC"

# The emulator's rate on the sync's query, before anything else loads the machine.
"$walk" "$sf" "$tmp/private/auth" "$soql" >/dev/null 2>&1 || true # its first query pays page faults
best_walk=""
for r in 1 2; do
    "$walk" "$sf" "$tmp/private/auth" "$soql" >"$tmp/walk.out" 2>&1 || { cat "$tmp/walk.out" >&2; die "walk failed"; }
    line=$(grep '^WALK ' "$tmp/walk.out")
    rps=$(echo "$line" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); F[kv[1]] = kv[2] }
        printf "%.0f %.0f %d", F["records"] / F["seconds"], F["pages"] / F["seconds"], F["records"] }')
    [ -z "$best_walk" ] || [ "${rps%% *}" -gt "${best_walk%% *}" ] && best_walk=$rps
done
[ "${best_walk##* }" = "$N" ] || die "the walk read ${best_walk##* } records, not $N"
say "walk: ${best_walk%% *} records/s"

# --- per engine -------------------------------------------------------------------
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work"
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
        loaddb="sqlite:$work/load.db"
    else
        export INLET_DB=$(printf '%s' "$INLET_TEST_PG" | sed "s|/inlet?|/bench_sync_$$?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
        loaddb=$(printf '%s' "$INLET_TEST_PG" | sed "s|/inlet?|/bench_sync_load_$$?|")
        pgdbs="bench_sync_$$ bench_sync_load_$$"
        for d in $pgdbs; do psql -X -q "$INLET_TEST_PG" -c "CREATE DATABASE $d" >/dev/null; done
    fi
    tenant
    integration small "$small_sf"
    integration free "$sf"
    integration big "$sf"
    if [ ! -s "$tmp/stream.jsonl" ]; then
        # SCHEMA as the sync's (the catalog's Contact schema, key Id), then
        # every page of the sync's query as RECORDs.
        sqlite3 :memory: "SELECT json_object('type', 'SCHEMA', 'stream', 'Contact',
                'schema', json(json_extract(value, '\$.schema')), 'key_properties', json('[\"Id\"]'))
            FROM json_each(readfile('$tmp/catalog.json'), '\$.streams')
            WHERE json_extract(value, '\$.tap_stream_id') = 'Contact'" >"$tmp/stream.jsonl"
        [ -s "$tmp/stream.jsonl" ] || die "no Contact stream in the catalog"
        c=$(curl -s -G -H @"$tmp/private/auth" --data-urlencode "q=$soql" -o "$tmp/page.json" \
            -w '%{http_code}' "$sf/services/data/$SF_VERSION/queryAll")
        while :; do
            [ "$c" = 200 ] || die "queryAll: HTTP $c"
            sqlite3 :memory: "SELECT json_object('type', 'RECORD', 'stream', 'Contact',
                    'record', json(json_remove(value, '\$.attributes')))
                FROM json_each(readfile('$tmp/page.json'), '\$.records')" >>"$tmp/stream.jsonl"
            next=$(grep -o '"nextRecordsUrl":"[^"]*"' "$tmp/page.json" | sed 's/^"nextRecordsUrl":"//; s/"$//')
            [ -n "$next" ] || break
            c=$(curl -s -H @"$tmp/private/auth" -o "$tmp/page.json" -w '%{http_code}' "$sf$next")
        done
        got=$(($(wc -l <"$tmp/stream.jsonl") - 1))
        [ "$got" = "$N" ] || die "the stream holds $got records, not $N"
        say "stream: $N records, $(($(wc -c <"$tmp/stream.jsonl") / 1048576)) MB"
    fi
    sync_timed "$engine.big" "$id_big" "$sf" "$sb_pid"
    sync_timed "$engine.free" "$id_free" "$sf" "$sb_pid" "$tmp/connectors"
    sync_timed "$engine.small" "$id_small" "$small_sf" "$small_pid"
    timed "$tmp/r.$engine.load" "$INLET" --db "$loaddb" load --batch-size 2000 <"$tmp/stream.jsonl"
    say "load $engine: $(cat "$tmp/r.$engine.load")"
    if [ "${BENCH_PERF:-0}" = 1 ]; then
        # Another budget-free sync of N, into a new integration, under perf.
        integration perf "$sf"
        INLET_SALESFORCE_BASE_URL=$sf INLET_CONNECTORS_DIR=$tmp/connectors \
            perf record -q -F 999 -g -o "$tmp/perf.$engine" "$INLET" sync "$tenant" "$id_perf" \
            >/dev/null 2>&1 || die "perf record failed"
    fi
done

# --- report -------------------------------------------------------------------------
# r.NAME: "seconds peak_kb user sys [sandbox_ticks]"
fig() { cat "$tmp/r.$1"; }
echo
echo "inlet sync: $N Salesforce Contacts ($(wc -l <"$tmp/fields.Contact") fields) from inlet sandbox;" \
    "peak RSS is the inlet process's (VmHWM)"
printf '%-11s %-22s %11s %8s %9s %13s\n' engine run "records/s" "RSS MB" "CPU s" "sandbox CPU s"
for engine in sqlite postgres; do
    name=SQLite; [ $engine = postgres ] && name=PostgreSQL
    for r in big free load small; do
        case $r in
        big) label="sync"; n=$N ;;
        free) label="sync, no rate budget"; n=$N ;;
        load) label="inlet load (same data)"; n=$N ;;
        small) label="sync, $SMALL records"; n=$SMALL ;;
        esac
        fig "$engine.$r" | awk -v e="$name" -v l="$label" -v n="$n" -v hz="$hz" '{
            printf "%-11s %-22s %11.0f %8.1f %9.1f %13s\n", e, l, n / $1, $2 / 1024, $3 + $4,
                (NF >= 5 ? sprintf("%.1f", $5 / hz) : "") }'
    done
done
echo
echo "the emulator alone, the sync's query on one connection (best of 2): ${best_walk%% *} records/s" \
    "($(echo "$best_walk" | cut -d' ' -f2) pages/s)"
printf '%-11s %12s %12s %12s %10s %10s %s\n' engine "sync/load" "free/load" "sync/walk" "RSS small" "RSS N" \
    "met (sync >= 0.5 load; RSS < 64 MB, within 10 %)"
for engine in sqlite postgres; do
    name=SQLite; [ $engine = postgres ] && name=PostgreSQL
    echo "$(fig $engine.big) $(fig $engine.free) $(fig $engine.load) $(fig $engine.small)" |
        awk -v e="$name" -v n="$N" -v w="${best_walk%% *}" '{
            sync = n / $1; free = n / $6; load = n / $11; rs = $16 / 1024; rb = $2 / 1024
            flat = (rb > rs ? rb / rs : rs / rb) <= 1.10
            printf "%-11s %12.2f %12.2f %12.2f %7.1f MB %7.1f MB %s\n", e, sync / load, free / load,
                sync / w, rs, rb, (sync / load >= 0.5 && rb < 64 && rs < 64 && flat) ? "yes" : "no" }'
done
printf '\nmachine: %s cores, %s; load average before the run %s\n' "$(nproc)" "$(uname -sr)" "$load0"

for engine in sqlite postgres; do
    [ -s "$tmp/perf.$engine" ] || continue
    printf '\nperf: the budget-free sync into %s (user and kernel), self time by library, then by symbol\n' $engine
    perf report -i "$tmp/perf.$engine" --stdio --no-children -g none --sort dso 2>/dev/null |
        awk '/^ *[0-9.]+%/ { printf "%8s  %s\n", $1, $2 }' | head -n 10
    echo
    perf report -i "$tmp/perf.$engine" --stdio --no-children -g none --sort dso,symbol 2>/dev/null |
        awk '/^ *[0-9.]+%/ { printf "%8s  %-24s %s\n", $1, $2, $4 }' | head -n 25
done
