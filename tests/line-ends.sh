#!/bin/sh
# Every layout reads a file whose lines end in a lone CR (the old Mac "CSV (Macintosh)" save) as
# its copy with LF line ends: `gex summary --format json` prints the same bytes, standard error
# and exit status too (meta.file is the same name, read from a folder of its own). The copies
# are made by the shell, CRLF and LF both turned into CR. A CRLF copy reads the same as well.
# Files of ../shared are skipped when it is absent; the fixtures of tests/data always run.
#
# Usage: tests/line-ends.sh GEX SOURCE_ROOT
set -eu
gex=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # run from the copies' folders
root=$2
data=$root/tests/data
shared=$(cd "$root/.." 2>/dev/null && pwd)/shared
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/lf" "$tmp/cr" "$tmp/crlf"
fail=0
ran=0

# check FILE ARGS...: FILE read with ARGS from LF, CR and CRLF copies of the same name.
check() {
    src=$1
    shift
    if [ ! -f "$src" ]; then
        echo "skipped: $src absent"
        return 0
    fi
    base=$(basename "$src")
    tr -d '\r' <"$src" >"$tmp/lf/$base"
    tr -d '\r' <"$src" | tr '\n' '\r' >"$tmp/cr/$base"
    tr -d '\r' <"$src" | sed 's/$/\r/' >"$tmp/crlf/$base"
    for kind in lf cr crlf; do
        set +e
        (cd "$tmp/$kind" && "$gex" summary --format json "$@" "$base") \
            >"$tmp/$kind.out" 2>"$tmp/$kind.err"
        echo $? >"$tmp/$kind.rc"
        set -e
    done
    ran=$((ran + 1))
    for kind in cr crlf; do
        for part in out err rc; do
            if ! cmp -s "$tmp/lf.$part" "$tmp/$kind.$part"; then
                echo "FAIL: $base with $kind line ends: $part differs from LF" >&2
                diff "$tmp/lf.$part" "$tmp/$kind.$part" | head -5 >&2
                fail=1
            fi
        done
    done
    if [ "$(cat "$tmp/lf.rc")" != 0 ]; then
        echo "FAIL: $base does not read with LF line ends:" >&2
        cat "$tmp/lf.err" >&2
        fail=1
    fi
    rm -f "$tmp/lf/$base" "$tmp/cr/$base" "$tmp/crlf/$base"
}

# long CSV, with a snapshot column; CBOE CSV, re-saved with European dates, with semicolons
check "$data/cli-inputs/xyz.csv" --now 2024-03-15T15:00
check "$data/formats/long-two-captures.csv" --at 2024-03-15T14:00:12Z
check "$data/cli-inputs/xyz-cboe.csv"
check "$data/formats/cboe-eu-resaved.csv" --spot 398.7 --now 2022-09-12T16:00
check "$data/formats/cboe-nvda-2025-01-06-rows-eu.csv"
# thinkorswim, NSE, Barchart, OptionMetrics (fixtures)
check "$data/formats/tos-spy-2023-11-07.csv"
check "$data/formats/option-chain-ED-NIFTY-30-Dec-2025.csv" --spot 26050 --now 2025-12-19T15:00
check "$data/formats/gpre-options-exp-2026-06-18-monthly-show-all-stacked-04-14-2026.csv"
check "$data/formats/optionmetrics-gld-oi-2days.csv" --spot 159.6 --at 2022-09-01T20:00:00Z
# the real samples: CBOE (current, 2020, before 2019), yfinance, Deribit (both), CBOE JSON
check "$shared/chains/cboe_tsla_2023-08-20_single-stock.csv"
check "$shared/chains/cboe-legacy2020_spy_2020-06-22.dat"
check "$shared/formats/cboe-legacy2016_aapl_2016-11-04_no-expiry-col.dat"
check "$shared/chains/yfinance_spy_2026-02-11_intraday.csv" --now 2026-02-11T14:00
check "$shared/formats/deribit-booksummary_btc_2024-03-12_iv-100-wings.csv"
check "$shared/formats/deribit-ui-export_btc_2026-04-30_exp-1MAY26_dash-placeholders.csv" \
    --spot 75560 --now 2026-04-30T01:00
check "$shared/chains/cboe-json_rut_2023-09-20.json"

[ "$fail" = 0 ] || exit 1
echo "line-ends: $ran files read alike with LF, CR and CRLF line ends"
