#!/bin/sh
# bench/load/run.sh INLET GEN REF - `inlet load` beside the hand-written
# reference (bench/load/ref.c), in the same run: N records (BENCH_RECORDS,
# default 1,000,000) from bench/load/gen.c into SQLite and into PostgreSQL
# (INLET_TEST_PG: run under scripts/with-pg), best of BENCH_RUNS (2),
# fresh tables each time. Prints records/s, peak RSS and the ratio
# inlet / reference; the issue's target is at least 0.80 with under 32 MB.
# Used by `make bench`; docs/internals/sync.md has the figures.
set -eu
N=${BENCH_RECORDS:-1000000}
RUNS=${BENCH_RUNS:-2}
inlet=${1:-}; gen=${2:-}; ref=${3:-}
[ -x "$inlet" ] && [ -x "$gen" ] && [ -x "$ref" ] || {
    echo "usage: bench/load/run.sh INLET GEN REF" >&2
    exit 2
}
: "${INLET_TEST_PG:?run under scripts/with-pg}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-load.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$gen" "$N" >"$tmp/stream.jsonl"
pgdb=$(printf '%s' "$INLET_TEST_PG" | sed "s|/inlet?|/bench_load_$$?|")
psql -X -q "$INLET_TEST_PG" -c "CREATE DATABASE bench_load_$$" >/dev/null

# timed CMD...: "seconds peak_kb" of one run, stdin the stream.
timed() {
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" <"$tmp/stream.jsonl" >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
    cat "$tmp/time"
}
fresh_sqlite() { rm -f "$tmp/d.db" "$tmp/d.db-wal" "$tmp/d.db-shm"; }
fresh_pg() { psql -X -q "$pgdb" -c "DROP TABLE IF EXISTS contacts; DROP TABLE IF EXISTS _inlet_columns; DROP TABLE IF EXISTS _inlet_tables" 2>/dev/null >/dev/null || true; }
# best LABEL: the fastest of RUNS, "seconds peak_kb".
best() {
    b=""
    r=0
    while [ $r -lt "$RUNS" ]; do
        "fresh_$1"
        case "$2" in
        inlet) t=$(timed "$inlet" --db "$3" load) ;;
        ref) t=$(timed "$ref" "$3") ;;
        esac
        if [ -z "$b" ] || awk "BEGIN{exit !(${t%% *} < ${b%% *})}"; then b=$t; fi
        r=$((r + 1))
    done
    echo "$b"
}
si=$(best sqlite inlet "sqlite:$tmp/d.db"); sr=$(best sqlite ref "sqlite:$tmp/d.db")
pi=$(best pg inlet "$pgdb"); pr=$(best pg ref "$pgdb")
psql -X -q "$INLET_TEST_PG" -c "DROP DATABASE bench_load_$$" >/dev/null
line() { # engine inlet ref
    echo "$2 $3" | awk -v e="$1" -v n="$N" '{
        printf "%-11s %12.0f %9.1f %12.0f %9.1f %7.2f  %s\n", e, n / $1, $2 / 1024, n / $3, $4 / 1024,
            $3 / $1, ($3 / $1 >= 0.80 && $2 / 1024 < 32) ? "yes" : "no" }'
}
echo
echo "inlet load: $N records of bench/load/gen.c (15-field contacts, 5% updates), best of $RUNS"
printf '%-11s %12s %9s %12s %9s %7s  %s\n' engine "inlet rec/s" "RSS MB" "ref rec/s" "RSS MB" ratio "met (>=0.80, <32 MB)"
line SQLite "$si" "$sr"
line PostgreSQL "$pi" "$pr"
