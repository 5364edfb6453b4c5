#!/bin/sh
# bench-history: `gex history` over a folder of daily files of one index chain (gen-chain
# --days, SPX only), cold (no store: every file read) and warm (the store holds every file),
# with the maximum resident set size of each run. Prints three lines:
#   bench-history: cold: N files in S s: F files/s, F/J files/s per core (--jobs J), max RSS M MB;
#     C contracts/s per core: E files of 20,000 contracts/s per core
#   bench-history: warm: ...
#   bench-history: folder: N files, B MB (gen-chain --days N [--big])
# MB: a million bytes, as the other benchmark programs count them (the RSS from kB, the folder
# from du's kB).
# "Cold" is the store's state: the files are read from wherever the system holds them. A
# folder just generated or read is in the page cache; one that is not is read from the disk
# (on the 2-core machine of the README, 40 --big files: 6.25 s against 1.7 s).
#
# Usage: bench-history.sh GEX GEN_CHAIN [--days N] [--big] [--work DIR] [--jobs J] [--smoke]
#   --days N   daily files (default 2500, ten years of trading days)
#   --big      the index listed in full (about 52,000 contracts a file, ~5 MB); default the
#              smaller chain (about 3,600 contracts, ~0.35 MB)
#   --work DIR keep the generated folder there and reuse it (default a temporary folder,
#              removed at the end)
#   --jobs J   gex's threads (default: the online cores)
#   --smoke    5 small files: so the benchmark cannot rot (the suite 'bench-smoke')
set -u
gex=$1
gen_chain=$2
shift 2
days=2500
big=""
work=""
jobs=$(nproc 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
    case $1 in
    --days) days=$2; shift 2 ;;
    --big) big=--big; shift ;;
    --work) work=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --smoke) days=5; shift ;;
    *) echo "bench-history: unknown argument $1" >&2; exit 2 ;;
    esac
done

keep=1
if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/gex-bench-history.XXXXXX)
    keep=0
fi
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
dir="$work/SPX-$days${big:+-big}"
if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$dir" || exit 3
    "$gen_chain" --days "$days" --dir "$dir" --symbols SPX $big >/dev/null 2>&1 || exit 3
    touch "$dir/.complete"
fi
mb=$(du -sk "$dir" | awk '{ printf "%.0f", $1 * 1024 / 1e6 }')
files=$(find "$dir" -name '*.csv' | wc -l)

# seconds and max RSS (KB) of one run, from GNU time when installed, else the shell's clock,
# kept in $work/LABEL.run for report
run() { # label, then gex's arguments
    label=$1
    shift
    start=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$work/rss" "$gex" history --jobs "$jobs" "$@" >/dev/null ||
            exit 4
        rss=$(tail -1 "$work/rss")
    else
        "$gex" history --jobs "$jobs" "$@" >/dev/null || exit 4
        rss=""
    fi
    end=$(date +%s.%N)
    echo "$start $end $rss" >"$work/$label.run"
}

# the line of one run (label), once the contracts are counted
report() {
    label=$1
    read -r start end rss <"$work/$label.run"
    awk -v l="$label" -v n="$files" -v s="$start" -v e="$end" -v j="$jobs" -v r="$rss" \
        -v c="$contracts" 'BEGIN {
        t = e - s; if (t <= 0) t = 1e-9
        printf "bench-history: %s: %d files in %.2f s: %.1f files/s, %.1f files/s per core " \
            "(--jobs %d), max RSS %s; %.0f contracts/s per core: %.1f files of 20,000 " \
            "contracts/s per core\n", l, n, t, n / t, n / t / j, j,
            r == "" ? "unknown" : sprintf("%.0f MB", r * 1024 / 1e6), c / t / j, c / t / j / 20000
    }'
}

rm -f "$dir/.gex-history.sqlite"
run cold "$dir"
run warm "$dir"
# every line but each file's header is a contract (gen-chain's long CSV); counted after the
# runs, so that reading the files does not bring them into the page cache for the cold one
lines=$(find "$dir" -name '*.csv' -exec cat {} + | wc -l)
contracts=$((lines - files))
report cold
report warm
echo "bench-history: folder: $files files, $mb MB (gen-chain --days $days${big:+ --big})"
