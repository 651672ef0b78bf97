#!/bin/sh
# bench/sandbox/run.sh INLET WALK - how fast the Salesforce emulator serves
# a sync's queries, so that a sync benchmark can show it is not what limits
# the sync: `inlet sandbox` with 100,000 records per object (BENCH_RECORDS),
# a token through the real OAuth flow (curl), then bench/sandbox/walk.c
# walking every page of a full Account query (all fields) and of the
# incremental query a sync sends (few fields, WHERE and ORDER BY on
# SystemModstamp), one connection each as a sync does, best of BENCH_RUNS;
# then the same walks two at a time (the machine's two cores). Prints
# pages/s and records/s. Used by `make bench`; docs/benchmarks.md.
set -eu

RECORDS=${BENCH_RECORDS:-100000}
RUNS=${BENCH_RUNS:-3}
inlet=${1:-}; walk=${2:-}
[ -x "$inlet" ] && [ -x "$walk" ] || { echo "usage: bench/sandbox/run.sh INLET WALK" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-sandbox.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 + 30000))
        ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
    done
}
port=$(free_port)
o="http://127.0.0.1:$port"
"$inlet" sandbox --providers salesforce --listen "127.0.0.1:$port" --records "$RECORDS" \
    >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
pid=$!
i=0
until curl -fs -o /dev/null "$o/_sandbox/counters"; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "bench/sandbox: the sandbox did not start" >&2; exit 1; }
    sleep 0.1
done

# A token through the consent form and the token endpoint; kept in a file.
loc=$(curl -s -o /dev/null -w '%{redirect_url}' -d "response_type=code&client_id=sandbox-salesforce-client&redirect_uri=http://localhost/cb&username=user%40sandbox.inlet.test&password=sandbox&action=allow" "$o/services/oauth2/authorize")
code=${loc#*code=}; code=${code%%&*}
curl -s -d "grant_type=authorization_code&code=$code&client_id=sandbox-salesforce-client&client_secret=sandbox-salesforce-secret&redirect_uri=http://localhost/cb" \
    "$o/services/oauth2/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' >"$tmp/token"
[ -s "$tmp/token" ] || { echo "bench/sandbox: no token" >&2; exit 1; }

full="SELECT Id, Name, Type, Industry, Website, Phone, NumberOfEmployees, OwnerId, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp FROM Account"
incr="SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp ASC"

# best NAME SOQL: the best of RUNS single walks, as "pages/s records/s".
best() {
    b=""
    r=0
    while [ $r -lt "$RUNS" ]; do
        line=$("$walk" "$o" "$tmp/token" "$2") || { echo "bench/sandbox: walk failed" >&2; exit 1; }
        v=$(echo "$line" | awk '{print $10}')
        if [ -z "$b" ] || awk "BEGIN{exit !($v > ${b%% *})}"; then
            b="$v $(echo "$line" | awk '{print $12, $2, $4, $6}')"
        fi
        r=$((r + 1))
    done
    echo "$b"
}
# pair SOQL: two walks at once; the pages/s of both together.
pair() {
    "$walk" "$o" "$tmp/token" "$1" >"$tmp/a" & a=$!
    "$walk" "$o" "$tmp/token" "$1" >"$tmp/b" & b=$!
    wait $a; wait $b
    awk '{p += $2; s = ($8 > s ? $8 : s)} END {printf "%.1f", p / s}' "$tmp/a" "$tmp/b"
}

f=$(best full "$full"); n=$(best incr "$incr")
fp=$(pair "$full"); np=$(pair "$incr")
rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)
echo
echo "Salesforce emulator, $RECORDS Accounts, pages of 2,000 (best of $RUNS walks)"
printf '%-34s %10s %12s %8s %12s %14s\n' query pages/s records/s pages bytes "2 walks pages/s"
printf '%-34s %10s %12s %8s %12s %14s\n' "full (all 12 fields)" $(echo "$f" | awk '{print $1, $2, $3, $5}') "$fp"
printf '%-34s %10s %12s %8s %12s %14s\n' "incremental (3 fields, ordered)" $(echo "$n" | awk '{print $1, $2, $3, $5}') "$np"
echo "sandbox peak RSS ${rss} MB; machine: $(nproc) cores"
