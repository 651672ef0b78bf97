#!/bin/sh
# bench/sandbox/run.sh INLET [WALK] - how fast `inlet sandbox` serves the
# Salesforce queries a sync sends: a sync benchmark must show the emulator is
# not what limits it, so this one reports its throughput to put beside the
# sync's. 100,000 Accounts (BENCH_RECORDS), an access token through the real
# OAuth flow (consent form, code, token endpoint), then:
#   - walks: bench/sandbox/walk.c (WALK; default the sandbox-walk built beside
#     INLET by `make bench`) pages through a query and its nextRecordsUrls on
#     one kept-alive connection, as a sync does: the full query (every field
#     describe lists) and the incremental one (WHERE and ORDER BY on
#     SystemModstamp); pages/s and records/s, best of BENCH_RUNS, and the
#     emulator's CPU time per page; then two full walks at once;
#   - one page under wrk (a nextRecordsUrl page of the full query), beside
#     nginx serving the same bytes from a file: requests/s as a ratio
#     sandbox / nginx, best of BENCH_RUNS, and p99 latency.
# BENCH_PERF=1 adds a perf profile of the emulator over a few full walks.
# The token goes to curl, the walker and wrk in a header file, never on a
# command line. Everything lives in a temporary directory on free loopback
# ports and is stopped and removed however the script ends.
# Used by `make bench`; docs/benchmarks.md explains the figures.
set -eu

RECORDS=${BENCH_RECORDS:-100000}
RUNS=${BENCH_RUNS:-3}                  # best of, for walks and wrk runs
SECONDS_=${BENCH_SECONDS:-10}          # one wrk run
THREADS=${BENCH_THREADS:-2}            # wrk threads
CONNS=${BENCH_CONNECTIONS:-2}          # wrk connections: the sandbox has 2 HTTP threads
VERSION=v60.0

here=$(cd "$(dirname "$0")" && pwd)
inlet=${1:-}
if [ -z "$inlet" ] || [ ! -x "$inlet" ]; then
    echo "usage: bench/sandbox/run.sh PATH/TO/inlet [PATH/TO/sandbox-walk]" >&2
    exit 2
fi
walk=${2:-$(dirname "$inlet")/bench/sandbox-walk}
[ -x "$walk" ] || { echo "bench/sandbox: no walker at $walk (make BUILD=... bench builds it)" >&2; exit 2; }
for tool in wrk nginx curl ss; do
    command -v $tool >/dev/null 2>&1 || { echo "bench/sandbox: $tool not found (run scripts/deps)" >&2; exit 1; }
done
NGINX=$(command -v nginx)
load0=$(cut -d' ' -f1-3 /proc/loadavg) # the machine is shared: say how busy it was

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-sandbox.XXXXXX")
sb_pid=""
nginx_pid=""
stop() { # PID: TERM, up to 5 s, then KILL
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    stop "$sb_pid"
    stop "$nginx_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# nginx's workers run as nobody when started by root: they must reach www/.
chmod 755 "$tmp"
mkdir -p "$tmp/www" "$tmp/nginx" "$tmp/private"
chmod 700 "$tmp/private"
hdr=$tmp/private/auth                  # "Authorization: Bearer TOKEN"

die() {
    echo "bench/sandbox: $*" >&2
    [ -s "$tmp/sandbox.log" ] && tail -n 5 "$tmp/sandbox.log" >&2
    exit 1
}

# A port in the dynamic range that nothing listens on now; the starts below
# retry if it is taken between this check and the bind.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 + 30000))
        ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
    done
}

# wait_up PID URL: until URL answers 200 (0) or PID has exited / 30 s (1).
wait_up() {
    i=0
    while [ $i -lt 300 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        curl -fs -o /dev/null "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# --- the emulator -------------------------------------------------------------
tries=0
while :; do
    port=$(free_port)
    "$inlet" sandbox --providers salesforce --listen "127.0.0.1:$port" --records "$RECORDS" \
        >>"$tmp/sandbox.log" 2>&1 &
    sb_pid=$!
    wait_up $sb_pid "http://127.0.0.1:$port/services/data" && break
    stop $sb_pid
    sb_pid=""
    tries=$((tries + 1))
    [ $tries -lt 5 ] || die "inlet sandbox did not come up"
done
o=http://127.0.0.1:$port

# --- a token, the way a connector gets one ------------------------------------
# The consent form answers 302 to redirect_uri?code=...; the code goes to the
# token endpoint in a form body read from a file, and the access token into
# the header file. Neither is printed.
cb=http://localhost/cb
got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode response_type=code --data-urlencode client_id=sandbox-salesforce-client \
    --data-urlencode "redirect_uri=$cb" --data-urlencode username=user@sandbox.inlet.test \
    --data-urlencode password=sandbox --data-urlencode action=allow "$o/services/oauth2/authorize")
case "$got" in
"302 $cb?"*code=*) ;;
*) die "authorize: expected a 302 to $cb with a code, got HTTP ${got%% *}" ;;
esac
code=${got#*code=}
code=${code%%&*}
printf 'grant_type=authorization_code&code=%s&client_id=sandbox-salesforce-client&client_secret=sandbox-salesforce-secret&redirect_uri=%s' \
    "$code" "$cb" >"$tmp/private/form"
st=$(curl -s -o "$tmp/private/token.json" -w '%{http_code}' -d @"$tmp/private/form" "$o/services/oauth2/token")
[ "$st" = 200 ] || die "token: HTTP $st"
sed -n 's/.*"access_token":"\([^"]*\)".*/Authorization: Bearer \1/p' "$tmp/private/token.json" >"$hdr"
rm -f "$tmp/private/token.json" "$tmp/private/form"
[ -s "$hdr" ] || die "token: no access_token in the answer"

# --- the queries ----------------------------------------------------------------
# Every field describe lists, as a sync's full query asks for them.
st=$(curl -s -H @"$hdr" -o "$tmp/describe" -w '%{http_code}' "$o/services/data/$VERSION/sobjects/Account/describe")
[ "$st" = 200 ] || die "describe Account: HTTP $st"
fields=$(sed 's/.*"fields":\[//' "$tmp/describe" | grep -o '{"name":"[^"]*"' | sed 's/^{"name":"//; s/"$//' |
    paste -sd, - | sed 's/,/, /g')
nfields=$(echo "$fields" | awk -F, '{ print NF }')
[ "$nfields" -gt 3 ] || die "describe Account lists $nfields fields"
full="SELECT $fields FROM Account"
incr="SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp ASC"

# CPU ticks (user + system) of a process and its children (nginx workers).
cpu_ticks() {
    for p in $1 $(ps -o pid= --ppid "$1" 2>/dev/null); do
        sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true
    done | awk '{ t += $12 + $13 } END { print t + 0 }'
}
hz=$(getconf CLK_TCK)
results=$tmp/results

# walk_once NAME SOQL: one walk; appends "walk NAME key=value ... cpu_ticks=N".
walk_once() {
    c0=$(cpu_ticks "$sb_pid")
    "$walk" "$o" "$hdr" "$2" >"$tmp/walk.out" 2>&1 || { cat "$tmp/walk.out" >&2; die "walk $1 failed"; }
    c1=$(cpu_ticks "$sb_pid")
    line=$(grep '^WALK ' "$tmp/walk.out") || { cat "$tmp/walk.out" >&2; die "no WALK line"; }
    echo "walk $1 ${line#WALK } cpu_ticks=$((c1 - c0))" >>"$results"
}

# walk_pair SOQL: two walks at once; appends "pair full pages=N seconds=S".
walk_pair() {
    t0=$(date +%s.%N)
    "$walk" "$o" "$hdr" "$1" >"$tmp/pair.a" 2>&1 &
    a=$!
    "$walk" "$o" "$hdr" "$1" >"$tmp/pair.b" 2>&1 &
    b=$!
    wait $a || { cat "$tmp/pair.a" >&2; die "paired walk failed"; }
    wait $b || { cat "$tmp/pair.b" >&2; die "paired walk failed"; }
    t1=$(date +%s.%N)
    cat "$tmp/pair.a" "$tmp/pair.b" | awk -v t="$t0 $t1" '
        /^WALK / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "pages") n += kv[2] } }
        END { split(t, s, " "); printf "pair full pages=%d seconds=%.4f\n", n, s[2] - s[1] }' >>"$results"
}

echo "bench/sandbox: $RECORDS Accounts; walks: one connection each, best of $RUNS;" \
    "wrk: $THREADS threads, $CONNS connections, ${SECONDS_} s, best of $RUNS" >&2
walk_once warm "$incr" # the first query of a fresh emulator pays for its page faults
: >"$results"
r=1
while [ $r -le "$RUNS" ]; do
    walk_once full "$full"
    walk_once incr "$incr"
    walk_pair "$full"
    r=$((r + 1))
done
echo "bench/sandbox: walks done" >&2

# --- one page under wrk, beside nginx -------------------------------------------
# The second page of the full query: what a sync fetches 49 times out of 50.
# Served twice alike, it is what nginx serves from a file at the same path.
st=$(curl -s -G -H @"$hdr" --data-urlencode "q=$full" -o "$tmp/first" -w '%{http_code}' \
    "$o/services/data/$VERSION/query")
[ "$st" = 200 ] || die "query: HTTP $st"
page=$(grep -o '"nextRecordsUrl":"[^"]*"' "$tmp/first" | sed 's/^"nextRecordsUrl":"//; s/"$//')
case "$page" in /services/data/*) ;; *) die "the first page has no nextRecordsUrl" ;; esac
mkdir -p "$tmp/www$(dirname "$page")"
curl -fs -H @"$hdr" -o "$tmp/www$page" "$o$page" || die "GET $page failed"
curl -fs -H @"$hdr" -o "$tmp/again" "$o$page" || die "GET $page failed"
cmp -s "$tmp/again" "$tmp/www$page" || die "two GETs of $page differ"
find "$tmp/www" -type d -exec chmod 755 {} +
chmod 644 "$tmp/www$page"
page_bytes=$(wc -c <"$tmp/www$page")

ng=$tmp/nginx
tries=0
while :; do
    nginx_port=$(free_port)
    cat >"$ng/nginx.conf" <<EOF
worker_processes $(nproc);
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $ng/body;
    proxy_temp_path $ng/proxy;
    fastcgi_temp_path $ng/fastcgi;
    uwsgi_temp_path $ng/uwsgi;
    scgi_temp_path $ng/scgi;
    default_type application/json;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/www;
    }
}
EOF
    "$NGINX" -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" -g 'daemon off;' 2>>"$ng/stderr.log" &
    nginx_pid=$!
    wait_up $nginx_pid "http://127.0.0.1:$nginx_port$page" && break
    stop $nginx_pid
    nginx_pid=""
    tries=$((tries + 1))
    [ $tries -lt 5 ] || { cat "$ng/error.log" "$ng/stderr.log" >&2 2>/dev/null || true; die "nginx did not come up"; }
done
nginx_url=http://127.0.0.1:$nginx_port

# wrk_once NAME PID URL: one flat-out run; appends "wrk NAME key=value ...".
wrk_once() {
    c0=$(cpu_ticks "$2")
    BENCH_HEADER_FILE=$hdr wrk -t "$THREADS" -c "$CONNS" -d "${SECONDS_}s" --timeout 10s \
        -s "$here/wrk.lua" "$3" >"$tmp/wrk.out" 2>&1 || { cat "$tmp/wrk.out" >&2; die "wrk failed"; }
    c1=$(cpu_ticks "$2")
    line=$(grep '^BENCH ' "$tmp/wrk.out") || { cat "$tmp/wrk.out" >&2; die "no BENCH line from wrk"; }
    echo "wrk $1 ${line#BENCH } cpu_ticks=$((c1 - c0))" >>"$results"
}
r=1
while [ $r -le "$RUNS" ]; do
    wrk_once sandbox "$sb_pid" "$o$page"
    wrk_once nginx "$nginx_pid" "$nginx_url$page"
    echo "bench/sandbox: wrk run $r of $RUNS done" >&2
    r=$((r + 1))
done
rss_peak=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$sb_pid/status")
threads_sb=$(awk '/^Threads:/ { print $2 }' "/proc/$sb_pid/status")

# --- report -------------------------------------------------------------------
awk -v hz="$hz" -v runs="$RUNS" -v nf="$nfields" -v pb="$page_bytes" -v conns="$CONNS" \
    -v threads="$THREADS" -v secs="$SECONDS_" '
function kv(s,    i, a, m, p) { delete F; m = split(s, a, " "); for (i = 3; i <= m; i++) { split(a[i], p, "="); F[p[1]] = p[2] } }
{ kv($0) }
$1 == "walk" {
    n = $2; pps = F["pages"] / F["seconds"]
    if (pps > best[n]) { best[n] = pps; rps[n] = F["records"] / F["seconds"]; pages[n] = F["pages"]
                         recs[n] = F["records"]; mb[n] = F["bytes"] / 1e6; first[n] = F["first_ms"]
                         p50[n] = F["next_p50_ms"]; cpu[n] = F["cpu_ticks"] / hz * 1e3 / F["pages"] }
}
$1 == "pair" { v = F["pages"] / F["seconds"]; if (v > pair) pair = v }
$1 == "wrk" {
    n = $2; v = F["requests"] / (F["duration_us"] / 1e6)
    bad += F["errors"] + F["non2xx"]
    if (v > wbest[n]) { wbest[n] = v; wp99[n] = F["p99_us"]; wp50[n] = F["p50_us"]
                        wcpu[n] = F["cpu_ticks"] / hz * 1e6 / F["requests"] }
}
function row(label, n, f) {
    printf "%-24s %6d %6d %8d %7.1f %8.0f %10.0f %8.1f ms %7.1f ms %8.1f\n", label, f, pages[n], recs[n],
        mb[n], best[n], rps[n], first[n], p50[n], cpu[n]
}
END {
    printf "\nWalks: one kept-alive connection, every page in turn (best of %d)\n", runs
    printf "%-24s %6s %6s %8s %7s %8s %10s %11s %10s %8s\n", "query", "fields", "pages", "records", "MB",
        "pages/s", "records/s", "first page", "next p50", "CPU ms"
    printf "%-24s %6s %6s %8s %7s %8s %10s %11s %10s %8s\n", "", "", "", "", "", "", "", "", "", "/page"
    row("full (every field)", "full", nf)
    row("incremental", "incr", 3)
    printf "two full walks at once: %.0f pages/s together (%.2f x one walk)\n", pair, pair / best["full"]
    printf "\nOne nextRecordsUrl page of the full query (%d bytes) under wrk, %d threads, %d connections, %d s (best of %d)\n",
        pb, threads, conns, secs, runs
    printf "%-9s %9s %7s %9s %9s %15s\n", "server", "req/s", "ratio", "p50", "p99", "CPU us/request"
    printf "%-9s %9.0f %7.3f %6.2f ms %6.2f ms %15.0f\n", "sandbox", wbest["sandbox"], wbest["sandbox"] / wbest["nginx"],
        wp50["sandbox"] / 1e3, wp99["sandbox"] / 1e3, wcpu["sandbox"]
    printf "%-9s %9.0f %7s %6.2f ms %6.2f ms %15.0f\n", "nginx", wbest["nginx"], "",
        wp50["nginx"] / 1e3, wp99["nginx"] / 1e3, wcpu["nginx"]
    if (bad > 0) printf "WARNING: %d socket errors or non-2xx answers under wrk\n", bad
}' "$results"
printf '\nsandbox: %d threads, peak RSS %s MB (VmHWM)\n' "$threads_sb" "$rss_peak"
printf 'machine: %s cores, %s; load average before the run %s; %s; %s\n' "$(nproc)" "$(uname -sr)" \
    "$load0" "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" "$("$NGINX" -v 2>&1 | sed 's/.*: //')"

# BENCH_PERF=1: the emulator's time by symbol over a few full walks.
if [ "${BENCH_PERF:-0}" = 1 ]; then
    if command -v perf >/dev/null 2>&1; then
        perf record -q -F 999 -g -p "$sb_pid" -o "$tmp/perf.data" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5
        for _ in 1 2 3 4 5; do "$walk" "$o" "$hdr" "$full" >/dev/null; done
        kill -INT $perf_pid 2>/dev/null || true
        wait $perf_pid 2>/dev/null || true
        printf '\nperf: the emulator over 5 full walks, self time by symbol\n'
        perf report -i "$tmp/perf.data" --stdio --no-children -g none --sort dso,symbol 2>/dev/null |
            awk '/^ *[0-9.]+%/ { printf "%8s  %-24s %s\n", $1, $2, $4 }' | head -n 30
    else
        echo "bench/sandbox: BENCH_PERF=1 but perf is not installed (linux-perf)" >&2
    fi
fi
if grep -q 'non2xx=[1-9]\|errors=[1-9]' "$results"; then
    echo "bench/sandbox: some wrk answers failed; the figures above are not valid" >&2
    exit 1
fi
