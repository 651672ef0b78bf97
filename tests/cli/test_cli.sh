#!/bin/sh
# tests/cli/test_cli.sh - the inlet binary driven as an operator would, once
# on SQLite and once on PostgreSQL (INLET_TEST_PG, from scripts/with-pg):
# migrate, tenants and their keys, keys check/rotate, and every bad-input
# case of configuration (exit status 2, one line naming the variable,
# nothing written). Run by scripts/test with INLET=path/to/inlet.
set -u
: "${INLET:?set INLET to the inlet binary}"
: "${INLET_TEST_PG:?run under scripts/with-pg}"
INLET=$(cd "$(dirname "$INLET")" && pwd)/$(basename "$INLET")
unset INLET_DB INLET_DATA_DIR INLET_KEYS INTEGRATION_ENCRYPTION_KEY INLET_LOG_LEVEL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inlet-cli.XXXXXX")
passed=0; failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$engine]: $*"; }
# expect STATUS DESCRIPTION CMD...: run CMD, output in $tmp/out and $tmp/err.
expect() {
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want: $(head -c 300 "$tmp/err")"; fi
}
contains() { # contains FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in: $(head -c 300 "$1")"; fi
}
lacks() {
    if grep -qF -- "$2" "$1"; then bad "$3: '$2' should not appear"; else ok; fi
}
empty_dir() { # empty_dir DIR DESCRIPTION: nothing written
    if [ -z "$(ls -A "$1" 2>/dev/null)" ]; then ok; else bad "$2: wrote $(ls -A "$1")"; fi
}

pg_admin_url=$INLET_TEST_PG
for engine in sqlite postgres; do
    work="$tmp/$engine"; mkdir -p "$work"; cd "$work" || exit 1
    if [ $engine = sqlite ]; then
        export INLET_DATA_DIR="$work/data"
        unset INLET_DB INLET_KEYS
        # The embedded default generates its key file, 0600, on first use.
        expect 0 "migrate on a fresh folder" "$INLET" migrate
        contains "$tmp/out" "migrations 0 pending" "migrate reports"
        contains "$tmp/err" "generated an encryption key" "key file warning"
        mode=$(stat -c %a "$work/data/inlet.key"); [ "$mode" = 600 ] && ok || bad "key file mode $mode"
        mode=$(stat -c %a "$work/data"); [ "$mode" = 700 ] && ok || bad "data folder mode $mode"
    else
        db="inlet_cli_$$"
        psql -X -q "$pg_admin_url" -c "CREATE DATABASE $db" >/dev/null || exit 1
        export INLET_DB=$(printf '%s' "$pg_admin_url" | sed "s|/inlet?|/$db?|")
        export INLET_KEYS=$("$INLET" keys generate 2>/dev/null)
        # No key with PostgreSQL: refused before anything is written.
        expect 2 "postgres without a key" env -u INLET_KEYS "$INLET" migrate
        contains "$tmp/err" "INLET_KEYS: required with PostgreSQL" "postgres key message"
        n=$(psql -X -At "$INLET_DB" -c "SELECT count(*) FROM pg_tables WHERE schemaname='public'")
        [ "$n" = 0 ] && ok || bad "postgres without a key created $n tables"
        expect 0 "migrate" "$INLET" migrate
    fi
    expect 0 "migrate twice" "$INLET" migrate
    contains "$tmp/out" "migrations 0 pending" "second migrate"

    # A tenant's key works once made, and only its hash is stored.
    expect 0 "tenant create" "$INLET" tenant create demo
    tenant=$(awk '/^tenant /{print $2}' "$tmp/out"); key=$(awk '/^api_key /{print $2}' "$tmp/out")
    case "$key" in inlet_sk_???????????????????????????????????????????) ok ;; *) bad "key shape '$key'" ;; esac
    lacks "$tmp/err" "$key" "key in log lines"
    printf '%s\n' "$key" >"$tmp/key"
    expect 0 "verify new key" sh -c "\"$INLET\" tenant verify <\"$tmp/key\""
    contains "$tmp/out" "tenant $tenant" "verify names the tenant"
    expect 1 "tenant create duplicate" "$INLET" tenant create demo
    contains "$tmp/err" "tenant name: 'demo' exists already" "duplicate message"
    expect 0 "tenant list" "$INLET" tenant list
    contains "$tmp/out" "$tenant" "list shows tenant"
    contains "$tmp/out" "demo" "list shows name"

    # Rotation: the old key stops working, the new one works.
    expect 0 "key-rotate" "$INLET" tenant key-rotate "$tenant"
    key2=$(awk '/^api_key /{print $2}' "$tmp/out")
    expect 1 "old key after rotate" sh -c "\"$INLET\" tenant verify <\"$tmp/key\""
    contains "$tmp/err" "unknown or revoked API key" "revoked message"
    lacks "$tmp/err" "$key" "old key echoed"
    printf '%s\n' "$key2" >"$tmp/key"
    expect 0 "new key after rotate" sh -c "\"$INLET\" tenant verify <\"$tmp/key\""
    expect 1 "key-rotate unknown tenant" "$INLET" tenant key-rotate ten_01aaaaaaaaaaaaaaaaaaaaaaaa

    # Platform keys: printed once, listed by id and prefix, revoked; each
    # in the platform's audit log (the API's use of them: api_tenants).
    expect 0 "platform key" "$INLET" platform key host-app
    pkid=$(awk '/^platform_key_id /{print $2}' "$tmp/out"); pkey=$(awk '/^platform_key /{print $2}' "$tmp/out")
    case "$pkey" in inlet_pk_???????????????????????????????????????????) ok ;; *) bad "platform key shape '$pkey'" ;; esac
    lacks "$tmp/err" "$pkey" "platform key in log lines"
    expect 0 "platform keys" "$INLET" platform keys
    contains "$tmp/out" "$pkid" "list shows the key id"
    contains "$tmp/out" "host-app" "list shows the name"
    lacks "$tmp/out" "$pkey" "list shows the key"
    contains "$tmp/out" "live" "key live"
    expect 0 "platform revoke" "$INLET" platform revoke "$pkid"
    expect 0 "platform keys after revoke" "$INLET" platform keys
    contains "$tmp/out" "revoked" "key revoked"
    expect 1 "platform revoke twice" "$INLET" platform revoke "$pkid"
    contains "$tmp/err" "no live platform key" "revoke twice message"
    expect 2 "platform key without a name" "$INLET" platform key

    # Key rotation and check run end to end (rows are exercised in unit tests).
    expect 0 "keys check" "$INLET" keys check
    contains "$tmp/out" "keys check:" "check summary"
    expect 0 "keys rotate" "$INLET" keys rotate --batch 50
    contains "$tmp/out" "0 failed" "rotate summary"
    expect 2 "keys rotate bad batch" "$INLET" keys rotate --batch 0
    expect 2 "keys rotate huge batch" "$INLET" keys rotate --batch 4294967297
    expect 2 "rotate flags on another command" "$INLET" tenant list --batch 5
    # A key that cannot be written is reported, with the way to recover.
    expect 1 "tenant create to a full disk" sh -c "\"$INLET\" tenant create fulldisk >/dev/full"
    contains "$tmp/err" "could not be written" "write failure reported"
    contains "$tmp/err" "key-rotate" "recovery named"

    # Bad configuration: exit 2, a line naming the variable, nothing written.
    mkdir -p "$work/empty"
    expect 2 "malformed INLET_DB" env INLET_DATA_DIR="$work/empty/d" INLET_DB='mysql://u:hunter2@h/db' "$INLET" migrate
    contains "$tmp/err" "INLET_DB: expected sqlite:PATH or postgres://" "INLET_DB message"
    lacks "$tmp/err" "hunter2" "password echoed"
    expect 2 "password-bearing bad postgres URL" env INLET_DB='postgres://u:hunter2@h:99999/db' "$INLET" migrate
    lacks "$tmp/err" "hunter2" "password echoed (port)"
    expect 2 "short INLET_KEYS key" env INLET_DB= INLET_DATA_DIR="$work/empty/d" INLET_KEYS='k1:AAAA' "$INLET" migrate
    contains "$tmp/err" "INLET_KEYS: entry 1 (\"k1\"): key is 3 bytes, expected 32" "INLET_KEYS message"
    expect 2 "bad INTEGRATION_ENCRYPTION_KEY" env INLET_DB= INLET_KEYS= INLET_DATA_DIR="$work/empty/d" INTEGRATION_ENCRYPTION_KEY=abc "$INLET" migrate
    contains "$tmp/err" "INTEGRATION_ENCRYPTION_KEY: expected 64 hex characters or base64 of 32 bytes" "single key message"
    expect 2 "both key variables" env INLET_KEYS="$("$INLET" keys generate 2>/dev/null)" INTEGRATION_ENCRYPTION_KEY=$(printf '%064d' 0) "$INLET" migrate
    expect 2 "data folder not a folder" env INLET_DB= INLET_KEYS= INLET_DATA_DIR=/etc/passwd/inlet "$INLET" tenant list
    contains "$tmp/err" "INLET_DATA_DIR" "data folder message"
    expect 2 "bad log level" env INLET_LOG_LEVEL=loud "$INLET" tenant list
    contains "$tmp/err" "INLET_LOG_LEVEL" "log level message"
    expect 2 "key on the command line" "$INLET" --keys "k1:x" migrate
    expect 2 "unknown flag" "$INLET" --frobnicate 1 migrate
    # Arguments and configured keys are checked before anything is written.
    expect 2 "empty tenant name" env INLET_DB= INLET_KEYS= INLET_DATA_DIR="$work/empty/d" "$INLET" tenant create ""
    contains "$tmp/err" "tenant name: must not be empty" "empty name message"
    expect 2 "malformed tenant id" env INLET_DB= INLET_KEYS= INLET_DATA_DIR="$work/empty/d" "$INLET" tenant key-rotate nope
    expect 2 "bad INLET_KEYS, command without secrets" env INLET_DB= INLET_DATA_DIR="$work/empty/d" INLET_KEYS=garbage "$INLET" tenant list
    expect 2 "wrong argument count" env INLET_DB= INLET_KEYS= INLET_DATA_DIR="$work/empty/d" "$INLET" tenant create a b
    expect 2 "unknown command" "$INLET" frobnicate
    empty_dir "$work/empty" "bad configuration"
    # Exactly one line, for a script to show.
    expect 2 "one-line error" env INLET_DB='sqlite:' "$INLET" migrate
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "error is $(wc -l <"$tmp/err") lines"

    # A database migrated by a newer inlet is refused, not written to.
    if [ $engine = sqlite ]; then
        q() { sqlite3 "$work/data/inlet.db" "$1"; }
    else
        q() { psql -X -q -At "$INLET_DB" -c "$1"; }
    fi
    q "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)" >/dev/null
    expect 2 "schema from a newer inlet" "$INLET" tenant list
    contains "$tmp/err" "newer than this inlet knows" "newer schema message"
    q "DELETE FROM schema_migrations WHERE version = 9999" >/dev/null

    if [ $engine = postgres ]; then
        psql -X -q "$pg_admin_url" -c "DROP DATABASE $db" >/dev/null
    fi
    cd "$tmp" || exit 1
done
rm -rf "$tmp"
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
