-- bench/sandbox/wrk.lua - wrk script for bench/sandbox/run.sh.
-- `BENCH_HEADER_FILE=FILE wrk ... -s wrk.lua URL`: every request carries the
-- "Name: value" line of FILE (the bearer token, kept off wrk's command line,
-- where ps would show it), to the sandbox and to nginx alike. done() prints
-- one "BENCH key=value ..." line that run.sh parses.

local path = os.getenv("BENCH_HEADER_FILE")
if path then
    local f = assert(io.open(path, "r"))
    local line = f:read("*l")
    f:close()
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    assert(name, "BENCH_HEADER_FILE: no header line")
    wrk.headers[name] = value
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d bytes=%d errors=%d non2xx=%d " ..
        "p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
        summary.requests, summary.duration, summary.bytes,
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency.max))
end
