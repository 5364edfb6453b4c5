#!/bin/sh
# gex serve, end to end: starts `gex serve` on a free loopback port over a folder of chains,
# fetches every endpoint with curl and compares each body byte for byte with what
# `gex COMMAND --format json` prints for the same file and options; triggers every error
# status; sends a bounded burst of concurrent requests from several curl clients; replaces a
# file while the server runs and checks the next answer is computed from the new file; stops
# the server with SIGTERM. When ../shared/chains is there it is also served in place.
#
# Usage: test-serve.sh GEX GEN_CHAIN SOURCE_ROOT
# Exit: 0 pass, 1 fail, 77 skipped (no curl). Every network request goes to 127.0.0.1 only.
set -u
gex=$1
gen_chain=$2
root=$3

if ! command -v curl >/dev/null 2>&1; then
    echo "skipped: curl is not installed (Debian package curl); gex serve was not tested end to end"
    exit 77
fi

work=$(mktemp -d /tmp/gex-test-serve.XXXXXX)
pids=""
cleanup() {
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# curl against loopback only, every transfer bounded in time.
fetch() { # fetch URL OUTFILE [curl options...] -> prints the status code
    url=$1
    out=$2
    shift 2
    curl -s --max-time 20 -o "$out" -w '%{http_code}' "$@" "$url"
}

# Starts gex serve on a free port (--port 0); sets $port and $server_pid.
start_server() { # start_server LOG DIR [options...]
    log=$1
    shift
    "$gex" serve --port 0 "$@" 2>"$log" &
    server_pid=$!
    pids="$pids $server_pid"
    port=""
    i=0
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|^gex serve: serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" 2>/dev/null)
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    echo "gex serve did not start:"
    cat "$log"
    exit 1
}

stop_server() { # stop_server LOG: SIGTERM, a clean exit within 10 s
    kill -TERM "$server_pid"
    i=0
    while kill -0 "$server_pid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        fail "gex serve still running 10 s after SIGTERM"
        kill -KILL "$server_pid"
    fi
    wait "$server_pid"
    rc=$?
    [ $rc -eq 0 ] || fail "gex serve exited $rc after SIGTERM"
    grep -q '^gex serve: stopped' "$1" || fail "no 'stopped' line in the log after SIGTERM"
    if grep -q -e 'runtime error' -e 'Sanitizer' "$1"; then
        fail "a sanitizer report in the server's log:"
        grep -A5 -e 'runtime error' -e 'Sanitizer' "$1" | head -20
    fi
}

# compare KIND SYMBOL FILE QUERY CLI_OPTIONS...: the server must answer from FILE (its
# X-Gex-File header) with the body and a status matching `gex KIND --format json ... FILE`.
compare() {
    kind=$1
    sym=$2
    file=$3
    query=$4
    shift 4
    code=$(fetch "http://127.0.0.1:$port/v1/exposure/$kind/$sym$query" "$work/got.json" \
        -D "$work/got.headers")
    "$gex" "$kind" --format json --symbol "$sym" "$@" "$file" >"$work/want.json" 2>"$work/want.err"
    cli=$?
    served=$(sed -n 's/^X-Gex-File: \([^\r]*\).*/\1/p' "$work/got.headers")
    if [ "$served" != "${file##*/}" ]; then
        fail "$kind/$sym$query: answered from '$served', expected ${file##*/}"
    elif [ $cli -eq 0 ]; then
        if [ "$code" != 200 ]; then
            fail "$kind/$sym$query: status $code, the CLI succeeded: $(cat "$work/got.json")"
        elif ! {
            # The server fills call_oi_change/put_oi_change from the folder's previous
            # snapshot of the symbol (SPEC 5.5); one file on the command line has none (null).
            # Everything else is byte for byte the CLI's.
            sed -E 's/"(call|put)_oi_change":[-+0-9.eE]+/"\1_oi_change":null/g' \
                "$work/got.json" >"$work/got-oi.json"
            cmp -s "$work/got-oi.json" "$work/want.json"
        }; then
            fail "$kind/$sym$query: body differs from gex $kind --format json $* $file: $(cmp "$work/got.json" "$work/want.json" 2>&1 | head -1)"
        fi
    else
        case $code in
        4?? | 5??) grep -q '"error":' "$work/got.json" ||
            fail "$kind/$sym$query: status $code without an error body" ;;
        *) fail "$kind/$sym$query: status $code, the CLI failed ($cli): $(cat "$work/want.err")" ;;
        esac
    fi
    compared=$((compared + 1))
}

# ---- a folder of generated chains: SPX (the sample) and a several-underlying file ----
chains="$work/chains"
mkdir "$chains"
# multi.csv holds SPX too, quoted at the same instant: spx.csv, modified later, is the newest.
"$gen_chain" --seed 7 --market --underlyings 3 -o "$chains/multi.csv" 2>/dev/null || exit 1
touch -d '2026-01-02 03:04:05' "$chains/multi.csv"
"$gen_chain" --seed 20261118 -o "$chains/spx.csv" 2>/dev/null || exit 1
printf 'not,a,chain\n1,2,3\n' >"$chains/notes.csv"
# The folder's documentation is not a chain gex should complain about.
printf '# Daily chains\n\nSPX from the close.\n' >"$chains/README.md"
# A chain without its quote_time column: the CLI cannot compute it without --now.
cut -d, -f1-12 "$chains/spx.csv" | sed 's/^SPX,/NOQT,/' >"$chains/noqt.csv"

start_server "$work/serve.log" "$chains"
compared=0
first_exp=$(sed -n '2p' "$chains/spx.csv" | cut -d, -f3)
for kind in gex dex vex chex levels summary; do
    compare "$kind" SPX "$chains/spx.csv" ""
    compare "$kind" SPX "$chains/spx.csv" "?expiration=$first_exp" --expiration "$first_exp"
    compare "$kind" SPX "$chains/spx.csv" "?expiration=0dte" --expiration 0dte
    compare "$kind" SPX "$chains/spx.csv" "?min_oi=500" --min-oi 500
    compare "$kind" SPX "$chains/spx.csv" "?expiration=$first_exp&min_oi=100" \
        --expiration "$first_exp" --min-oi 100
done
# Every other underlying of the several-underlying file.
for sym in $(sed 1d "$chains/multi.csv" | cut -d, -f1 | sort -u | grep -v '^SPX$'); do
    for kind in gex levels summary; do
        compare "$kind" "$sym" "$chains/multi.csv" ""
    done
done

# The basket (several files): the server's answer is gex api's on the same folder, byte for
# byte, and its constituents are the summaries' numbers weighted.
other=$(sed 1d "$chains/multi.csv" | cut -d, -f1 | sort -u | grep -v '^SPX$' | head -1)
bpath="/v1/exposure/basket?symbols=SPX,$other,NOSUCH&weights=3,1,1"
code=$(fetch "http://127.0.0.1:$port$bpath" "$work/basket.json")
"$gex" api "$bpath" "$chains" >"$work/basket-cli.json" 2>/dev/null
if [ "$code" != 200 ] || ! cmp -s "$work/basket.json" "$work/basket-cli.json"; then
    fail "basket: status $code, or the body differs from gex api's"
fi
grep -q '"constituent_count":2,"missing_symbols":\["NOSUCH"\]' "$work/basket.json" ||
    fail "basket: $(head -c 300 "$work/basket.json")"
compared=$((compared + 1))

# The screener (every symbol of the folder, POST): the server's answer is gex api's, byte for
# byte; a row the folder cannot answer (NOQT's file has no quote instant) is listed missing.
printf '%s' '{"filters":{"field":"atm_iv","operator":"gte","value":0},"sort":[{"field":"net_gex","direction":"desc"}],"select":["price","regime","atm_iv"],"limit":3}' >"$work/screen.json"
code=$(fetch "http://127.0.0.1:$port/v1/screener" "$work/screener.json" -X POST \
    -H 'Content-Type: application/json' --data-binary "@$work/screen.json")
"$gex" api --body "$work/screen.json" /v1/screener "$chains" >"$work/screener-cli.json" 2>/dev/null
if [ "$code" != 200 ] || ! cmp -s "$work/screener.json" "$work/screener-cli.json"; then
    fail "screener: status $code, or the body differs from gex api's: $(head -c 300 "$work/screener.json")"
fi
grep -q '"returned_count":3,' "$work/screener.json" ||
    fail "screener: not 3 rows: $(head -c 300 "$work/screener.json")"
grep -q '"missing":\[{"symbol":"NOQT","status":500' "$work/screener.json" ||
    fail "screener: NOQT not listed missing: $(head -c 600 "$work/screener.json")"
compared=$((compared + 1))

# A body over the limit (64 KiB): 413 from the server, and the same answer from gex api.
{ printf '{"legs":[],"pad":"'; head -c 70000 /dev/zero | tr '\0' x; printf '"}'; } >"$work/big.json"
code=$(fetch "http://127.0.0.1:$port/v1/structures/pnl" "$work/big-serve.json" -X POST \
    -H 'Content-Type: application/json' --data-binary "@$work/big.json")
"$gex" api --body "$work/big.json" /v1/structures/pnl "$chains" >"$work/big-cli.json" 2>/dev/null
# (gex api ends what it prints with a newline; the server's error bodies have none)
if [ "$code" != 413 ] || ! { cat "$work/big-serve.json"; echo; } | cmp -s - "$work/big-cli.json"; then
    fail "a 70 kB body: status $code, or gex api's answer differs: $(head -c 300 "$work/big-cli.json")"
fi
compared=$((compared + 1))
# The server refuses a body declared over the limit before it routes the request (and before
# it measures the target): 413 to an unknown path, a GET-only endpoint or a target over 1 KiB
# too, and gex api the same (it gave 404, 405 and 414).
long="/v1/nosuch?pad=$(head -c 2000 /dev/zero | tr '\0' x)"
for bpath in /v1/nosuch /v1/exposure/levels/SPX "$long"; do
    code=$(fetch "http://127.0.0.1:$port$bpath" "$work/big-serve.json" -X POST \
        -H 'Content-Type: application/json' --data-binary "@$work/big.json")
    "$gex" api --body "$work/big.json" "$bpath" "$chains" >"$work/big-cli.json" 2>/dev/null
    if [ "$code" != 413 ] || ! { cat "$work/big-serve.json"; echo; } | cmp -s - "$work/big-cli.json"; then
        fail "a 70 kB body to $(printf %.40s "$bpath"): status $code, or gex api's answer differs: $(head -c 300 "$work/big-cli.json")"
    fi
    compared=$((compared + 1))
done
# The same body sent chunked (no length declared) is refused as the declared one, before it is
# routed or its target measured, whatever the path and the method (it was routed: 404, 405).
for bpath in /v1/structures/pnl /v1/nosuch /v1/exposure/levels/SPX "$long"; do
    for bmethod in POST GET; do
        code=$(fetch "http://127.0.0.1:$port$bpath" "$work/big-serve.json" -X "$bmethod" \
            -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
            --data-binary "@$work/big.json")
        "$gex" api --body "$work/big.json" "$bpath" "$chains" >"$work/big-cli.json" 2>/dev/null
        if [ "$code" != 413 ] || ! { cat "$work/big-serve.json"; echo; } | cmp -s - "$work/big-cli.json"; then
            fail "a 70 kB chunked $bmethod body to $(printf %.40s "$bpath"): status $code: $(head -c 300 "$work/big-serve.json")"
        fi
        compared=$((compared + 1))
    done
done
# A chunked body within the limit is read whole and answered.
code=$(fetch "http://127.0.0.1:$port/v1/screener" "$work/screener-chunked.json" -X POST \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary "@$work/screen.json")
if [ "$code" != 200 ] || ! cmp -s "$work/screener-chunked.json" "$work/screener-cli.json"; then
    fail "screener, chunked: status $code, or the body differs from gex api's: $(head -c 300 "$work/screener-chunked.json")"
fi
compared=$((compared + 1))

# same_as_api STATUS EXIT PATH: the server answers PATH with STATUS, and gex api prints the same
# body (and a newline) with exit status EXIT.
same_as_api() {
    code=$(fetch "http://127.0.0.1:$port$3" "$work/same-serve.json")
    "$gex" api "$3" "$chains" >"$work/same-cli.json" 2>/dev/null
    rc=$?
    [ -z "$(tail -c 1 "$work/same-serve.json")" ] || echo >>"$work/same-serve.json"
    if [ "$code" != "$1" ] || [ "$rc" != "$2" ] ||
        ! cmp -s "$work/same-serve.json" "$work/same-cli.json"; then
        fail "$(printf '%.80s' "$3"): status $code (expected $1), gex api exit $rc (expected $2)," \
            "or its answer differs: $(head -c 300 "$work/same-cli.json")"
    fi
    compared=$((compared + 1))
}
# What the server refuses before routing (an encoded NUL anywhere, first; then a target over
# 1 KiB), and a query of more parameters than gex api once took (64).
same_as_api 400 2 "/v1/exposure/gex/SPX%00junk"
same_as_api 400 2 "/v1/exposure/levels/SPX?x=$(head -c 2000 /dev/zero | tr '\0' a)%00"
same_as_api 414 2 "/v1/exposure/levels/SPX?x=$(head -c 9000 /dev/zero | tr '\0' a)"
many=$(i=0; while [ $i -lt 70 ]; do printf 'p%d=1&' $i; i=$((i + 1)); done)
same_as_api 200 0 "/v1/exposure/levels/SPX?${many}min_oi=100"
same_as_api 400 2 "/v1/exposure/levels/SPX?${many}min_oi=-5"

# ---- every error status, with the vendor's body ----
expect() { # expect STATUS ERROR_CODE PATH [curl options...]
    want=$1
    err=$2
    path=$3
    shift 3
    code=$(fetch "http://127.0.0.1:$port$path" "$work/err.json" "$@")
    [ "$code" = "$want" ] || fail "$path: status $code, expected $want"
    if [ -n "$err" ]; then
        grep -q "^{\"error\":\"$err\",\"message\":\"" "$work/err.json" ||
            fail "$path: body $(cat "$work/err.json"), expected error $err"
    fi
}
expect 404 symbol_not_found /v1/exposure/gex/NOSUCH
expect 400 invalid_symbols /v1/exposure/basket
expect 400 invalid_weights "/v1/exposure/basket?symbols=SPX&weights=x"
expect 404 no_data "/v1/exposure/basket?symbols=NOSUCH"
expect 404 symbol_not_found "/v1/exposure/levels/%3Cscript%3E"
expect 400 invalid_expiry "/v1/exposure/gex/SPX?expiration=2026-02-30"
expect 400 invalid_expiry "/v1/exposure/dex/SPX?expiration=next-friday"
expect 400 invalid_expiry "/v1/exposure/gex/SPX?expiration" # named without a value, as gex api
expect 400 invalid_parameter "/v1/exposure/gex/SPX?min_oi=-1"
expect 400 invalid_expiry "/v1/exposure/levels/SPX?expiration=2030-01-04"
expect 404 no_data "/v1/exposure/summary/SPX?min_oi=1000000000"
expect 500 chain_error /v1/exposure/levels/NOQT
expect 404 not_found /v1/exposure/gamma/SPX
# An encoded slash is data inside its segment (RFC 3986): no ticker, or no endpoint.
expect 404 symbol_not_found /v1/exposure/gex/..%2F..%2Fetc%2Fpasswd
expect 404 symbol_not_found /v1/exposure/gex/SPX%2Fsummary
expect 404 not_found /v1/stock%2FSPX/summary
expect 400 invalid_parameter "/v1/exposure/gex/SPX?expiration=2023-11-17&expiration=2023-11-24"
expect 404 not_found /etc/passwd
expect 405 method_not_allowed /v1/exposure/gex/SPX -X POST -d x=1
expect 405 method_not_allowed /v1/exposure/levels/SPX -X PUT
expect 405 method_not_allowed /v1/screener
expect 400 invalid_field /v1/screener -X POST --data-binary '{"filters":{"field":"iv_rank","operator":"gt","value":0}}'
long=$(printf '%02000d' 0)
expect 414 uri_too_long "/v1/exposure/gex/SPX?pad=$long"
code=$(fetch "http://127.0.0.1:$port/v1/exposure/gex/SPX" "$work/err.json" \
    -H "X-Pad: $(printf '%030000d' 0)")
case $code in 413 | 414 | 431) ;; *) fail "30 kB header: status $code, expected 431" ;; esac

# ---- a bounded burst: 4 clients x 500 requests, keep-alive, all must answer 200 ----
burst_clients=4
burst_requests=500
c=0
while [ $c -lt $burst_clients ]; do
    : >"$work/burst$c.cfg"
    n=0
    while [ $n -lt $burst_requests ]; do
        case $((n % 3)) in
        0) echo "url = \"http://127.0.0.1:$port/v1/exposure/levels/SPX\"" ;;
        1) echo "url = \"http://127.0.0.1:$port/v1/exposure/gex/SPX?min_oi=500\"" ;;
        2) echo "url = \"http://127.0.0.1:$port/v1/exposure/summary/SPX\"" ;;
        esac >>"$work/burst$c.cfg"
        echo 'output = "/dev/null"' >>"$work/burst$c.cfg"
        n=$((n + 1))
    done
    curl -s --max-time 120 -K "$work/burst$c.cfg" -w '%{http_code}\n' >"$work/burst$c.out" &
    burst_pids="${burst_pids:-} $!"
    c=$((c + 1))
done
for p in $burst_pids; do
    wait "$p" || fail "a burst client failed"
done
total=$(cat "$work"/burst*.out | wc -l)
ok=$(cat "$work"/burst*.out | grep -c '^200$')
[ "$total" -eq $((burst_clients * burst_requests)) ] || fail "burst: $total answers"
[ "$ok" -eq "$total" ] || fail "burst: $((total - ok)) of $total requests were not 200"

# ---- a file replaced while the server runs is served fresh ----
fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/before.json" >/dev/null
"$gen_chain" --seed 99 -o "$work/next.csv" 2>/dev/null || exit 1
mv "$work/next.csv" "$chains/spx.csv"
compare levels SPX "$chains/spx.csv" ""
compare gex SPX "$chains/spx.csv" ""
cmp -s "$work/before.json" "$work/got.json" && fail "the replaced file was not served fresh"
compare summary SPX "$chains/spx.csv" "?min_oi=100" --min-oi 100

stop_server "$work/serve.log"
# One access-log line per request answered (the "gex serve:" lines are the server's own).
requests=$(grep -c '" [0-9][0-9][0-9] ' "$work/serve.log")
[ "$requests" -ge $((burst_clients * burst_requests + compared)) ] ||
    fail "access log: $requests lines for at least $((burst_clients * burst_requests + compared)) requests"
grep -q 'notes.csv: left out' "$work/serve.log" || fail "notes.csv was not reported as left out"
grep -q 'README.md' "$work/serve.log" && fail "README.md was read as a chain: $(grep README.md "$work/serve.log")"

# ---- the API key: on the command line, in a file, in the environment; never in the log ----
start_server "$work/key.log" "$chains" --api-key 's3cr3t k3y'
expect 401 unauthorized /v1/exposure/levels/SPX
expect 401 unauthorized /v1/exposure/levels/SPX -H 'X-Api-Key: wrong'
expect 200 "" /v1/exposure/levels/SPX -H 'X-Api-Key: s3cr3t k3y'
expect 200 "" "/v1/exposure/levels/SPX?apiKey=s3cr3t%20k3y"
expect 400 invalid_parameter "/v1/exposure/levels/SPX?apiKey=s3cr3t%20k3y%00junk"
expect 400 invalid_parameter "/v1/exposure/levels/SPX%00junk" -H 'X-Api-Key: s3cr3t k3y'
# A key given twice is refused before either is tried, whichever comes first, without echoing
# them (the first was taken: a repeated parameter is 400 everywhere else).
for q in "apiKey=s3cr3t%20k3y&apiKey=wrong" "apiKey=wrong&apiKey=s3cr3t%20k3y" \
    "apiKey=s3cr3t%20k3y&APIKEY=s3cr3t%20k3y"; do
    expect 400 invalid_parameter "/v1/exposure/levels/SPX?$q"
    grep -q 'apiKey is given 2 times in the query; give it once' "$work/err.json" ||
        fail "?$q: $(cat "$work/err.json")"
    grep -q -e 's3cr3t' -e 'wrong' "$work/err.json" && fail "?$q: a key echoed: $(cat "$work/err.json")"
done
expect 400 bad_request /v1/exposure/levels/SPX -H 'X-Api-Key: s3cr3t k3y' -H 'X-Api-Key: wrong'
grep -q -e 's3cr3t' -e 'wrong' "$work/err.json" && fail "a header key echoed: $(cat "$work/err.json")"
stop_server "$work/key.log"
grep -q 's3cr3t' "$work/key.log" && fail "the API key is written in the access log"
grep -q 'apiKey=REDACTED' "$work/key.log" || fail "no redacted apiKey in the access log"

printf 'f1le-k3y\r\nsecond line\n' >"$work/key.txt"
start_server "$work/keyfile.log" "$chains" --api-key-file "$work/key.txt"
expect 401 unauthorized /v1/exposure/levels/SPX
expect 200 "" /v1/exposure/levels/SPX -H 'X-Api-Key: f1le-k3y'
expect 200 "" "/v1/exposure/levels/SPX?apiKey=f1le-k3y"
expect 401 unauthorized /v1/exposure/levels/SPX -H 'X-Api-Key: second line'
stop_server "$work/keyfile.log"
grep -q 'f1le-k3y' "$work/keyfile.log" && fail "the key file's key is written in the access log"

GEX_API_KEY=env-k3y
export GEX_API_KEY
start_server "$work/keyenv.log" "$chains"
expect 401 unauthorized /v1/exposure/levels/SPX
expect 200 "" /v1/exposure/levels/SPX -H 'X-Api-Key: env-k3y'
stop_server "$work/keyenv.log"
unset GEX_API_KEY

usage() { # usage STATUS TEXT ARGS...: gex serve ARGS exits STATUS saying TEXT
    want=$1
    text=$2
    shift 2
    "$gex" serve "$@" 2>"$work/usage.err" >/dev/null
    rc=$?
    [ $rc -eq "$want" ] || fail "serve $*: exit status $rc, expected $want"
    grep -q -e "$text" "$work/usage.err" || fail "serve $*: no message '$text': $(cat "$work/usage.err")"
}
usage 2 "give one of them" --api-key a --api-key-file "$work/key.txt" "$chains"
usage 3 "nothing-here" --api-key-file "$work/nothing-here" "$chains"
: >"$work/empty-key"
usage 3 "first line is empty" --api-key-file "$work/empty-key" "$chains"
usage 2 "max-per-client" --max-per-client 0 "$chains"

# ---- a file rewritten in place while it is served: every answer is one whole version ----
# fetch_settled: asks for SPX's levels into $work/rw.json every 0.1 s while the answer is 503
# (the file settling), 50 times at most; $code is the last status.
fetch_settled() {
    i=0
    while [ $i -lt 50 ]; do
        code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/rw.json")
        [ "$code" = 503 ] || break
        sleep 0.1
        i=$((i + 1))
    done
}
# Two versions of one chain overwrite each other in place (truncated and written again, as a
# download into the served file does) in a bounded loop while a client asks. Every 200 must be
# the command line's answer for one of the two; the others may be 503 file_changing (caught
# while being written, with Retry-After; a file changing faster than once a second is not read
# again until it settles, so most answers are these), or the errors of a file caught empty
# (404, 500).
mkdir "$work/rw"
"$gen_chain" --seed 11 -o "$work/v1.csv" 2>/dev/null || exit 1
"$gen_chain" --seed 12 -o "$work/v2.csv" 2>/dev/null || exit 1
for v in 1 2; do
    cp "$work/v$v.csv" "$work/rw/spx.csv"
    "$gex" levels --format json --symbol SPX "$work/rw/spx.csv" >"$work/want-v$v.json" ||
        fail "gex levels on version $v failed"
done
cmp -s "$work/want-v1.json" "$work/want-v2.json" && fail "the two versions answer alike"
start_server "$work/rw.log" "$work/rw"
# The writer pauses 50 ms between versions, so that some reads find the file at rest.
(
    i=0
    while [ $i -lt 100 ] && [ ! -e "$work/rw-stop" ]; do
        cat "$work/v1.csv" >"$work/rw/spx.csv"
        sleep 0.05
        cat "$work/v2.csv" >"$work/rw/spx.csv"
        sleep 0.05
        i=$((i + 1))
    done
) &
writer=$!
n=0
ok=0
changing=0
while [ $n -lt 200 ]; do
    code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/rw.json" -D "$work/rw.headers")
    case $code in
    200)
        if cmp -s "$work/rw.json" "$work/want-v1.json" || cmp -s "$work/rw.json" "$work/want-v2.json"; then
            ok=$((ok + 1))
        else
            fail "rewritten file: a 200 that is neither version: $(head -c 300 "$work/rw.json")"
        fi
        ;;
    503)
        changing=$((changing + 1))
        grep -q '^{"error":"file_changing","message":"' "$work/rw.json" ||
            fail "rewritten file: 503 body $(cat "$work/rw.json")"
        grep -qi '^Retry-After: 1' "$work/rw.headers" || fail "rewritten file: 503 without Retry-After"
        ;;
    404 | 500) ;;
    *) fail "rewritten file: status $code: $(cat "$work/rw.json")" ;;
    esac
    n=$((n + 1))
done
touch "$work/rw-stop"
wait "$writer"
[ $((ok + changing)) -gt 0 ] || fail "rewritten file: neither an answer nor 503 in $n requests"
# Said once per episode: "changing" when a scan finds it written in place, or "changed while it
# was read" when the scan's own read caught the writer (a slow, sanitized build's first read).
grep -q -e 'spx.csv: changing' -e 'spx.csv: changed while it was read' "$work/rw.log" ||
    fail "rewritten file: the log never says it is changing"
# Replaced by a rename (a new inode, complete when it arrives): read at once.
cp "$work/v2.csv" "$work/rw/spx.csv.tmp" && mv "$work/rw/spx.csv.tmp" "$work/rw/spx.csv"
code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/rw.json")
[ "$code" = 200 ] && cmp -s "$work/rw.json" "$work/want-v2.json" ||
    fail "after the rewrites: status $code, not version 2's answer"
# Rewritten in place once more, then left alone: answered within a few seconds (it settles).
cat "$work/v1.csv" >"$work/rw/spx.csv"
fetch_settled
[ "$code" = 200 ] && cmp -s "$work/rw.json" "$work/want-v1.json" ||
    fail "after an in-place rewrite left alone: status $code, not version 1's answer"
# half_written SOURCE BYTES [CURL ARGS]: the first BYTES of SOURCE written as the served
# spx.csv, 0.3 s of a writer's pause, then a request (code and rw.json set). The server settles a
# file unchanged for 1 s: a request that a loaded machine (the sanitizer build's parallel tests)
# made 0.9 s or more after the write can tell nothing, and the write and the pause are tried
# again, three times at the most.
half_written() {
    src=$1
    bytes=$2
    shift 2
    tries=0
    while :; do
        head -c "$bytes" "$src" >"$work/rw/spx.csv"
        t0=$(date +%s%N)
        sleep 0.3
        code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/rw.json" "$@")
        t1=$(date +%s%N)
        tries=$((tries + 1))
        if [ "$code" = 503 ] || [ $((t1 - t0)) -lt 900000000 ] || [ $tries -ge 3 ]; then
            return 0
        fi
    done
}
# Half written in place, the writer pausing far longer than a read takes: never answered from
# the half (the server before this check answered 200 from it, or 500 from its cut last row),
# but 503 file_changing until the file has stayed the same for a second, then version 2.
size=$(wc -c <"$work/v2.csv")
half=$((size / 2))
half_written "$work/v2.csv" "$half"
[ "$code" = 503 ] && grep -q '"file_changing"' "$work/rw.json" ||
    fail "half written in place: status $code, not 503 file_changing: $(head -c 200 "$work/rw.json")"
tail -c "+$((half + 1))" "$work/v2.csv" >>"$work/rw/spx.csv"
fetch_settled
[ "$code" = 200 ] && cmp -s "$work/rw.json" "$work/want-v2.json" ||
    fail "half written, then finished: status $code, not version 2's answer"
# Deleted, then written again under its name by a slow writer (a download into the folder, or
# the soak test's file renamed back and rewritten before a scan saw it): a name the server has
# not read is as likely half written as a rewrite. Never answered from the half (the server
# before this check read a new name at once: 200 from the half), but 503 file_changing until
# it settles, then version 1. A symbol no file holds is 503 meanwhile too, not 404.
rm "$work/rw/spx.csv"
code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/SPX" "$work/rw.json")
[ "$code" = 404 ] || fail "deleted: status $code, not 404: $(head -c 200 "$work/rw.json")"
size=$(wc -c <"$work/v1.csv")
half=$((size / 2))
half_written "$work/v1.csv" "$half" -D "$work/rw.headers"
[ "$code" = 503 ] && grep -q '"file_changing"' "$work/rw.json" &&
    grep -qi '^Retry-After: 1' "$work/rw.headers" ||
    fail "a new name half written: status $code, not 503 file_changing: $(head -c 200 "$work/rw.json")"
tail -c "+$((half + 1))" "$work/v1.csv" >>"$work/rw/spx.csv"
fetch_settled
[ "$code" = 200 ] && cmp -s "$work/rw.json" "$work/want-v1.json" ||
    fail "a new name half written, then finished: status $code, not version 1's answer"
grep -q 'spx.csv: new, written' "$work/rw.log" || fail "the log never says the new name settles"
stop_server "$work/rw.log"
echo "rewritten in place: $n requests, $ok answers of one version, $changing 503 file_changing"

# A history's older file rewritten in place while the newer one answers (a day's file
# corrected), before the series was ever computed: the series is never answered without it.
# Until the older file settles the answer is 503 file_changing with Retry-After (and not
# cached), then the series of both files. The server before this check answered 200 without the
# older point (its file was not the version the index had listed), and cached that answer.
mkdir "$work/hs" "$work/hs2"
"$gen_chain" --days 2 --symbols SPX --dir "$work/hs" 2>/dev/null || exit 1
"$gen_chain" --days 2 --symbols SPX --seed 5 --dir "$work/hs2" 2>/dev/null || exit 1
start_server "$work/hs.log" "$work/hs"
cat "$work/hs2/SPX_2026-01-05.csv" >"$work/hs/SPX_2026-01-05.csv"
points() { grep -o '"as_of"' "$1" | wc -l; }
i=0
seen=""
while [ $i -lt 50 ]; do
    code=$(fetch "http://127.0.0.1:$port/v1/history/SPX" "$work/hs.json" -D "$work/hs.headers")
    if [ "$code" = 503 ]; then
        grep -q '"file_changing"' "$work/hs.json" && grep -q 'SPX_2026-01-05.csv' "$work/hs.json" &&
            grep -qi '^Retry-After: 1' "$work/hs.headers" ||
            fail "a series file rewritten: 503 without file_changing naming it: $(head -c 200 "$work/hs.json")"
        seen="$seen 503"
        sleep 0.1
    elif [ "$code" = 200 ]; then
        [ "$(points "$work/hs.json")" -eq 2 ] ||
            fail "a series file rewritten: 200 with $(points "$work/hs.json") points, not 2"
        seen="$seen 200"
        break
    else
        fail "a series file rewritten: status $code"
        break
    fi
    i=$((i + 1))
done
stop_server "$work/hs.log"
echo "a series file rewritten in place:$seen"

# A file whose quote time cells cannot be read, served with --now-from-mtime: refused at their
# line (500 chain_error, the log naming line and value), never dated by its modification time.
mkdir "$work/bt"
printf 'underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,quote_time\n' \
    >"$work/bt/bad-time.csv"
for k in 95 100 105; do
    for t in C P; do
        printf 'ABC,2026-12-18,%s,%s,1.0,1.2,0.25,100,100,yesterday\n' "$k" "$t" >>"$work/bt/bad-time.csv"
    done
done
start_server "$work/bt.log" "$work/bt" --now-from-mtime
code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/ABC" "$work/bt.json")
[ "$code" = 500 ] && grep -q '"chain_error"' "$work/bt.json" ||
    fail "unreadable quote times: status $code, not 500 chain_error: $(head -c 200 "$work/bt.json")"
stop_server "$work/bt.log"
grep -q 'bad-time.csv:2: the date "yesterday" cannot be read' "$work/bt.log" ||
    fail "unreadable quote times: the log does not name the line and value"

# ---- the command line's refusals: each before any port is opened, with its status and a
# message saying what is wrong (a server that starts instead is stopped by the timeout) ----
head -c 1100 /dev/zero | tr '\0' k >"$work/long.key"
printf '\nsecond line\n' >"$work/empty.key"
refused() { # refused STATUS WORDS ARGS...
    want=$1
    words=$2
    shift 2
    timeout 10 "$gex" serve "$@" >/dev/null 2>"$work/refused.err"
    rc=$?
    if [ $rc -ne "$want" ] || ! grep -qF -- "$words" "$work/refused.err"; then
        fail "serve $*: exit status $rc (expected $want), message: $(head -c 200 "$work/refused.err")"
    fi
}
refused 2 "--port needs a port number 0 to 65535, not '70000'" --port 70000 "$chains"
refused 2 "--bind needs an address" --bind
refused 2 "--bind '1.2.3.4.5' is not an IPv4 or IPv6 address" --bind 1.2.3.4.5 "$chains"
refused 2 "e.g. 127.0.0.1 or ::1" --bind localhost "$work/no-such-folder"
# an address of no interface here (TEST-NET-1, RFC 5737): it cannot be bound
refused 4 "cannot listen on 192.0.2.1" --bind 192.0.2.1 --port 0 "$chains"
refused 2 "--threads needs a number 1 to 256, not '0'" --threads 0 "$chains"
refused 2 "--max-per-client needs a number 1 to 65535, not '0'" --max-per-client 0 "$chains"
refused 2 "unknown option --frobnicate" --frobnicate "$chains"
refused 2 "unknown option --prot: did you mean --port?" --prot 1 "$chains"
refused 2 "unknown option --rat: did you mean --rate?" --rat 0.05 "$chains"
refused 2 "unknown option --port=0: give the value apart, --port 0" --port=0 "$chains"
refused 2 "unknown option --strict=yes: --strict takes no value" --strict=yes "$chains"
refused 2 "unknown option --now-from-mtime=1: --now-from-mtime takes no value" \
    --now-from-mtime=1 "$chains"
refused 2 "--port needs a value: a port number 0 to 65535" --port
refused 2 "--threads needs a value: a number 1 to 256" "$chains" --threads
refused 2 "one folder only" "$chains" "$chains"
refused 2 "name the folder of chain files to serve"
refused 3 "No such file or directory (--api-key-file)" --api-key-file "$work/none.key" "$chains"
refused 3 "the API key is longer than 1024 bytes" --api-key-file "$work/long.key" "$chains"
refused 3 "the first line is empty" --api-key-file "$work/empty.key" "$chains"
refused 3 "No such file or directory" "$work/no-such-folder"
refused 3 "not a folder" "$chains/spx.csv"

# ---- options of the other commands, applied to every answer ----
"$gex" serve --rate abc "$chains" 2>"$work/usage.err"
rc=$?
[ $rc -eq 2 ] || fail "serve --rate abc: exit status $rc, expected 2"
grep -q "rate" "$work/usage.err" || fail "serve --rate abc: no message naming --rate"
passed="--now 2026-11-18T19:30:00Z --flip-method strike --gex-unit point --rate 0.05"
# shellcheck disable=SC2086
start_server "$work/opts.log" "$chains" $passed
for kind in gex levels summary; do
    # shellcheck disable=SC2086
    compare "$kind" NOQT "$chains/noqt.csv" "" $passed
    # shellcheck disable=SC2086
    compare "$kind" SPX "$chains/spx.csv" "?min_oi=100" $passed --min-oi 100
done
stop_server "$work/opts.log"

# ---- more chain files than the engine keeps prepared (64): the least recently used dropped ----
# 70 files of one symbol each: every symbol answered once, so that the first files' chains are
# dropped; those asked again with other options (the response cache cannot answer) are read
# again and answered as the CLI answers.
many="$work/many"
mkdir "$many"
i=1
while [ $i -le 70 ]; do
    sed "s/XYZ/Q$i/g" "$root/tests/data/cli-inputs/xyz.csv" >"$many/q$i.csv"
    i=$((i + 1))
done
start_server "$work/many.log" "$many"
i=1
while [ $i -le 70 ]; do
    code=$(fetch "http://127.0.0.1:$port/v1/exposure/levels/Q$i" "$work/got.json")
    [ "$code" = 200 ] || fail "levels/Q$i of 70 files: status $code: $(head -c 200 "$work/got.json")"
    i=$((i + 1))
done
for i in 1 2 3 70; do
    compare levels "Q$i" "$many/q$i.csv" "?min_oi=1000" --min-oi 1000
    compare gex "Q$i" "$many/q$i.csv" ""
done
stop_server "$work/many.log"

# ---- the real chains, served in place ----
shared="$root/../shared/chains"
[ -n "${GEX_SHARED_DIR:-}" ] && shared="$GEX_SHARED_DIR/chains"
if [ -d "$shared" ]; then
    start_server "$work/shared.log" "$shared"
    for f in "$shared"/*; do
        for sym in $("$gex" greeks --format csv "$f" 2>/dev/null | sed 1d | cut -d, -f1 |
            sort -u); do
            # The server answers from the newest file of the symbol: compare with that one.
            fetch "http://127.0.0.1:$port/v1/exposure/levels/$sym" "$work/got.json" \
                -D "$work/headers" >/dev/null
            served=$(sed -n 's/^X-Gex-File: \([^\r]*\).*/\1/p' "$work/headers")
            if [ -z "$served" ]; then
                fail "$sym: no X-Gex-File header"
                continue
            fi
            for kind in gex dex vex chex levels summary; do
                compare "$kind" "$sym" "$shared/$served" ""
            done
        done
    done
    stop_server "$work/shared.log"
else
    echo "skipped: ../shared absent (the real chains were not served)"
fi

echo "gex serve: $compared answers compared with the CLI, $((burst_clients * burst_requests)) burst requests, $failures failures"
[ $failures -eq 0 ]
