# tests/e2e/serve.sh - sourced by tests/e2e/run.sh and scripts/screenshots:
# start (inlet serve --demo on free loopback ports, in the background:
# $pid, $base, $sbport). The caller defines $INLET, $tmp and bad().
# Below Linux's ephemeral range (32768-60999), which outgoing connections
# use; the sandbox takes three ports from its base.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        ss -Htln "sport = :$p" | grep -q . || ss -Htln "sport = :$((p + 1))" | grep -q . ||
            ss -Htln "sport = :$((p + 2))" | grep -q . || { echo $p; return; }
    done
}
start() {
    tries=0
    while [ $tries -lt 5 ]; do
        port=$(free_port); sbport=$(free_port)
        base="http://127.0.0.1:$port"
        INLET_PUBLIC_URL="$base" "$INLET" serve --listen "127.0.0.1:$port" --demo="$sbport" \
            >"$tmp/serve.out" 2>"$tmp/serve.err" &
        pid=$!
        i=0
        while [ $i -lt 100 ]; do
            curl -fs -o /dev/null "$base/healthz" && curl -fs -o /dev/null \
                "http://127.0.0.1:$sbport/_sandbox/counters" && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.1; i=$((i + 1))
        done
        kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; pid=""
        grep -q "Address already in use\|cannot bind" "$tmp/serve.err" || break
        tries=$((tries + 1))
    done
    bad "serve --demo did not come up: $(tail -c 400 "$tmp/serve.err")"
    return 1
}

