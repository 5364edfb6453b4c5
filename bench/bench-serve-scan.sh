#!/bin/sh
# bench-serve-scan: does a scan of the served folder hold up cached answers? A loopback load
# generator (wrk -t1 -c8 --latency) asks `gex serve` (2 threads, access log to a file) for a
# cached /v1/exposure/levels/SPX of the seeded sample (gen-chain --seed 20261118, via
# serve-start.sh) while
#   (a) a whole-market chain (gen-chain --market --underlyings 5000, about 205 MB, made
#       beforehand, dated older so that it does not become SPX's newest file) is renamed into
#       the folder 1 s into the run: the server reads all of it to learn its underlyings;
#   (b) the folder holds 20,000 more small chain files (one underlying each) and a writer
#       adds and removes a file every 100 ms, so the folder is scanned again and again.
# Each phase is preceded by the same wrk run without the fault (the baseline). Prints:
#   bench-serve-scan: cached levels, baseline: N requests/s (R), p99 X ms, max Y ms, T unanswered
#     after 30 s (wrk ...)
#   bench-serve-scan: cached levels while a 205 MB chain is added: ...
#   bench-serve-scan: cached levels, 20,000 files, baseline: ...
#   bench-serve-scan: cached levels while 20,000 files are rescanned: ...
# Checked, failing loudly otherwise: every answer 200 (wrk's non-2xx), every connection made,
# the added file's symbols are served once it is read. Requests unanswered after 30 s and
# connections the server closed mid-request (a stall past its 10 s idle timeout) are counted.
#
# Usage: bench-serve-scan.sh GEX GEN_CHAIN [--smoke]
#   --smoke: a small market (20 stocks), 200 extra files, 2 s runs, so the benchmark cannot rot;
#            also run by the test suite 'bench-smoke'. Its figures mean nothing.
# Every request goes to 127.0.0.1; each wrk stops by itself (and timeout(1) kills it 30 s later
# if it does not).
set -u
gex=$1
gen_chain=$2
mode=${3:-full}
me=bench-serve-scan

if ! command -v wrk >/dev/null 2>&1; then
    echo "skipped: wrk is not installed (Debian package wrk); $me not run"
    exit 77
fi
if [ "$mode" = --smoke ]; then
    stocks=20
    nfiles=200
    d=2
else
    stocks=5000
    nfiles=20000
    d=20
fi
threads=2
# A request waiting up to 30 s still counts (wrk's default gives up at 2 s, and a request still
# waiting when the run ends is not counted at all: the longest stalls would go unseen).
wrk_args="-t1 -c8 -d${d}s --timeout 30s --latency"

base=$(mktemp -d /tmp/gex-bench-serve-scan.XXXXXX)
server_pid=""
bg_pid=""
cleanup() {
    [ -n "$bg_pid" ] && kill -TERM "$bg_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null
    rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() {
    echo "$me: $*" >&2
    exit 1
}

# shellcheck source=bench/serve-start.sh
. "$(dirname "$0")/serve-start.sh"

# ms VALUE_WITH_UNIT: wrk's "1.23ms", "850.00us", "1.02s" in milliseconds.
ms() {
    echo "$1" | awk '/us$/ {printf "%.2f", $0 / 1000; next} /ms$/ {printf "%.2f", $0 + 0; next}
                     /s$/ {printf "%.0f", $0 * 1000; next} {print "?"}'
}

# run LABEL [ACTION]: wrk on the cached URL; ACTION (a shell function) runs 1 s in. Prints the
# figure line.
run() {
    label=$1
    action=${2:-}
    # shellcheck disable=SC2086
    timeout $((d + 30)) wrk $wrk_args "$url" >"$base/wrk.out" 2>&1 &
    wrk_pid=$!
    if [ -n "$action" ]; then
        sleep 1
        $action
    fi
    wait "$wrk_pid" || fail "wrk failed: $(cat "$base/wrk.out")"
    if grep -q -e 'Non-2xx' -e 'Socket errors: connect [1-9]' "$base/wrk.out"; then
        fail "wrk reported errors during '$label': $(cat "$base/wrk.out")"
    fi
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$base/wrk.out")
    n=$(awk '$2 == "requests" && $3 == "in" {print $1}' "$base/wrk.out")
    timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' "$base/wrk.out")
    # Read or write errors: connections the server closed (its 10 s idle timeout) mid-request.
    dropped=$(sed -n 's/.*read \([0-9]*\), write \([0-9]*\).*/\1 \2/p' "$base/wrk.out" |
        awk '{print $1 + $2}')
    p99=$(ms "$(awk '$1 == "99%" {print $2}' "$base/wrk.out")")
    max=$(ms "$(awk '$1 == "Latency" {print $4; exit}' "$base/wrk.out")")
    printf '%s: cached levels%s: %.0f requests/s (%s), p99 %s ms, max %s ms, %s unanswered after 30 s, %s connections closed mid-request (wrk %s, loopback, %s server threads)\n' \
        "$me" "$label" "$rps" "$n" "$p99" "$max" "${timeouts:-0}" "${dropped:-0}" "$wrk_args" \
        "$threads"
}

# wait_for SYMBOL: until the server answers 200 for it (at most 180 s).
wait_for() {
    i=0
    while [ $i -lt 1800 ]; do
        code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' \
            "http://127.0.0.1:$port/v1/exposure/levels/$1")
        [ "$code" = 200 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "$1 was never served (last status $code)"
}

stop() {
    kill -TERM "$server_pid"
    wait "$server_pid" || fail "gex serve exited $? on SIGTERM"
    server_pid=""
}

# ---- (a) a large chain added ----
"$gen_chain" --seed 5 --market --underlyings "$stocks" -o "$base/market.csv" 2>/dev/null ||
    fail "gen-chain --market failed"
touch -d '2020-01-02 03:04:05' "$base/market.csv"
size_mb=$(($(wc -c <"$base/market.csv") / 1000000))
# A stock of the market file (not SPX: the cached client's file stays SPX's newest).
stock=$(sed -n '2,$p' "$base/market.csv" | cut -d, -f1 | grep -v -e '^SPX' -e '^SPY' -e '^QQQ' |
    tail -1)
work="$base/a"
mkdir "$work"
serve_seeded "$me"
url="http://127.0.0.1:$port/v1/exposure/levels/SPX"
wait_for SPX
run ", baseline"
add_market() { mv "$base/market.csv" "$work/chains/market.csv"; }
run " while a $size_mb MB chain is added" add_market
wait_for "$stock"
stop

# ---- (b) a folder of 20,000 files, rescanned ----
work="$base/b"
mkdir "$work" "$work/many"
awk -v n="$nfiles" -v dir="$work/many" 'BEGIN {
    for (i = 0; i < n; i++) {
        f = sprintf("%s/s%05d.csv", dir, i)
        print "underlying,option_symbol,expiration,strike,type,bid,ask,last,iv,open_interest,volume,underlying_price,quote_time" >f
        printf "S%05d,S%05d261218C00100000,2026-12-18,100,C,5.00,5.20,5.10,0.25,100,10,101.5,2026-11-18T19:30:00Z\n", i, i >f
        printf "S%05d,S%05d261218P00100000,2026-12-18,100,P,4.00,4.20,4.10,0.25,120,10,101.5,2026-11-18T19:30:00Z\n", i, i >f
        close(f)
    }
}'
# As serve_seeded, with the small files moved in before the server starts.
serve_many() {
    mkdir "$work/chains"
    "$gen_chain" --seed 20261118 -o "$work/chains/spx.csv" || exit 1
    find "$work/many" -name 's*.csv' -exec mv -t "$work/chains" {} +
    "$gex" serve --port 0 --threads "$threads" "$work/chains" 2>"$work/serve.log" &
    server_pid=$!
    port=""
    i=0
    while [ -z "$port" ] && [ $i -lt 100 ]; do
        sleep 0.1
        port=$(sed -n 's|^gex serve: serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
            "$work/serve.log")
        i=$((i + 1))
    done
    [ -n "$port" ] || fail "gex serve did not start: $(cat "$work/serve.log")"
}
serve_many
url="http://127.0.0.1:$port/v1/exposure/levels/SPX"
wait_for SPX
wait_for "$(printf 'S%05d' $((nfiles - 1)))"
run ", $nfiles files, baseline"
churn() {
    (
        i=0
        while [ ! -e "$base/stop" ]; do
            printf 'x\n' >"$work/chains/churn-$i.txt"
            sleep 0.05
            rm -f "$work/chains/churn-$i.txt"
            sleep 0.05
            i=$((i + 1))
        done
    ) &
    bg_pid=$!
}
run " while $nfiles files are rescanned" churn
touch "$base/stop"
wait "$bg_pid"
bg_pid=""
stop
