#!/bin/sh
# The timed programs keep the gex program's standard error off the terminal (suite bench-smoke):
# bench-e2e, bench-alternate.py and bench-ceiling.py on a market of 5 underlyings whose screen
# warns (flat carry kept for some expirations) print none of its warnings, and still show them
# when the command fails.
#
#   quiet-smoke.sh GEX GEN_CHAIN BENCH_E2E BENCH_DIR SAMPLE.csv
set -eu
gex=$1
gen=$2
e2e=$3
bench=$4
sample=$5
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" --market --underlyings 5 -o "$work/market.csv" 2>/dev/null
"$gex" screen "$work/market.csv" 2>&1 >/dev/null | grep -q warning || {
    echo "quiet-smoke: the market's screen gives no warning to hide" >&2
    exit 1
}
fail=0
check() { # NAME: the stderr in $work/err must hold no warning of gex
    if grep 'gex: .*warning' "$work/err"; then
        echo "quiet-smoke: $1 printed the program's warnings" >&2
        fail=1
    fi
}
"$e2e" --gex "$gex" --reps 1 --work "$work" --index "$sample" --market "$work/market.csv" \
    >/dev/null 2>"$work/err"
check bench-e2e
"$python" "$bench/bench-alternate.py" 1 -- "$gex" screen "$work/market.csv" >/dev/null 2>"$work/err"
check bench-alternate.py
"$python" "$bench/bench-ceiling.py" 1 -- "$gex" screen "$work/market.csv" >/dev/null 2>"$work/err"
check bench-ceiling.py
# a failure still shows the program's message (levels refuses a file of several underlyings)
if "$python" "$bench/bench-alternate.py" 1 -- "$gex" levels "$work/market.csv" >/dev/null \
    2>"$work/err"; then
    echo "quiet-smoke: a failing command passed" >&2
    fail=1
fi
grep -q 'underlyings' "$work/err" || {
    echo "quiet-smoke: a failing command's message was not shown" >&2
    fail=1
}
exit "$fail"
