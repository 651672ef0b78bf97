#!/bin/sh
# bench/api/run.sh INLET - the HTTP API under wrk, beside nginx serving the
# same bytes as static files in the same run. Measures GET /api/integrations
# (50 integrations) and GET /healthz: requests/s flat out (best of
# BENCH_RUNS) and p99 latency at a paced BENCH_RATE requests/s (median of
# BENCH_RUNS), each as a ratio to nginx; CPU time per request of each server
# and inlet's peak RSS; BENCH_PERF=1 adds a perf profile of inlet. Runs
# interleave inlet and nginx so that drift in the machine hits both.
# Everything lives in a temporary directory on free loopback ports and is
# stopped and removed however the script ends.
# Used by `make bench`; docs/benchmarks.md explains the figures.
set -eu

SECONDS_=${BENCH_SECONDS:-10}          # one wrk run
RUNS=${BENCH_RUNS:-3}                  # runs per target and mode
THREADS=${BENCH_THREADS:-2}            # wrk threads
CONNS=${BENCH_CONNECTIONS:-32}         # wrk connections, flat-out runs
RATE=${BENCH_RATE:-1000}               # requests/s of the paced runs
RATE_CONNS=${BENCH_RATE_CONNECTIONS:-10}
COUNT=${BENCH_INTEGRATIONS:-50}
P99_TARGET_US=10000                    # the issue's targets
RPS_TARGET=0.50

here=$(cd "$(dirname "$0")" && pwd)
inlet=${1:-}
[ -n "$inlet" ] && [ -x "$inlet" ] || { echo "usage: bench/api/run.sh PATH/TO/inlet" >&2; exit 2; }
case "$inlet" in /*) ;; *) inlet=$(pwd)/$inlet ;; esac
for tool in wrk nginx curl ss; do
    command -v $tool >/dev/null 2>&1 || { echo "bench/api: $tool not found (run scripts/deps)" >&2; exit 1; }
done
NGINX=$(command -v nginx)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench-api.XXXXXX")
inlet_pid=""
nginx_pid=""
stop() { # PID: TERM, up to 5 s, then KILL
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    stop "$inlet_pid"
    stop "$nginx_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# nginx's workers run as nobody when started by root: they must reach www/.
chmod 755 "$tmp"
mkdir -p "$tmp/data" "$tmp/www/api" "$tmp/nginx"

die() {
    echo "bench/api: $*" >&2
    [ -s "$tmp/inlet.log" ] && tail -n 5 "$tmp/inlet.log" >&2
    exit 1
}

# A port in the dynamic range that nothing listens on now; start() retries
# if it is taken between this check and the bind.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 + 30000))
        ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
    done
}

# wait_up PID URL: until URL answers 200 (0) or PID has exited / 10 s (1).
wait_up() {
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        curl -fs -o /dev/null "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# --- inlet: a tenant, its key, then the server ------------------------------
# SQLite under the temporary data dir unless BENCH_DB names another database.
export INLET_DATA_DIR="$tmp/data" INLET_RATE_LIMIT=off INLET_LOG_LEVEL=warn
export INLET_HTTP_THREADS=${INLET_HTTP_THREADS:-0}
if [ -n "${BENCH_DB:-}" ]; then export INLET_DB="$BENCH_DB"; else unset INLET_DB; fi
"$inlet" tenant create bench >"$tmp/tenant" 2>>"$tmp/inlet.log" || die "inlet tenant create failed"
key=$(awk '$1 == "api_key" { print $2 }' "$tmp/tenant")
[ -n "$key" ] || die "no api_key in the output of inlet tenant create"

tries=0
while :; do
    inlet_port=$(free_port)
    INLET_LISTEN=127.0.0.1:$inlet_port "$inlet" serve >>"$tmp/inlet.log" 2>&1 &
    inlet_pid=$!
    wait_up $inlet_pid "http://127.0.0.1:$inlet_port/healthz" && break
    stop $inlet_pid
    inlet_pid=""
    tries=$((tries + 1))
    [ $tries -lt 5 ] || die "inlet serve did not come up"
done
inlet_url=http://127.0.0.1:$inlet_port
auth="Authorization: Bearer $key"

i=1
while [ $i -le "$COUNT" ]; do
    code=$(curl -s -o "$tmp/post" -w '%{http_code}' -X POST -H "$auth" \
        -H 'Content-Type: application/json' \
        --data "{\"connector\":\"salesforce\",\"name\":\"bench $i\"}" "$inlet_url/api/integrations")
    [ "$code" = 201 ] || die "POST /api/integrations: HTTP $code: $(head -c 300 "$tmp/post")"
    i=$((i + 1))
done

# nginx serves exactly the bytes inlet answers, at the same paths, so both
# get the same request lines.
list_path="/api/integrations?limit=$COUNT"
curl -fs -H "$auth" -o "$tmp/www/api/integrations" "$inlet_url$list_path" || die "GET $list_path failed"
curl -fs -o "$tmp/www/healthz" "$inlet_url/healthz" || die "GET /healthz failed"
chmod 644 "$tmp/www/api/integrations" "$tmp/www/healthz"
chmod 755 "$tmp/www" "$tmp/www/api"
n=$(grep -o '"bench [0-9]*"' "$tmp/www/api/integrations" | wc -l)
[ "$n" -ge "$COUNT" ] || die "GET $list_path lists $n integrations, expected $COUNT"
list_bytes=$(wc -c <"$tmp/www/api/integrations")
health_bytes=$(wc -c <"$tmp/www/healthz")

# --- nginx: own prefix, config, pid and logs; workers = cores ---------------
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
    "$NGINX" -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" -g 'daemon off;' 2>>"$ng/error.log" &
    nginx_pid=$!
    wait_up $nginx_pid "http://127.0.0.1:$nginx_port/healthz" && break
    stop $nginx_pid
    nginx_pid=""
    tries=$((tries + 1))
    [ $tries -lt 5 ] || { cat "$ng/error.log" >&2; die "nginx did not come up"; }
done
nginx_url=http://127.0.0.1:$nginx_port
curl -fs -o "$tmp/check" "$nginx_url$list_path" && cmp -s "$tmp/check" "$tmp/www/api/integrations" ||
    die "nginx does not serve the bytes of $list_path"

# --- measurements -----------------------------------------------------------
# CPU ticks (user + system) of a process and its children (nginx workers).
cpu_ticks() {
    for p in $1 $(ps -o pid= --ppid "$1" 2>/dev/null); do
        sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true
    done | awk '{ t += $12 + $13 } END { print t + 0 }'
}
hz=$(getconf CLK_TCK)
results=$tmp/results

# measure MODE NAME SERVER_PID URL: one wrk run; appends
# "MODE NAME requests= ... cpu_ticks=N" to $results.
measure() {
    mode=$1 name=$2 pid=$3
    if [ "$mode" = max ]; then
        set -- -c "$CONNS" "$4"
    else
        set -- -c "$RATE_CONNS" "$4" -- "$RATE" "$THREADS"
    fi
    c0=$(cpu_ticks "$pid")
    wrk -t "$THREADS" -d "${SECONDS_}s" --timeout 5s -H "$auth" -s "$here/wrk.lua" "$@" >"$tmp/wrk.out" 2>&1 ||
        { cat "$tmp/wrk.out" >&2; die "wrk failed"; }
    c1=$(cpu_ticks "$pid")
    line=$(grep '^BENCH ' "$tmp/wrk.out") || { cat "$tmp/wrk.out" >&2; die "no BENCH line from wrk"; }
    echo "$mode $name ${line#BENCH } cpu_ticks=$((c1 - c0))" >>"$results"
}

echo "bench/api: wrk $THREADS threads; flat out: $CONNS connections, ${SECONDS_} s, best of $RUNS;" \
    "paced: $RATE req/s on $RATE_CONNS connections, median of $RUNS" >&2
rss_idle=$(awk '/^VmRSS/ { print $2 }' "/proc/$inlet_pid/status")
r=1
while [ $r -le "$RUNS" ]; do
    for mode in max paced; do
        measure $mode inlet-list $inlet_pid "$inlet_url$list_path"
        measure $mode nginx-list $nginx_pid "$nginx_url$list_path"
        measure $mode inlet-health $inlet_pid "$inlet_url/healthz"
        measure $mode nginx-health $nginx_pid "$nginx_url/healthz"
    done
    echo "bench/api: run $r of $RUNS done" >&2
    r=$((r + 1))
done
rss_peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$inlet_pid/status")
threads_inlet=$(ls "/proc/$inlet_pid/task" | wc -l)

# --- report -----------------------------------------------------------------
awk -v hz="$hz" -v p99t="$P99_TARGET_US" -v rpst="$RPS_TARGET" -v rate="$RATE" \
    -v lb="$list_bytes" -v hb="$health_bytes" -v n="$COUNT" '
function kv(s,    i, a, m) { delete F; m = split(s, a, " "); for (i = 1; i <= m; i++) { split(a[i], kvp, "="); F[kvp[1]] = kvp[2] } }
{
    mode = $1; name = $2; kv($0)
    rps = F["requests"] / (F["duration_us"] / 1e6)
    err[name] += F["errors"]; non2xx[name] += F["non2xx"]
    if (mode == "max") {
        if (rps > best[name]) { best[name] = rps; bestp99[name] = F["p99_us"];
                                cpu[name] = F["cpu_ticks"] / hz * 1e6 / F["requests"] }
    } else {
        k = ++np[name]; p99s[name, k] = F["p99_us"]; prate[name] += rps; p50s[name, k] = F["p50_us"]
    }
}
function median(name, arr,    i, j, t, v, c) {
    c = np[name]; for (i = 1; i <= c; i++) v[i] = arr[name, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((c + 1) / 2)]
}
function ms(us) { return sprintf("%.2f ms", us / 1000) }
function row(label, what, bytes,    i, nn, ratio, lat) {
    i = "inlet-" what; nn = "nginx-" what
    ratio = best[i] / best[nn]
    printf "%-22s %6d  %11.0f  %11.0f  %5.2f  %-4s  %9s  %9s  %7.1f  %7.1f\n", label, bytes,
        best[i], best[nn], ratio, (ratio >= rpst ? "yes" : "NO"), ms(bestp99[i]), ms(bestp99[nn]), cpu[i], cpu[nn]
}
# The p99 target counts only if inlet kept up with the rate (within 5%).
function prow(label, what,    i, nn, a, b, r) {
    i = "inlet-" what; nn = "nginx-" what
    a = median(i, p99s); b = median(nn, p99s); r = prate[i] / np[i]
    printf "%-22s %7.0f  %9s  %9s  %9s  %5.2f  %-4s\n", label, r,
        ms(median(i, p50s)), ms(a), ms(b), (b > 0 ? a / b : 0), (a < p99t && r >= 0.95 * rate ? "yes" : "NO")
}
END {
    printf "\nThroughput, flat out (best run); ratio = inlet / nginx, target >= %.2f\n", rpst
    printf "%-22s %6s  %11s  %11s  %5s  %-4s  %9s  %9s  %7s  %7s\n", "endpoint", "bytes",
        "inlet req/s", "nginx req/s", "ratio", "met", "inlet p99", "nginx p99", "inlet", "nginx"
    printf "%-22s %6s  %11s  %11s  %5s  %-4s  %9s  %9s  %16s\n", "", "", "", "", "", "", "", "", "CPU us/request"
    row("GET /api/integrations", "list", lb)
    row("GET /healthz", "health", hb)
    printf "\nLatency at %d req/s (median of runs); ratio = inlet p99 / nginx p99, target p99 < %s\n", rate, ms(p99t)
    printf "%-22s %7s  %9s  %9s  %9s  %5s  %-4s\n", "endpoint", "req/s", "inlet p50", "inlet p99", "nginx p99", "ratio", "met"
    prow("GET /api/integrations", "list")
    prow("GET /healthz", "health")
    for (k in err) if (err[k] + non2xx[k] > 0)
        printf "WARNING: %s: %d socket errors, %d non-2xx answers\n", k, err[k], non2xx[k]
}' "$results"
printf '\ninlet: %d integrations, list body %d bytes; %d threads; RSS %.1f MB idle after setup, peak %.1f MB (VmHWM)\n' \
    "$COUNT" "$list_bytes" "$threads_inlet" "$(echo "$rss_idle" | awk '{ print $1 / 1024 }')" \
    "$(echo "$rss_peak" | awk '{ print $1 / 1024 }')"
printf 'machine: %s cores, %s; %s; %s\n' "$(nproc)" "$(uname -sr)" "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
    "$("$NGINX" -v 2>&1 | sed 's/.*: //')"

# BENCH_PERF=1: one more flat-out list run with perf sampling inlet, and
# where its time goes (flat profile, self time), for whoever tunes the server.
if [ "${BENCH_PERF:-0}" = 1 ]; then
    if command -v perf >/dev/null 2>&1; then
        perf record -q -F 499 -g -p "$inlet_pid" -o "$tmp/perf.data" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5
        wrk -t "$THREADS" -c "$CONNS" -d "${SECONDS_}s" -H "$auth" "$inlet_url$list_path" >/dev/null 2>&1 || true
        kill -INT $perf_pid 2>/dev/null || true
        wait $perf_pid 2>/dev/null || true
        printf '\nperf: inlet, GET %s flat out, self time by symbol\n' "$list_path"
        perf report -i "$tmp/perf.data" --stdio --no-children -g none --sort dso,symbol 2>/dev/null |
            awk '/^ *[0-9.]+%/ { printf "%8s  %-24s %s\n", $1, $2, $4 }' | head -n 30
    else
        echo "bench/api: BENCH_PERF=1 but perf is not installed (linux-perf)" >&2
    fi
fi
if awk '$0 ~ /non2xx=[1-9]/ { bad = 1 } END { exit !bad }' "$results"; then
    echo "bench/api: some answers were not 2xx; the figures above are not valid" >&2
    exit 1
fi
