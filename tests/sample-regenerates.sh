#!/bin/sh
# The command in data/README.md regenerates data/sample-spx.csv byte for byte.
# Usage: sample-regenerates.sh GEN_CHAIN SOURCE_ROOT
set -eu
gen=$1
root=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$gen" --seed 20261118 -o "$tmp" 2>/dev/null
if cmp -s "$tmp" "$root/data/sample-spx.csv"; then
    echo "sample-regenerates: data/sample-spx.csv matches the generator"
else
    echo "sample-regenerates: data/sample-spx.csv differs from: gen-chain --seed 20261118" >&2
    diff "$tmp" "$root/data/sample-spx.csv" | head -n 10 >&2
    exit 1
fi
