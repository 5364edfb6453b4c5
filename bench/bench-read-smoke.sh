#!/bin/sh
# bench-read --versus with files of different sizes (suite bench-smoke): FILE2's peak memory set
# against its own contracts' arrays (against FILE's, it read 170 times them here), --threads 1
# the one-thread figures alone, and a missing input said with how to make it.
#
#   bench-read-smoke.sh WITH_INPUTS GEN_CHAIN DIR BENCH_READ SMALL.csv
set -eu
with_inputs=$1
gen=$2
dir=$3
bench_read=$4
small=$5
t=$(sh "$with_inputs" "$gen" "$dir" "$bench_read" --reps 1 --threads 1 --versus @SAMPLE_JSON@ "$small")
printf '%s\n' "$t"
p=$(printf '%s\n' "$t" | sed -n 's/.*(n=3626, .*); peak memory \([0-9.]*\) x the chain.s arrays$/\1/p')
if ! awk -v p="$p" 'BEGIN { exit !(p > 0 && p < 20) }'; then
    echo "bench-read-smoke: the second file's peak is ${p:-absent} x its arrays" >&2
    exit 1
fi
if printf '%s\n' "$t" | grep ' threads: '; then
    echo "bench-read-smoke: --threads 1 printed a line of several threads" >&2
    exit 1
fi
if "$bench_read" --reps 1 "$dir/absent.json" 2>"$dir/absent.err"; then
    echo "bench-read-smoke: a missing file read" >&2
    exit 1
fi
cat "$dir/absent.err"
grep -q 'with-inputs.sh' "$dir/absent.err"
