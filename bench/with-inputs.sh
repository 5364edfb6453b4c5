#!/bin/sh
# Runs a benchmark on the seeded generator's files, generating each the first time it is needed
# into DIR (the build directory, never the source tree), so that a plain build or `meson test`
# never writes the 166 MB whole-market file:
#
#   with-inputs.sh GEN_CHAIN DIR PROGRAM [ARG...]
#
# In the arguments, @MARKET@ stands for DIR/market.csv (gen-chain --market: 1,603,538 contracts,
# 4,021 underlyings), @INDEX@ for DIR/index.csv (gen-chain --big: the SPX index listed in full,
# 51,886 contracts), @INDEX_JSON@ for DIR/index.json (the same contracts as CBOE's JSON:
# gen-chain --big --cboe-json), @SAMPLE@ for DIR/sample.csv (gen-chain: data/sample-spx.csv) and
# @SAMPLE_JSON@ for DIR/sample.json (the same as CBOE's JSON).
# A file is written under a temporary name and renamed, so an interrupted run leaves none; it is
# written again when gen-chain is newer than it (a changed generator makes changed inputs).
set -eu
gen=$1
dir=$2
shift 2
mkdir -p "$dir"

input() { # NAME FLAG...: the path of an input, generated when absent
    name=$1
    shift
    path=$dir/$name
    if [ ! -s "$path" ] || [ -n "$(find "$gen" -newer "$path")" ]; then
        "$gen" "$@" -o "$path.tmp.$$" >&2
        mv "$path.tmp.$$" "$path"
    fi
    printf '%s' "$path"
}

prog=$1
shift
n=$#
while [ "$n" -gt 0 ]; do
    a=$1
    shift
    case $a in
    @MARKET@) a=$(input market.csv --market) ;;
    @INDEX@) a=$(input index.csv --big) ;;
    @INDEX_JSON@) a=$(input index.json --big --cboe-json) ;;
    @SAMPLE@) a=$(input sample.csv) ;;
    @SAMPLE_JSON@) a=$(input sample.json --cboe-json) ;;
    esac
    set -- "$@" "$a"
    n=$((n - 1))
done
exec "$prog" "$@"
