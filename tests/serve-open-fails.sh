#!/bin/sh
# gex serve when a chain file cannot be opened for want of a descriptor (EMFILE, made certain by
# tests/open-emfile.c, preloaded): the request is answered 503 server_busy with Retry-After, the
# answer is not cached, and the next request is answered 200 from the file. (It was a 500
# chain_error, cached until the file changed.) The same for a file of a series endpoint's
# series (/v1/history/SPY over three daily files): 503 server_busy, then 200 with every day
# (the series' cache had kept the file as one that gives no snapshot).
#
# Usage: serve-open-fails.sh GEX OPEN_EMFILE_SO SOURCE_ROOT GEN_CHAIN
# Exit: 0 pass, 1 fail, 77 skipped (no curl). Every network request goes to 127.0.0.1 only.
set -u
gex=$1
shim=$2
root=$3
gen=$4
case $shim in /*) ;; *) shim=$(pwd)/$shim ;; esac

if ! command -v curl >/dev/null 2>&1; then
    echo "skipped: curl is not installed (Debian package curl)"
    exit 77
fi
work=$(mktemp -d /tmp/gex-serve-open-fails.XXXXXX) || exit 1
server_pid=""
cleanup() {
    [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
failed=0
fail() {
    echo "FAIL: $*"
    failed=1
}

# start_serve FOLDER NAME [AFTER]: gex serve on FOLDER, the open of NAME after AFTER others (1:
# the index's) failing with EMFILE once; sets server_pid and port
start_serve() {
    rm -f "$work/mark" "$work/log"
    GEX_EMFILE_NAME=$2 GEX_EMFILE_AFTER=${3:-1} GEX_EMFILE_MARK="$work/mark" LD_PRELOAD="$shim" \
        "$gex" serve --port 0 "$1" 2>"$work/log" &
    server_pid=$!
    port=""
    i=0
    while [ $i -lt 100 ] && [ -z "$port" ]; do
        port=$(sed -n 's|^gex serve: serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/log" 2>/dev/null)
        [ -n "$port" ] || sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] || { echo "gex serve did not start:"; cat "$work/log"; exit 1; }
}

mkdir "$work/chains"
cp "$root/data/sample-spx.csv" "$work/chains/spx.csv" || exit 1
# The index opens the file once at the start; the first request's open is the one that fails.
start_serve "$work/chains" /spx.csv

url=http://127.0.0.1:$port/v1/exposure/levels/SPX
code=$(curl -s --max-time 20 -o "$work/1.json" -D "$work/1.headers" -w '%{http_code}' "$url")
[ -e "$work/mark" ] || fail "the preloaded open never failed (the shim did not take effect)"
if [ "$code" != 503 ] || ! grep -q '"error":"server_busy"' "$work/1.json" ||
    ! grep -qi '^Retry-After: 1' "$work/1.headers"; then
    fail "open failed with EMFILE: status $code, $(cat "$work/1.json"), expected 503" \
        "server_busy with Retry-After: 1"
else
    echo "ok: open failed with EMFILE: 503 server_busy, Retry-After: 1"
fi
code=$(curl -s --max-time 20 -o "$work/2.json" -D "$work/2.headers" -w '%{http_code}' "$url")
"$gex" levels --format json "$work/chains/spx.csv" >"$work/want.json" 2>/dev/null
if [ "$code" != 200 ] || ! cmp -s "$work/2.json" "$work/want.json"; then
    fail "the next request: status $code, $(head -c 300 "$work/2.json"), expected 200 and" \
        "gex levels' document (the failure was cached?)"
else
    echo "ok: the next request: 200, gex levels' document"
fi
grep -q "cannot open the file now: Too many open files" "$work/log" ||
    fail "the log does not say why: $(cat "$work/log")"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""

# A file of the series, not the answer's own: the first day's, opened for its snapshot.
"$gen" --days 3 --dir "$work/days" --symbols SPY >/dev/null 2>&1 || { echo "gen-chain failed"; exit 1; }
start_serve "$work/days" /SPY_2026-01-05.csv
url=http://127.0.0.1:$port/v1/history/SPY
code=$(curl -s --max-time 20 -o "$work/3.json" -D "$work/3.headers" -w '%{http_code}' "$url")
[ -e "$work/mark" ] || fail "the series: the preloaded open never failed"
if [ "$code" != 503 ] || ! grep -q '"error":"server_busy"' "$work/3.json" ||
    ! grep -q 'SPY_2026-01-05.csv' "$work/3.json" || ! grep -qi '^Retry-After: 1' "$work/3.headers"; then
    fail "the series' file failed with EMFILE: status $code, $(cat "$work/3.json"), expected" \
        "503 server_busy naming SPY_2026-01-05.csv, with Retry-After: 1"
else
    echo "ok: the series' file failed with EMFILE: 503 server_busy, Retry-After: 1"
fi
code=$(curl -s --max-time 20 -o "$work/4.json" -w '%{http_code}' "$url")
"$gex" api /v1/history/SPY "$work/days" >"$work/want4.json" 2>/dev/null
if [ "$code" != 200 ] || ! cmp -s "$work/4.json" "$work/want4.json" ||
    ! grep -q '"as_of":"2026-01-05' "$work/4.json"; then
    fail "the series' next request: status $code, $(head -c 300 "$work/4.json"), expected 200" \
        "and gex api's document with 2026-01-05 (the failure was cached?)"
else
    echo "ok: the series' next request: 200, every day"
fi
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""

# The scan's own open, the first of the file's.
start_serve "$work/chains" /spx.csv 0
url=http://127.0.0.1:$port/v1/exposure/levels/SPX
code=$(curl -s --max-time 20 -o "$work/5.json" -D "$work/5.headers" -w '%{http_code}' "$url")
[ -e "$work/mark" ] || fail "the scan: the preloaded open never failed"
if [ "$code" != 503 ] || ! grep -q '"error":"server_busy"' "$work/5.json" ||
    ! grep -qi '^Retry-After: 1' "$work/5.headers"; then
    fail "the scan's open failed with EMFILE: status $code, $(cat "$work/5.json"), expected" \
        "503 server_busy with Retry-After: 1"
else
    echo "ok: the scan's open failed with EMFILE: 503 server_busy, Retry-After: 1"
fi
# the request that failed asked for a scan, which reads the file again: within the Retry-After
# the answer is the file's (asked every 0.2 s for 10 s at the most, as a client retrying)
i=0
code=503
while [ $i -lt 50 ] && [ "$code" = 503 ]; do
    sleep 0.2
    code=$(curl -s --max-time 20 -o "$work/6.json" -w '%{http_code}' "$url")
    i=$((i + 1))
done
if [ "$code" != 200 ] || ! cmp -s "$work/6.json" "$work/want.json"; then
    fail "after the scan's failure: status $code, $(head -c 300 "$work/6.json"), expected 200"
else
    echo "ok: after the scan's failure: 200, gex levels' document"
fi
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
exit $failed
