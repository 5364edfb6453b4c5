#!/bin/sh
# gex serve when a chain file cannot be opened for want of a descriptor (EMFILE, made certain by
# tests/open-emfile.c, preloaded): the request is answered 503 server_busy with Retry-After, the
# answer is not cached, and the next request is answered 200 from the file. (It was a 500
# chain_error, cached until the file changed.)
#
# Usage: serve-open-fails.sh GEX OPEN_EMFILE_SO SOURCE_ROOT
# Exit: 0 pass, 1 fail, 77 skipped (no curl). Every network request goes to 127.0.0.1 only.
set -u
gex=$1
shim=$2
root=$3
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

mkdir "$work/chains"
cp "$root/data/sample-spx.csv" "$work/chains/spx.csv" || exit 1
# The index opens the file once at the start; the first request's open is the one that fails.
GEX_EMFILE_NAME=/spx.csv GEX_EMFILE_AFTER=1 GEX_EMFILE_MARK="$work/mark" LD_PRELOAD="$shim" \
    "$gex" serve --port 0 "$work/chains" 2>"$work/log" &
server_pid=$!
port=""
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
    port=$(sed -n 's|^gex serve: serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/log" 2>/dev/null)
    [ -n "$port" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$port" ] || { echo "gex serve did not start:"; cat "$work/log"; exit 1; }

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
exit $failed
