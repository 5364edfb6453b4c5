#!/bin/sh
# gen-chain's counts are whole numbers or a usage error (exit 2, naming the option): a misspelt
# count would otherwise make another chain, with the same seed, without a word.
# Usage: gen-chain-args.sh GEN_CHAIN
set -eu
gen=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
refused() {
    opt=$1
    shift
    rc=0
    "$gen" "$@" -o "$tmp/out.csv" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 2 ] || ! grep -q "^gen-chain: $opt: '.*' is not a whole number" "$tmp/err"; then
        echo "gen-chain-args: $* exited $rc with:" >&2
        cat "$tmp/err" >&2
        fail=1
    fi
}
refused --underlyings --market --underlyings 12abc
refused --underlyings --market --underlyings abc
refused --underlyings --market --underlyings ''
refused --underlyings --market --underlyings -3
refused --underlyings --market --underlyings 100001
refused --seed --seed xyz
refused --seed --seed 7x
refused --seed --seed -1
refused --seed --seed 18446744073709551616
refused --days --days 0 --dir "$tmp/days"
refused --days --days 2.5 --dir "$tmp/days"
# the bounds themselves are counts
"$gen" --seed 18446744073709551615 -o "$tmp/out.csv" 2>/dev/null || {
    echo "gen-chain-args: --seed 18446744073709551615 was refused" >&2
    fail=1
}
"$gen" --market --underlyings 0 -o "$tmp/out.csv" 2>/dev/null || {
    echo "gen-chain-args: --underlyings 0 was refused" >&2
    fail=1
}
[ "$fail" -eq 0 ] && echo "gen-chain-args: every bad count refused"
exit "$fail"
