-- bench/api/wrk.lua - wrk script for bench/api/run.sh.
-- `wrk ... -s wrk.lua URL -- [RATE THREADS]`. Without RATE wrk runs flat out
-- (closed loop). With RATE each thread sends on a fixed schedule of
-- RATE/THREADS requests/s, taking the next slot whenever one of its
-- connections is free: the aggregate is RATE as long as the connections keep
-- up, and latency is still measured from each request's send. done() prints
-- one "BENCH key=value ..." line that run.sh parses.

local ffi = require("ffi")
ffi.cdef [[
struct bench_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clk, struct bench_timespec *ts);
]]
local ts = ffi.new("struct bench_timespec")

local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function init(args)
    local rate, threads = tonumber(args[1]), tonumber(args[2])
    if not rate then
        return
    end
    local interval = 1000 * threads / rate -- ms between this thread's sends
    local slot = nil
    -- Defined only when pacing: wrk looks for delay() after init(), and a
    -- zero delay still costs a timer per request in the flat-out runs.
    function delay()
        local t = now_ms()
        if slot == nil or slot < t - 1000 then
            slot = t -- first request, or the schedule fell a second behind
        end
        slot = slot + interval
        local wait = slot - t
        if wait < 0 then
            return 0
        end
        return math.floor(wait + 0.5)
    end
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
