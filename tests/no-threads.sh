#!/bin/sh
# gex when no thread can be started (a process at its limit of threads): every threaded path
# falls back to the calling thread and prints the same bytes, messages and status as --jobs 1.
# tests/no-threads.c, preloaded, makes every pthread_create fail. Commands: levels, screen and
# greeks (the table, CSV and JSON) on the SPX index listed in full (gen-chain --big: read in
# ranges, greeks in 26 blocks), and screen on a market of 60 underlyings, each with --jobs 4
# under the preload against --jobs 1 without it.
#
# Usage: tests/no-threads.sh GEX NO_THREADS_SO GEN_CHAIN
set -eu
gex=$1
shim=$2
gen=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --big -o "$tmp/index.csv" 2>/dev/null
"$gen" --market --underlyings 60 -o "$tmp/market.csv" 2>/dev/null

failed=0
runs=0
check() { # FILE ARGS...
    file=$1
    shift
    "$gex" "$@" --jobs 1 "$file" >"$tmp/ref.out" 2>"$tmp/ref.err" && st1=0 || st1=$?
    GEX_NO_THREADS_MARK=$tmp/mark LD_PRELOAD=$shim "$gex" "$@" --jobs 4 "$file" \
        >"$tmp/out" 2>"$tmp/err" && st4=0 || st4=$?
    runs=$((runs + 1))
    if [ "$st1" != "$st4" ] || ! cmp -s "$tmp/ref.out" "$tmp/out" ||
        ! cmp -s "$tmp/ref.err" "$tmp/err"; then
        echo "no-threads: gex $* $file: --jobs 4 without threads (status $st4) differs from" \
            "--jobs 1 (status $st1)" >&2
        cmp "$tmp/ref.out" "$tmp/out" | head -n 3 >&2 || true
        failed=1
    fi
    [ -s "$tmp/ref.out" ] || {
        echo "no-threads: gex $* $file wrote nothing: a check of nothing" >&2
        failed=1
    }
}

check "$tmp/index.csv" levels
check "$tmp/index.csv" screen
check "$tmp/index.csv" greeks
check "$tmp/index.csv" greeks --format csv
check "$tmp/index.csv" greeks --format json
check "$tmp/market.csv" screen
check "$tmp/market.csv" screen --format csv
[ -e "$tmp/mark" ] || {
    echo "no-threads: the preload never refused a thread: the fallbacks were not run" >&2
    failed=1
}
[ "$failed" = 0 ] || exit 1
echo "no-threads: $runs runs without threads, each the same as --jobs 1"
