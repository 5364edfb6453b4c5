#!/bin/sh
# Every command reads a large CSV in ranges on --jobs threads (gex_read_options.threads) and must
# print the same bytes (standard output, standard error, exit status) whatever their number. The
# input: a generated market of 300 underlyings (gen-chain --market: 14 MB, so that --jobs 2
# and 3 read it in 2 and 3 ranges of 4.5 MB and more) with bad rows spliced in at 55% and 80% of
# its rows (in a later range with either: their lines are the file's only if the ranges' lines
# are shifted right; the first is the strict error), and a row whose open interest is missing
# (a warning).
# Commands: screen (one file: read on all N threads), levels, summary, gex --format json and
# greeks --format csv on one underlying, lenient and strict, each with --jobs 1 (the reference),
# 2 and 3.
#
# Usage: tests/read-jobs.sh GEX GEN_CHAIN
set -eu
gex=$1
gen=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --market --underlyings 300 -o "$tmp/gen.csv" 2>/dev/null
rows=$(wc -l <"$tmp/gen.csv")
awk -F, -v OFS=, -v a=$((rows * 55 / 100)) -v b=$((rows * 8 / 10)) '
    NR == a { print $1, $2, $3, "not-a-strike", $5, $6, $7, $8, $9, $10, $11, $12, $13 }
    NR == b { print $1, $2, "2026-13-45", $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }
    NR == b + 7 { $10 = ""; print; next }
    { print }
' "$tmp/gen.csv" >"$tmp/market.csv"
size=$(wc -c <"$tmp/market.csv")
[ "$size" -gt $((3 * 1024 * 1024)) ] || {
    echo "read-jobs: the market is $size bytes, not three ranges of 1 MB" >&2
    exit 1
}
# An underlying whose rows straddle the second range's start, for the one-underlying commands,
# and the underlying of the row made bad at 55 %.
sym=$(awk -F, -v m=$((rows / 2)) 'NR == m { print $1 }' "$tmp/market.csv")
bad=$(awk -F, -v a=$((rows * 55 / 100)) 'NR == a { print $1 }' "$tmp/market.csv")
[ "$bad" != "$sym" ] || {
    echo "read-jobs: the bad row at 55 % is of $sym, whose rows straddle the middle" >&2
    exit 1
}

failed=0
runs=0
check() { # ARGS...: --jobs 1 is the reference for 2 and 3
    "$gex" "$@" --jobs 1 "$tmp/market.csv" >"$tmp/ref.out" 2>"$tmp/ref.err" && st=0 || st=$?
    echo "$st" >"$tmp/ref.st"
    for jobs in 2 3; do
        runs=$((runs + 1))
        "$gex" "$@" --jobs $jobs "$tmp/market.csv" >"$tmp/out" 2>"$tmp/err" && st=0 || st=$?
        echo "$st" >"$tmp/st"
        for part in out err st; do
            if ! cmp -s "$tmp/ref.$part" "$tmp/$part"; then
                echo "read-jobs: gex $* --jobs $jobs: $part differs from --jobs 1" >&2
                diff "$tmp/ref.$part" "$tmp/$part" | head -n 10 >&2
                failed=1
            fi
        done
    done
}
expect() { # WORD STATUS: what the reference run must show
    if ! grep -q -- "$1" "$tmp/ref.err" || [ "$(cat "$tmp/ref.st")" != "$2" ]; then
        echo "read-jobs: expected \"$1\" and exit status $2; got $(cat "$tmp/ref.st"):" >&2
        cat "$tmp/ref.err" >&2
        failed=1
    fi
}

check screen --format csv
expect "skipped 2 of" 0
check screen --strict
expect ":$((rows * 55 / 100)): strike \"not-a-strike\"" 3
for cmd in levels summary "gex --format json" "greeks --format csv"; do
    # shellcheck disable=SC2086
    check $cmd --symbol "$sym"
done
# --strict is about the rows --symbol keeps: another underlying's bad rows are left out as its
# good rows are; the bad row's own underlying fails at it.
check levels --symbol "$sym" --strict
if [ "$(cat "$tmp/ref.st")" != 0 ] || ! grep -q "^gamma_flip" "$tmp/ref.out"; then
    echo "read-jobs: levels --symbol $sym --strict failed on another underlying's bad row:" >&2
    cat "$tmp/ref.err" >&2
    failed=1
fi
check levels --symbol "$bad" --strict
expect ":$((rows * 55 / 100)): strike \"not-a-strike\"" 3

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "read-jobs: $runs runs with --jobs 2 and 3 print the bytes of --jobs 1 ($size bytes, $sym)"
