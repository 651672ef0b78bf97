# tests/cli/lib/serve.sh - sourced by the command-line tests that run
# `inlet serve`: free_port, and start [ARG...] (serve in the background on a
# free loopback port: $pid, $base). The test defines $INLET, $tmp and bad().
# Below Linux's ephemeral range (32768-60999), which outgoing connections use.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
    done
}
# start [ARG...]: serve on a free port in the background; $pid, $base. A port free
# when checked can be taken before the bind (the ephemeral range is shared
# with outgoing connections), so a failed bind tries another port.
start() {
    tries=0
    while [ $tries -lt 5 ]; do
        port=$(free_port)
        base="http://127.0.0.1:$port"
        "$INLET" serve --listen "127.0.0.1:$port" "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
        pid=$!
        i=0
        while [ $i -lt 100 ]; do
            curl -fs -o /dev/null "$base/healthz" && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.1; i=$((i + 1))
        done
        kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; pid=""
        grep -q "Address already in use" "$tmp/serve.err" || break
        tries=$((tries + 1))
    done
    bad "serve did not come up: $(tail -c 400 "$tmp/serve.err")"
    return 1
}
