# tests/cli/lib/salesforce.sh - sourced by tests/cli/test_sync_sf.sh and
# bench/sync/run.sh (after serve.sh): the Salesforce emulator as a process of
# its own, so that a server killed with -9 does not take the provider's
# records, mutations and tokens with it (`serve --demo` would); connecting it
# through inlet's OAuth flow with curl as the browser; and the same canonical
# dump of one object read from the emulator and from inlet's destination
# table, to compare with cmp. The caller defines $INLET, $tmp and bad().
# Tokens go through files under $tmp/private, never onto a command line or
# an output.
SF_VERSION=v61.0
SF_SECRET=sandbox-salesforce-secret

# sf_wait_up PID URL: until URL answers (0), or PID exits or 30 s pass (1).
sf_wait_up() {
    i=0
    while [ $i -lt 300 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        curl -fs -o /dev/null "$2" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# sandbox_start RECORDS SEED: `inlet sandbox` with Salesforce only, in the
# background on a free port: $sb_pid, $sf (its origin).
sandbox_start() {
    tries=0
    while [ $tries -lt 5 ]; do
        sbport=$(free_port)
        "$INLET" sandbox --providers salesforce --listen "127.0.0.1:$sbport" --records "$1" \
            --seed "$2" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
        sb_pid=$!
        sf="http://127.0.0.1:$sbport"
        sf_wait_up $sb_pid "$sf/_sandbox/counters" && return 0
        kill -KILL $sb_pid 2>/dev/null; wait $sb_pid 2>/dev/null; sb_pid=""
        tries=$((tries + 1))
    done
    bad "inlet sandbox did not come up: $(tail -c 400 "$tmp/sandbox.err")"
    return 1
}

# sandbox_faults JSON: replace the emulator's faults ('{}': none).
sandbox_faults() {
    c=$(curl -s -o "$tmp/faults.out" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "$1" "$sf/_sandbox/faults")
    [ "$c" = 200 ] || bad "faults $1: HTTP $c $(head -c 300 "$tmp/faults.out")"
}

# sandbox_token: an access token of our own for reading the emulator, as a
# connector gets one (consent form, code, token endpoint); the header
# "Authorization: Bearer ..." goes to $tmp/private/auth. Faults do not apply
# to the OAuth server, so this works whatever faults are on.
sandbox_token() {
    mkdir -p "$tmp/private"; chmod 700 "$tmp/private"
    cb=http://localhost/cb
    got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
        --data-urlencode response_type=code --data-urlencode client_id=sandbox-salesforce-client \
        --data-urlencode "redirect_uri=$cb" --data-urlencode username=user@sandbox.inlet.test \
        --data-urlencode password=sandbox --data-urlencode action=allow \
        "$sf/services/oauth2/authorize")
    case "$got" in "302 $cb?"*code=*) ;; *) bad "sandbox authorize: HTTP ${got%% *}"; return 1 ;; esac
    oc=${got#*code=}; oc=${oc%%&*}
    printf 'grant_type=authorization_code&code=%s&client_id=sandbox-salesforce-client&client_secret=%s&redirect_uri=%s' \
        "$oc" "$SF_SECRET" "$cb" >"$tmp/private/form"
    c=$(curl -s -o "$tmp/private/token.json" -w '%{http_code}' -d @"$tmp/private/form" \
        "$sf/services/oauth2/token")
    sed -n 's/.*"access_token":"\([^"]*\)".*/Authorization: Bearer \1/p' \
        "$tmp/private/token.json" >"$tmp/private/auth"
    rm -f "$tmp/private/token.json" "$tmp/private/form"
    [ "$c" = 200 ] && [ -s "$tmp/private/auth" ] || { bad "sandbox token: HTTP $c"; return 1; }
}

# sf_fields OBJECT: "Name type" per line, in the describe's order, into
# $tmp/fields.OBJECT. JSON is read by sqlite3's JSON functions (scripts/deps
# installs sqlite3; jq and python are not on a bare Debian).
sf_fields() {
    c=$(curl -s -H @"$tmp/private/auth" -o "$tmp/describe.json" -w '%{http_code}' \
        "$sf/services/data/$SF_VERSION/sobjects/$1/describe")
    [ "$c" = 200 ] || { bad "describe $1: HTTP $c"; return 1; }
    sqlite3 -separator ' ' :memory: "SELECT json_extract(value, '\$.name'), json_extract(value, '\$.type')
        FROM json_each(readfile('$tmp/describe.json'), '\$.fields')" >"$tmp/fields.$1"
    [ -s "$tmp/fields.$1" ] || { bad "describe $1 lists no fields"; return 1; }
}

# The canonical line of a record: each field of the describe in its order,
# joined by '|', null as \N, booleans as true/false, date-times as
# Salesforce writes them (2026-07-01T22:26:12.000+0000), then "live" or
# "deleted" (IsDeleted at the emulator, _inlet_deleted_at at inlet).

# sandbox_dump OBJECT OUT: every record of OBJECT as the emulator holds it,
# deleted ones included (queryAll), sorted. Needs sandbox_token and no
# faults on (the data API is where they apply).
sandbox_dump() {
    sf_fields "$1" || return 1
    expr=""; fl=""
    while read -r f ftype; do
        v="json_extract(value, '\$.$f')"
        [ "$ftype" = boolean ] && v="CASE $v WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        expr="$expr${expr:+ || '|' || }coalesce($v, '\\N')"
        fl="$fl${fl:+, }$f"
    done <"$tmp/fields.$1"
    expr="$expr || '|' || CASE json_extract(value, '\$.IsDeleted') WHEN 1 THEN 'deleted' ELSE 'live' END"
    : >"$tmp/dump.raw"
    c=$(curl -s -G -H @"$tmp/private/auth" --data-urlencode "q=SELECT $fl FROM $1" \
        -o "$tmp/page.json" -w '%{http_code}' "$sf/services/data/$SF_VERSION/queryAll")
    while :; do
        [ "$c" = 200 ] || { bad "queryAll $1 at the emulator: HTTP $c $(head -c 300 "$tmp/page.json")"; return 1; }
        sqlite3 :memory: "SELECT $expr FROM json_each(readfile('$tmp/page.json'), '\$.records')" \
            >>"$tmp/dump.raw" || { bad "a page of $1 did not parse"; return 1; }
        next=$(grep -o '"nextRecordsUrl":"[^"]*"' "$tmp/page.json" | sed 's/^"nextRecordsUrl":"//; s/"$//')
        [ -n "$next" ] || break
        c=$(curl -s -H @"$tmp/private/auth" -o "$tmp/page.json" -w '%{http_code}' "$sf$next")
    done
    LC_ALL=C sort "$tmp/dump.raw" >"$2"
}

# dest_dump ENGINE TABLE OBJECT OUT: the same lines from inlet's table (its
# columns found by property name in _inlet_columns), sorted. q SQL runs a
# query on the engine's database, one row per line.
dest_dump() {
    expr=""
    while read -r f ftype; do
        col=$(q "SELECT column_name FROM _inlet_columns WHERE table_name = '$2' AND property = '$f'")
        if [ -z "$col" ]; then
            v="'no column for $f'"
        elif [ "$ftype" = boolean ] && [ "$1" = sqlite ]; then
            v="CASE \"$col\" WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        elif [ "$ftype" = boolean ]; then
            v="CASE WHEN \"$col\" THEN 'true' WHEN NOT \"$col\" THEN 'false' END"
        elif [ "$ftype" = datetime ] && [ "$1" = postgres ]; then
            v="to_char(\"$col\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"+0000\"')"
        elif [ "$1" = postgres ]; then
            v="\"$col\"::text"
        else
            v="\"$col\""
        fi
        expr="$expr${expr:+ || '|' || }coalesce($v, '\\N')"
    done <"$tmp/fields.$3"
    expr="$expr || '|' || CASE WHEN _inlet_deleted_at IS NULL THEN 'live' ELSE 'deleted' END"
    q "SELECT $expr FROM \"$2\"" | LC_ALL=C sort >"$4"
}

# location FILE: the Location header of a curl -D dump.
location() { tr -d '\r' <"$1" | sed -n 's/^[Ll]ocation: //p' | head -n 1; }

# sf_connect TENANT NAME: a new Salesforce integration through `inlet
# connect` (INLET_PUBLIC_URL is the running server's $base), curl playing
# the browser: the link, the emulator's consent form, the callback. $id.
sf_connect() {
    id=""
    INLET_PUBLIC_URL=$base "$INLET" connect "$1" salesforce "$2" >"$tmp/link" 2>"$tmp/connect.err" ||
        { bad "connect: $(cat "$tmp/connect.err")"; return 1; }
    jar="$tmp/jar"; rm -f "$jar"
    curl -s -c "$jar" -b "$jar" -D "$tmp/h1" -o /dev/null "$(cat "$tmp/link")"
    provider=$(location "$tmp/h1")
    case "$provider" in "$sf/services/oauth2/authorize?"*) ;;
    *) bad "the link went to '$provider'"; return 1 ;; esac
    curl -s -D "$tmp/h2" -o /dev/null \
        -d "${provider#*\?}&username=user%40sandbox.inlet.test&password=sandbox&action=allow" \
        "$sf/services/oauth2/authorize"
    curl -s -c "$jar" -b "$jar" -D "$tmp/h3" -o /dev/null "$(location "$tmp/h2")"
    landing=$(location "$tmp/h3")
    case "$landing" in *"inlet_oauth=connected&integration_id=int_"*) ;;
    *) bad "the callback landed on '$landing'"; return 1 ;; esac
    id=$(printf '%s' "$landing" | sed 's/.*integration_id=\(int_[0-9a-z]*\).*/\1/')
}
