#!/bin/sh
# tests/cli/test_taps.sh - the Singer test taps of tests/fixtures/taps/ keep
# their promises: the command line, --discover, exact output of tap-counter
# (bookmarks, resume, crash mid-line, a million records), tap-shapes' fixed
# lines and tap-bad's bad line of each kind. inlet has no command that reads
# Singer yet, so lines are checked by shape with awk; the loader's tests
# parse them for real. Run by scripts/test (INLET is not needed).
set -u
taps=$(cd "$(dirname "$0")/../fixtures/taps" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-taps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
# check DESCRIPTION WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi; }
# run TAP CONFIG-JSON [ARGS...]: output in $tmp/out, status in $status.
run() {
    tap=$1; printf '%s\n' "$2" > "$tmp/config.json"; shift 2
    "$taps/$tap" --config "$tmp/config.json" "$@" > "$tmp/out" 2> "$tmp/err"; status=$?
}
lines() { awk 'END { print NR }' "$tmp/out"; }
# Every line one Singer message by its shape: an object whose first member
# is a known "type".
shaped() {
    awk '!/^\{"type":"(SCHEMA|RECORD|STATE|ACTIVATE_VERSION)",.*\}$/ { bad++ } END { print bad + 0 }' "$tmp/out"
}
# The record ids in output order, space-separated.
ids() { sed -n 's/^{"type":"RECORD","stream":"items","record":{"id":\([-0-9]*\),.*/\1/p' "$tmp/out" | tr '\n' ' '; }
count() { grep -c "$1" "$tmp/out"; }

# The command line, the same for every tap.
for t in tap-counter tap-shapes tap-bad; do
    "$taps/$t" > /dev/null 2>&1; check "$t without --config" 2 $?
    "$taps/$t" --config "$tmp/none.json" > /dev/null 2>&1; check "$t, unreadable config" 1 $?
    run $t '{}' --discover
    check "$t --discover" "0 1" "$status $(lines)"
    check "$t catalog" 1 "$(grep -c '^{"streams":\[{"tap_stream_id":"[a-z]*","stream":' "$tmp/out")"
done

# tap-counter: STATE after every state_every-th record and at the end.
run tap-counter '{"count": 5, "start": 1, "state_every": 2}'
cat > "$tmp/want" <<'OUT'
{"type":"SCHEMA","stream":"items","schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"amount":{"type":"number"}},"required":["id"]},"key_properties":["id"],"bookmark_properties":["id"]}
{"type":"RECORD","stream":"items","record":{"id":1,"name":"item 1","amount":0.01}}
{"type":"RECORD","stream":"items","record":{"id":2,"name":"item 2","amount":0.02}}
{"type":"STATE","value":{"bookmarks":{"items":{"id":2}}}}
{"type":"RECORD","stream":"items","record":{"id":3,"name":"item 3","amount":0.03}}
{"type":"RECORD","stream":"items","record":{"id":4,"name":"item 4","amount":0.04}}
{"type":"STATE","value":{"bookmarks":{"items":{"id":4}}}}
{"type":"RECORD","stream":"items","record":{"id":5,"name":"item 5","amount":0.05}}
{"type":"STATE","value":{"bookmarks":{"items":{"id":5}}}}
OUT
if cmp -s "$tmp/want" "$tmp/out"; then ok; else bad "tap-counter output: $(diff "$tmp/want" "$tmp/out" | head -5)"; fi
check "tap-counter status" 0 "$status"

run tap-counter '{"count": 4, "start": 1000, "state_every": 2}'
check "no extra STATE after a bookmark" "1000 1001 1002 1003 |2" "$(ids)|$(count '"type":"STATE"')"

# --state resumes after the bookmark, with the same range.
printf '{"bookmarks":{"items":{"id":3}}}' > "$tmp/state.json"
run tap-counter '{"count": 5}' --state "$tmp/state.json"
check "resume" "4 5 |$(printf '%s' '{"type":"STATE","value":{"bookmarks":{"items":{"id":5}}}}')" \
    "$(ids)|$(tail -n 1 "$tmp/out")"
printf '{"bookmarks":{"items":{"id":5}}}' > "$tmp/state.json"
run tap-counter '{"count": 5}' --state "$tmp/state.json" --catalog "$tmp/config.json"
check "resume past the end keeps the bookmark" "|1|id\":5}" \
    "$(ids)|$(count STATE)|$(tail -n 1 "$tmp/out" | grep -o 'id":5}')"

# crash_at: complete lines up to the crash, then half a line (which awk
# counts as a line) and status 1.
run tap-counter '{"count": 10, "crash_at": 4, "state_every": 3}'
check "crash status" 1 "$status"
check "crash: lines before it" "1 2 3 |6" "$(ids)|$(lines)"
check "crash: last line cut" '{"type":"RECORD","stream":"items","record' "$(tail -n 1 "$tmp/out")"
check "crash: no newline at the end" 0 "$(tail -c 1 "$tmp/out" | tr -d -c '\n' | wc -c)"

# A million records: the shape of every line, fast enough for the loader's
# tests (about a second here).
start=$(date +%s)
run tap-counter '{"count": 1000000, "state_every": 10000}'
secs=$(($(date +%s) - start))
check "1e6 records" "0 1000101 1000000 100 0" \
    "$status $(lines) $(count '"type":"RECORD"') $(count '"type":"STATE"') $(shaped)"
if [ "$secs" -le 10 ]; then ok; else bad "1e6 records took ${secs}s"; fi
check "1e6: last id" '{"type":"STATE","value":{"bookmarks":{"items":{"id":1000000}}}}' \
    "$(tail -n 1 "$tmp/out")"

# tap-shapes: its fixed lines, the schema change and the version.
run tap-shapes '{"version": 1800000000000}'
check "tap-shapes" "0 17 0" "$status $(lines) $(shaped)"
check "tap-shapes types" "3 10 2 2" \
    "$(count '"type":"SCHEMA"') $(count '"type":"RECORD"') $(count '"type":"ACTIVATE_VERSION"') $(count '"type":"STATE"')"
check "tap-shapes version" 12 "$(count 1800000000000)"
check "tap-shapes code becomes a string" "1 1" \
    "$(count '"code":{"type":\["null","integer"\]}') $(count '"code":{"type":\["null","string"\]}')"
check "tap-shapes exact numbers" "1 1 1" \
    "$(count '"code":9223372036854775807,') $(count '"code":-9223372036854775808,') $(count '"price":1e400,')"

# tap-bad: the bad line is line good + 2, between good ones.
for kind in malformed_json not_object missing_type unknown_type record_not_object \
    record_before_schema invalid_utf8 schema_violation crlf none; do
    run tap-bad "{\"bad\": \"$kind\", \"good\": 3, \"after\": 2, \"exit\": 0}"
    case $kind in
    record_before_schema) want=9 ;; none) want=7 ;; *) want=8 ;;
    esac
    check "tap-bad $kind" "0 $want" "$status $(lines)"
done
run tap-bad '{"bad": "malformed_json", "good": 1}'
check "tap-bad malformed line" '{"type":"RECORD","stream":"items","record":{"id":2,}}' "$(sed -n 3p "$tmp/out")"
run tap-bad '{"bad": "unknown_type"}'
check "tap-bad unknown type" 1 "$(sed -n 4p "$tmp/out" | grep -c '^{"type":"BATCH",')"
run tap-bad '{"bad": "invalid_utf8"}'
check "tap-bad invalid UTF-8" 1 "$(sed -n 4p "$tmp/out" | grep -c "$(printf '\377')")"
run tap-bad '{"bad": "crlf"}'
check "tap-bad crlf" 1 "$(sed -n 4p "$tmp/out" | grep -c "$(printf '}\r')$")"
run tap-bad '{"bad": "blank", "good": 0, "after": 0}'
check "tap-bad blank" "|   " "$(sed -n 2p "$tmp/out")|$(sed -n 3p "$tmp/out")"
run tap-bad '{"bad": "too_long", "exit": 3}'
check "tap-bad too_long" "3 6 16777217" \
    "$status $(lines) $(awk 'length($0) > m { m = length($0) } END { print m }' "$tmp/out")"
run tap-bad '{"bad": "truncated"}'
check "tap-bad truncated" "0 4 0" "$status $(lines) $(tail -c 1 "$tmp/out" | tr -d -c '\n' | wc -c)"
run tap-bad '{"bad": "no_such_kind"}'
check "tap-bad unknown kind" 2 "$status"

echo "taps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
