# tests/cli/lib/serve.sh - sourced by the tests that run `inlet serve`
# (tests/cli, tests/e2e, scripts/screenshots): free_port, start [ARG...]
# (serve in the background on a free loopback port: $pid, $base), and
# start_demo (serve --demo, the sandbox on three more free ports: $pid,
# $base, $sbport, $sf the sandbox's first origin, Salesforce's). The caller
# defines $INLET, $tmp and bad().
# Below Linux's ephemeral range (32768-60999), which outgoing connections use.
free_port() {
    while :; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
    done
}
# free_ports3: a port p with p, p+1 and p+2 free (the sandbox's providers).
free_ports3() {
    while :; do
        p=$(free_port)
        ss -Htln "sport = :$((p + 1))" | grep -q . || ss -Htln "sport = :$((p + 2))" | grep -q . ||
            { echo $p; return; }
    done
}
# serve_up MODE [ARG...]: serve (MODE demo: with --demo, the sandbox on
# free ports and the public URL its own address) in the background until
# it answers. A port free when checked can be taken before the bind (the
# ephemeral range is shared with outgoing connections), so a failed bind
# tries other ports.
serve_up() {
    mode=$1; shift
    tries=0
    while [ $tries -lt 5 ]; do
        port=$(free_port)
        base="http://127.0.0.1:$port"
        if [ "$mode" = demo ]; then
            sbport=$(free_ports3); sf="http://127.0.0.1:$sbport"
            INLET_PUBLIC_URL="$base" "$INLET" serve --listen "127.0.0.1:$port" --demo="$sbport" \
                "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
        else
            "$INLET" serve --listen "127.0.0.1:$port" "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
        fi
        pid=$!
        i=0
        while [ $i -lt 100 ]; do
            curl -fs -o /dev/null "$base/healthz" &&
                { [ "$mode" != demo ] || curl -fs -o /dev/null "$sf/_sandbox/counters"; } && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.1; i=$((i + 1))
        done
        kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; pid=""
        grep -q "Address already in use\|cannot bind" "$tmp/serve.err" || break
        tries=$((tries + 1))
    done
    bad "serve${mode:+ --$mode} did not come up: $(tail -c 400 "$tmp/serve.err")"
    return 1
}
# start [ARG...]: serve on a free port in the background; $pid, $base.
start() { serve_up "" "$@"; }
# start_demo: serve --demo; $pid, $base, $sbport, $sf.
start_demo() { serve_up demo; }
