#!/bin/sh
# gex screen over a file of several snapshots (SPEC 2.9) gives one row per underlying and
# snapshot, each with its own as_of, and each row is the row that the same screen prints for
# that snapshot alone (--at its instant): the reading of one snapshot is the independent
# reference. The file: three underlyings of a generated market (SPY, GLD and the single stock
# SFEX1), captured three times five minutes apart with the spot moved each time (the rows of each
# capture in file order, as intraday captures are appended). Also: the same bytes with --jobs 3;
# a single-snapshot command still asks for --at.
#
# Usage: tests/screen-snapshots.sh GEX GEN_CHAIN
set -eu
gex=$1
gen=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --market --underlyings 2 -o "$tmp/market.csv" 2>/dev/null
# columns: underlying ... underlying_price (12), quote_time (13)
awk -F, -v OFS=, '
    NR == 1 { print; next }
    $1 == "SPY" || $1 == "GLD" || $1 == "SFEX1" { row[++n] = $0 }
    END {
        split("19:30:00 19:35:00 19:40:00", at, " ")
        split("1 1.004 0.997", move, " ")
        for (k = 1; k <= 3; k++)
            for (i = 1; i <= n; i++) {
                split(row[i], f, ",")
                f[12] = sprintf("%.2f", f[12] * move[k])
                f[13] = "2026-11-18T" at[k] "Z"
                line = f[1]
                for (j = 2; j <= 13; j++) line = line "," f[j]
                print line
            }
    }' "$tmp/market.csv" >"$tmp/snaps.csv"

"$gex" screen --format csv "$tmp/snaps.csv" >"$tmp/all.csv" 2>"$tmp/all.err"
rows=$(($(wc -l <"$tmp/all.csv") - 1))
if [ "$rows" -ne 9 ]; then
    echo "FAIL: $rows rows, expected 9 (3 underlyings x 3 snapshots)"
    cat "$tmp/all.csv" "$tmp/all.err"
    exit 1
fi
for t in 2026-11-18T19:30:00Z 2026-11-18T19:35:00Z 2026-11-18T19:40:00Z; do
    "$gex" screen --format csv --at "$t" "$tmp/snaps.csv" >"$tmp/one.csv" 2>/dev/null
    if [ "$(($(wc -l <"$tmp/one.csv") - 1))" -ne 3 ]; then
        echo "FAIL: --at $t: not 3 rows"
        cat "$tmp/one.csv"
        exit 1
    fi
    # every row of the snapshot alone is a row of the whole screen, with that as_of
    tail -n +2 "$tmp/one.csv" | while IFS= read -r line; do
        case $line in
        *",$t,"*) ;;
        *)
            echo "FAIL: --at $t gave a row of another instant: $line"
            exit 1
            ;;
        esac
        if ! grep -qxF "$line" "$tmp/all.csv"; then
            echo "FAIL: the row of --at $t is not in the screen of every snapshot: $line"
            cat "$tmp/all.csv"
            exit 1
        fi
    done
done
# the rows in the order of the snapshots, then of the underlyings in the file
tail -n +2 "$tmp/all.csv" | cut -d, -f1,3 >"$tmp/order"
printf '%s\n' SPY,2026-11-18T19:30:00Z GLD,2026-11-18T19:30:00Z SFEX1,2026-11-18T19:30:00Z \
    SPY,2026-11-18T19:35:00Z GLD,2026-11-18T19:35:00Z SFEX1,2026-11-18T19:35:00Z \
    SPY,2026-11-18T19:40:00Z GLD,2026-11-18T19:40:00Z SFEX1,2026-11-18T19:40:00Z >"$tmp/order.want"
if ! cmp -s "$tmp/order" "$tmp/order.want"; then
    echo "FAIL: row order"
    diff "$tmp/order.want" "$tmp/order"
    exit 1
fi
"$gex" screen --format csv --jobs 3 "$tmp/snaps.csv" >"$tmp/jobs.csv" 2>"$tmp/jobs.err"
cmp "$tmp/all.csv" "$tmp/jobs.csv"
cmp "$tmp/all.err" "$tmp/jobs.err"
# a single-snapshot command names the snapshots and asks for --at
status=0
"$gex" gex --symbol SPY "$tmp/snaps.csv" >/dev/null 2>"$tmp/gex.err" || status=$?
if [ "$status" -ne 3 ] || ! grep -q -- "3 snapshots.*--at" "$tmp/gex.err"; then
    echo "FAIL: gex gex on 3 snapshots: status $status"
    cat "$tmp/gex.err"
    exit 1
fi
echo "ok: 9 rows, each equal to its snapshot's screen with --at; --jobs 3 identical"
