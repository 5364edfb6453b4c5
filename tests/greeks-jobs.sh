#!/bin/sh
# gex greeks writes its CSV and JSON rows on --jobs threads, in blocks of 2,048 contracts
# (src/render/render-greeks.c), and must print the same bytes (standard output, standard error,
# exit status) whatever their number. Inputs: the SPX index listed in full (gen-chain --big:
# 51,886 contracts, 26 blocks), the same without the IV of every fifth row read with --iv file
# (those contracts are listed with empty cells and nulls), and the sample (3,626 contracts, 2
# blocks). Commands: greeks --format csv and json, alone, with a filter
# that leaves out whole blocks (--expiration) and with one that leaves out contracts inside
# every block (--min-oi), each with --jobs 1 (the reference), 2, 3 and 7; and the same written
# to a full device (/dev/full, where there is one): the same error, the same status, as a table
# too (tests/greeks-table.py checks the table's rows against Python's rendering).
#
# Usage: tests/greeks-jobs.sh GEX GEN_CHAIN SOURCE_ROOT
set -eu
gex=$1
gen=$2
root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --big -o "$tmp/index.csv" 2>/dev/null
awk -F, -v OFS=, 'NR > 1 && NR % 5 == 0 { $9 = "" } { print }' "$tmp/index.csv" >"$tmp/no-iv.csv"
sample=$root/data/sample-spx.csv
exp=$(awk -F, 'NR == 20000 { print $3 }' "$tmp/index.csv")

failed=0
runs=0
check() { # OUT FILE ARGS...: --jobs 1 is the reference for 2, 3 and 7; OUT: - or a path
    to=$1
    file=$2
    shift 2
    run() { # OUT ERR STATUS ARGS...: the names of its three files in $tmp, then gex's arguments
        o=$1 e=$2 s=$3
        shift 3
        if [ "$to" = - ]; then
            "$gex" greeks "$@" "$file" >"$tmp/$o" 2>"$tmp/$e" && st=0 || st=$?
        else
            "$gex" greeks "$@" "$file" >"$to" 2>"$tmp/$e" && st=0 || st=$?
            : >"$tmp/$o"
        fi
        echo "$st" >"$tmp/$s"
    }
    run ref.out ref.err ref.st "$@" --jobs 1
    for jobs in 2 3 7; do
        runs=$((runs + 1))
        run out err st "$@" --jobs $jobs
        for part in out err st; do
            if ! cmp -s "$tmp/ref.$part" "$tmp/$part"; then
                echo "greeks-jobs: gex greeks $* --jobs $jobs $file (to $to): $part differs" \
                    "from --jobs 1" >&2
                cmp "$tmp/ref.$part" "$tmp/$part" | head -n 3 >&2
                failed=1
            fi
        done
    done
}

for file in "$tmp/index.csv" "$sample"; do
    for format in csv json; do
        check - "$file" --format "$format"
        check - "$file" --format "$format" --min-oi 500
    done
done
check - "$tmp/index.csv" --format csv --expiration "$exp"
check - "$tmp/index.csv" --format json --expiration "$exp"
check - "$tmp/no-iv.csv" --format csv --iv file
check - "$tmp/no-iv.csv" --format json --iv file
"$gex" greeks --format csv --iv file "$tmp/no-iv.csv" | grep -q ',,.*,no_iv' || {
    echo "greeks-jobs: the file without IVs gave no row with empty cells" >&2
    failed=1
}
# The reference of a whole run must have written something: a check that compares two empty
# outputs proves nothing.
"$gex" greeks --format csv --jobs 2 "$tmp/index.csv" | wc -l >"$tmp/lines"
[ "$(cat "$tmp/lines")" -eq 51887 ] || {
    echo "greeks-jobs: --jobs 2 wrote $(cat "$tmp/lines") lines, not 51,887" >&2
    failed=1
}
if [ -w /dev/full ]; then
    for format in csv json table; do
        check /dev/full "$tmp/index.csv" --format "$format"
        grep -q "No space left on device" "$tmp/ref.err" || {
            echo "greeks-jobs: writing to /dev/full did not fail as it should:" >&2
            cat "$tmp/ref.err" >&2
            failed=1
        }
    done
fi
[ "$failed" = 0 ] || exit 1
echo "greeks-jobs: $runs runs on 2, 3 and 7 threads, each the same as on one"
