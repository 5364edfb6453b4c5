#!/bin/sh
# An output whose bytes cannot be synced to the disk (fsync fails: a preloaded shim,
# tests/fsync-fails.c) is not given its name: exit 4, the reason said, the file that was there
# kept byte for byte, nothing left beside it; for -o of a table command and for gex plot.
#
#   output-fsync.sh GEX SOURCE_ROOT SHIM
set -u
gex=$1
root=$2
shim=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
failures=0
ok() { echo "ok: $1"; }
fail() {
    echo "FAIL: $1"
    failures=$((failures + 1))
}
chain=$root/data/sample-spx.csv

# check NAME FILE ARGS...: gex ARGS (which write FILE) with fsync failing
check() {
    name=$1
    file=$2
    shift 2
    printf 'a good file\n' >"$file"
    rm -f "$work/mark"
    GEX_FSYNC_MARK="$work/mark" LD_PRELOAD="$shim" "$gex" "$@" >"$work/out" 2>"$work/err"
    st=$?
    left=$(find "$work" -name "$(basename "$file").tmp*" | wc -l)
    if [ ! -e "$work/mark" ]; then
        fail "$name: the preload never failed fsync (not preloaded, or no fsync asked)"
    elif [ "$st" != 4 ]; then
        fail "$name: exit $st, not 4"
        cat "$work/err"
    elif ! grep -q "writing the output failed: Input/output error" "$work/err"; then
        fail "$name: the reason is not said"
        cat "$work/err"
    elif [ "$(cat "$file")" != "a good file" ]; then
        fail "$name: the file there was replaced"
    elif [ "$left" != 0 ]; then
        fail "$name: a temporary file was left beside it"
    else
        ok "$name: not published, exit 4, the file kept"
    fi
}

check "levels -o" "$work/levels.csv" levels --format csv -o "$work/levels.csv" "$chain"
check "greeks -o" "$work/greeks.json" greeks --format json -o "$work/greeks.json" "$chain"
check "plot -o svg" "$work/chart.svg" plot -o "$work/chart.svg" "$chain"
check "plot -o png" "$work/chart.png" plot -o "$work/chart.png" "$chain"

[ "$failures" -eq 0 ] || {
    echo "$failures failed"
    exit 1
}
