#!/bin/sh
# gex screen computes files and underlyings on --jobs threads and must print the same bytes
# (standard output, standard error, exit status) whatever their number. The inputs: a generated
# market (gen-chain --market --underlyings 60) into which two underlyings whose every contract
# expired years before the quote instant are spliced, one in the middle of the file and one at
# its end (each gives an error message naming it, printed in file order); the committed sample;
# a file that does not exist; and the market again. Each format, sorted and not, runs with
# --jobs 1 (the reference), 2, 3 and 7; so does --symbol SPY over files one of which holds none.
#
# Usage: tests/screen-jobs.sh GEX GEN_CHAIN SOURCE_ROOT
set -eu
gex=$1
gen=$2
root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --market --underlyings 60 -o "$tmp/gen.csv" 2>/dev/null
# Rows 2..41 copied as underlying OLDA and OLDB with an expiration of 2020-01-17: every contract
# of theirs has expired (the file is quoted on 2026-11-18).
awk -F, -v OFS=, '
    NR == 1 { print; next }
    NR <= 41 { a[NR] = $0 }
    { print }
    NR == 20000 { for (i = 2; i <= 41; i++) { split(a[i], f, ","); f[1] = "OLDA"; f[3] = "2020-01-17"; line = f[1]; for (j = 2; j <= 13; j++) line = line "," f[j]; print line } }
    END { for (i = 2; i <= 41; i++) { split(a[i], f, ","); f[1] = "OLDB"; f[3] = "2020-01-17"; line = f[1]; for (j = 2; j <= 13; j++) line = line "," f[j]; print line } }
' "$tmp/gen.csv" >"$tmp/market.csv"
grep -q '^OLDA,' "$tmp/market.csv" && grep -q '^OLDB,' "$tmp/market.csv"

files="$tmp/market.csv $root/data/sample-spx.csv $tmp/missing.csv $tmp/market.csv"
failed=0
runs=0
for args in "" "--format csv" "--format json" "--sort -net_gex" "--sort symbol --format csv"; do
    # shellcheck disable=SC2086
    "$gex" screen $args --jobs 1 $files >"$tmp/ref.out" 2>"$tmp/ref.err" && st=0 || st=$?
    echo "$st" >"$tmp/ref.st"
    if [ "$st" != 3 ]; then
        echo "screen-jobs: screen $args --jobs 1 exited with $st, expected 3 (one file missing)" >&2
        failed=1
    fi
    for word in OLDA OLDB missing.csv; do
        if ! grep -q "$word" "$tmp/ref.err"; then
            echo "screen-jobs: screen $args: no message naming $word" >&2
            failed=1
        fi
    done
    for jobs in 2 3 7; do
        runs=$((runs + 1))
        # shellcheck disable=SC2086
        "$gex" screen $args --jobs $jobs $files >"$tmp/out" 2>"$tmp/err" && st=0 || st=$?
        echo "$st" >"$tmp/st"
        for part in out err st; do
            if ! cmp -s "$tmp/ref.$part" "$tmp/$part"; then
                echo "screen-jobs: screen $args --jobs $jobs: $part differs from --jobs 1" >&2
                diff "$tmp/ref.$part" "$tmp/$part" | head -n 10 >&2
                failed=1
            fi
        done
    done
done
rows=$(grep -c , "$tmp/ref.out" || true)

# --symbol: the sample holds no SPY, which is no error (counted in the title), the same bytes
# whatever the number of threads.
files="$tmp/market.csv $root/data/sample-spx.csv $tmp/market.csv"
# shellcheck disable=SC2086
"$gex" screen --symbol SPY --jobs 1 $files >"$tmp/ref.out" 2>"$tmp/ref.err" && st=0 || st=$?
echo "$st" >"$tmp/ref.st"
if [ "$st" != 0 ] || ! grep -q "1 without SPY" "$tmp/ref.out"; then
    echo "screen-jobs: screen --symbol SPY: status $st, title $(head -n 1 "$tmp/ref.out")" >&2
    failed=1
fi
for jobs in 2 3 7; do
    runs=$((runs + 1))
    # shellcheck disable=SC2086
    "$gex" screen --symbol SPY --jobs $jobs $files >"$tmp/out" 2>"$tmp/err" && st=0 || st=$?
    echo "$st" >"$tmp/st"
    for part in out err st; do
        if ! cmp -s "$tmp/ref.$part" "$tmp/$part"; then
            echo "screen-jobs: screen --symbol SPY --jobs $jobs: $part differs from --jobs 1" >&2
            failed=1
        fi
    done
done

# Grouping: a file listing each underlying in one run (the generated market, grouped without
# sorting) and the same contracts with one underlying's second half moved to the end of the file
# (two runs: grouped by the counting sort) print the same rows, on one thread and on three.
second=$(awk -F, 'NR == 2 { print $1; exit }' "$tmp/gen.csv")
total=$(grep -c "^$second," "$tmp/gen.csv")
awk -F, -v u="$second" -v half=$((total / 2)) '
    $1 == u && ++seen > half { moved[++m] = $0; next }
    { print }
    END { for (i = 1; i <= m; i++) print moved[i] }
' "$tmp/gen.csv" >"$tmp/split.csv"
if [ "$(tail -n 1 "$tmp/split.csv" | cut -d, -f1)" != "$second" ] || cmp -s "$tmp/gen.csv" "$tmp/split.csv"; then
    echo "screen-jobs: the file with $second in two runs was not made" >&2
    failed=1
fi
for jobs in 1 3; do
    "$gex" screen --format csv --jobs $jobs "$tmp/gen.csv" 2>/dev/null | sed 's#[^,]*gen\.csv#FILE#' >"$tmp/one-run.csv"
    "$gex" screen --format csv --jobs $jobs "$tmp/split.csv" 2>/dev/null | sed 's#[^,]*split\.csv#FILE#' >"$tmp/two-runs.csv"
    if [ ! -s "$tmp/one-run.csv" ] || ! cmp -s "$tmp/one-run.csv" "$tmp/two-runs.csv"; then
        echo "screen-jobs: --jobs $jobs: $second in two runs screens otherwise than in one" >&2
        diff "$tmp/one-run.csv" "$tmp/two-runs.csv" | head -n 10 >&2
        failed=1
    fi
done
if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "screen-jobs: $runs runs with --jobs 2, 3 and 7 print the bytes of --jobs 1 ($rows csv lines); an underlying in two runs screens as in one"
