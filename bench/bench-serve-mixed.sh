#!/bin/sh
# bench-serve-mixed: `gex serve` under mixed load, from loopback load generators (wrk). The chain
# is the seeded sample (gen-chain --seed 20261118), the server has 2 threads and its access log
# on (to a file). "Uncached" requests each ask an answer the server has never computed:
# /v1/exposure/gex/SPX?min_oi=0.RRTTNNNNNNN1 (RR the wrk run, TT wrk's thread, N a per-thread
# counter; every open interest is a whole number of at least 1, so such a tiny min_oi keeps
# every contract and the answer is 200). The "cached" client asks /v1/exposure/levels/SPX, warmed
# just before. Prints one line per figure:
#   bench-serve-mixed: uncached gex, 1 client: N requests/s (best of 3 rounds of wrk -t1 -c1 ...)
#   bench-serve-mixed: uncached gex, 2 clients: N requests/s, R x 1 client (best of 3 ...)
#   bench-serve-mixed: uncached gex, 8 clients beside a cached client: N requests/s (...)
#   bench-serve-mixed: cached levels beside 8 uncached clients: N requests/s, p50 X ms, p99 Y ms
#     (the worst of 5 rounds of wrk -t1 -c1 -d4s --latency ...; rounds N/s p99 Y ms, ...; ...)
#   bench-serve-mixed: cached levels alone: N requests/s, p50 X ms, p99 Y ms (...)
# One client and two alternate in rounds (1, 2, 1, 2, 1, 2), each figure the best of its rounds
# and the ratio that of the bests: other work on the machine slows a round, not a figure.
# The mixed phase runs in rounds, each with new connections: each starts the 8 uncached
# clients, waits 1 s, runs the cached client for the round less 2 s (so it runs entirely inside
# the uncached run), then waits for the uncached run to end. The server's threads take
# connections as they come, so whether the cached connection shares a thread with uncached
# ones changes from round to round; the cached figure is the round with the worst p99 (every
# round's is printed), the uncached one all rounds' requests over all rounds' time.
#
# Checked, failing loudly otherwise: every uncached response was 200 with X-Gex-Cache: miss
# (wrk's response hook), and in the access log no uncached target repeats, none was a hit and
# every completed one was 200; every cached request was answered from the cache (the access
# log's misses of the levels URL are those of the warming requests, and at most 1 % more: the
# cache holds 512 answers, so a cached client stalled by the machine while the uncached ones
# add more than that finds its entry evicted, and says so); no wrk errors.
#
# Usage: bench-serve-mixed.sh GEX GEN_CHAIN [--smoke]
#   --smoke: one round of each, 1 s, and 2 uncached connections (the mixed round 3 s, its
#            cached client 1 s) so the benchmark cannot rot; also run by the test suite
#            'bench-smoke'. Its figures mean nothing.
# Every request goes to 127.0.0.1; each wrk stops by itself after its duration (and is killed
# by timeout(1) 30 s later if it does not).
set -u
gex=$1
gen_chain=$2
mode=${3:-full}
me=bench-serve-mixed

if ! command -v wrk >/dev/null 2>&1; then
    echo "skipped: wrk is not installed (Debian package wrk); $me not run"
    exit 77
fi
if [ "$mode" = --smoke ]; then
    d=1          # seconds of the cached client alone
    ur=1         # rounds of uncached alone (1 client, 2 clients)
    du=1         # seconds of each
    rounds=1     # rounds of the mixed phase
    dm=3         # each round's uncached run
    mixed_c=2    # its uncached connections
else
    d=10
    ur=3
    du=3
    rounds=5
    dm=6
    mixed_c=8
fi
dc=$((dm - 2)) # each round's cached client, from 1 s after the uncached run starts
threads=2

work=$(mktemp -d /tmp/gex-bench-serve-mixed.XXXXXX)
server_pid=""
bg_pid=""
cleanup() {
    [ -n "$bg_pid" ] && kill -TERM "$bg_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() {
    echo "$me: $*" >&2
    exit 1
}

# The uncached client: a distinct min_oi per request; counts answers that are not 200 or not
# a cache miss; prints one RESULT line.
cat >"$work/uncached.lua" <<'EOF'
local threads = {}
function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end
function init(args)
    run = tonumber(args[1])
    n = 0
    not_200 = 0
    not_miss = 0
    first_bad = ""
end
function request()
    n = n + 1
    return wrk.format("GET", string.format("/v1/exposure/gex/SPX?min_oi=0.%02d%02d%07d1", run, id, n))
end
function response(status, headers, body)
    local cache = "(none)"
    for k, v in pairs(headers) do
        if string.lower(k) == "x-gex-cache" then cache = v end
    end
    if status ~= 200 then not_200 = not_200 + 1 end
    if cache ~= "miss" then not_miss = not_miss + 1 end
    if (status ~= 200 or cache ~= "miss") and first_bad == "" then
        first_bad = string.format("status %d, X-Gex-Cache %s", status, cache)
    end
end
function done(summary, latency, requests)
    local bad, nm, first = 0, 0, ""
    for _, t in ipairs(threads) do
        bad = bad + t:get("not_200")
        nm = nm + t:get("not_miss")
        if first == "" then first = t:get("first_bad") end
    end
    local e = summary.errors
    io.write(string.format("RESULT requests=%d duration_us=%d errors=%d not_200=%d not_miss=%d p50_us=%d p99_us=%d first_bad=%s\n",
        summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
        bad, nm, latency:percentile(50), latency:percentile(99), first))
end
EOF
# The cached client: only a done() hook, so wrk sends its one static request unchanged.
cat >"$work/cached.lua" <<'EOF'
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT requests=%d duration_us=%d errors=%d not_200=0 not_miss=0 p50_us=%d p99_us=%d first_bad=\n",
        summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
        latency:percentile(50), latency:percentile(99)))
end
EOF

# shellcheck source=bench/serve-start.sh
. "$(dirname "$0")/serve-start.sh"
serve_seeded "$me"
base="http://127.0.0.1:$port"
cached_url="$base/v1/exposure/levels/SPX"

# Puts the cached answer in the cache (uncached load may have pushed it out of the LRU);
# counts the warming requests the cache missed, for the access log check.
warm_misses=0
warm() {
    curl -s --max-time 30 -o /dev/null -D "$work/warm.h" -w '%{http_code}' "$cached_url" \
        >"$work/warm.code"
    [ "$(cat "$work/warm.code")" = 200 ] || fail "warming $cached_url answered $(cat "$work/warm.code")"
    if grep -qi '^x-gex-cache: *miss' "$work/warm.h"; then
        warm_misses=$((warm_misses + 1))
    fi
}

# run_wrk NAME ARGS...: runs wrk (bounded), its output in $work/NAME.out; fails on any error.
run_wrk() {
    name=$1
    shift
    timeout -k 5 "$((d + dm + 30))" wrk "$@" >"$work/$name.out" 2>&1
    check "$name"
}
# check NAME: the RESULT line of $work/NAME.out, every count of trouble zero; sets the
# variables requests, rps, p50, p99 (milliseconds).
check() {
    result=$(grep '^RESULT ' "$work/$1.out")
    [ -n "$result" ] || { cat "$work/$1.out" >&2; fail "$1: wrk printed no result"; }
    requests=$(printf '%s\n' "$result" | sed 's/.* requests=\([0-9]*\).*/\1/')
    duration=$(printf '%s\n' "$result" | sed 's/.* duration_us=\([0-9]*\).*/\1/')
    errors=$(printf '%s\n' "$result" | sed 's/.* errors=\([0-9]*\).*/\1/')
    not_200=$(printf '%s\n' "$result" | sed 's/.* not_200=\([0-9]*\).*/\1/')
    not_miss=$(printf '%s\n' "$result" | sed 's/.* not_miss=\([0-9]*\).*/\1/')
    p50=$(printf '%s\n' "$result" | sed 's/.* p50_us=\([0-9]*\).*/\1/')
    p99_us=$(printf '%s\n' "$result" | sed 's/.* p99_us=\([0-9]*\).*/\1/')
    if [ "$requests" -eq 0 ] || [ "$errors" -ne 0 ] || [ "$not_200" -ne 0 ] ||
        [ "$not_miss" -ne 0 ] || grep -q 'Non-2xx' "$work/$1.out"; then
        cat "$work/$1.out" >&2
        fail "$1: $requests requests, $errors wrk errors, $not_200 not 200, $not_miss not a cache miss"
    fi
    rps=$(awk -v n="$requests" -v us="$duration" 'BEGIN { printf "%.1f", n / (us / 1e6) }')
    p50=$(awk -v us="$p50" 'BEGIN { printf "%.3f", us / 1000 }')
    p99=$(awk -v us="$p99_us" 'BEGIN { printf "%.3f", us / 1000 }')
}

warm # the server answers before any load

# uncached ARGS...: one uncached wrk run in the background, with the next run number (no two
# runs share a target); sets bg_pid.
run_no=0
uncached() {
    run_no=$((run_no + 1))
    timeout -k 5 "$((d + dm + 30))" wrk "$@" --timeout 10s -s "$work/uncached.lua" "$base/" \
        -- $run_no >"$work/u.out" 2>&1 &
    bg_pid=$!
}
uncached_n=0 # requests completed by every uncached run, for the access log check

# 1 and 2: uncached alone, one client then two, in alternating rounds; the best of each.
u1_rps=0
u2_rps=0
u1_all=""
u2_all=""
round=1
while [ $round -le $ur ]; do
    for c in 1 2; do
        uncached -t$c -c$c -d${du}s
        wait "$bg_pid"
        bg_pid=""
        check u
        uncached_n=$((uncached_n + requests))
        if [ $c = 1 ]; then
            u1_all="$u1_all${u1_all:+, }$rps"
            u1_rps=$(awk -v a="$rps" -v b="$u1_rps" 'BEGIN { print (a > b) ? a : b }')
        else
            u2_all="$u2_all${u2_all:+, }$rps"
            u2_rps=$(awk -v a="$rps" -v b="$u2_rps" 'BEGIN { print (a > b) ? a : b }')
        fi
    done
    round=$((round + 1))
done

# 3: mixed, in rounds, each with new connections (the server's threads take connections as
# they come, and a cached client that shares a thread with uncached ones fares differently from
# one that does not). Each round: the uncached run in the background; the cached client from
# 1 s in, for dm - 2 s. The cached figure is the round with the worst p99.
um_n=0
um_us=0
cm_all=""
cm_p99_us=-1
round=1
while [ $round -le $rounds ]; do
    uncached -t2 -c$mixed_c -d${dm}s
    sleep 1
    warm
    run_wrk cm -t1 -c1 -d${dc}s --timeout 10s --latency -s "$work/cached.lua" "$cached_url"
    cm_all="$cm_all${cm_all:+, }$(printf '%.0f/s p99 %s ms' "$rps" "$p99")"
    if [ "$p99_us" -gt "$cm_p99_us" ]; then
        cm_p99_us=$p99_us
        cm_rps=$rps
        cm_p50=$p50
        cm_p99=$p99
    fi
    wait "$bg_pid"
    bg_pid=""
    check u
    uncached_n=$((uncached_n + requests))
    um_n=$((um_n + requests))
    um_us=$((um_us + duration))
    round=$((round + 1))
done
um_rps=$(awk -v n="$um_n" -v us="$um_us" 'BEGIN { printf "%.1f", n / (us / 1e6) }')
rounds_of="$rounds rounds of"
[ "$rounds" -eq 1 ] && rounds_of="1 round of"

# 4: the cached client alone, the reference.
warm
run_wrk ca -t1 -c1 -d${d}s --timeout 10s --latency -s "$work/cached.lua" "$cached_url"
ca_rps=$rps
ca_p50=$p50
ca_p99=$p99

kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
[ $rc -eq 0 ] || fail "gex serve exited $rc on SIGTERM"

# The access log: uncached targets distinct, never a hit, 200 when completed (a request still
# in flight when wrk stopped is logged "aborted"), at least as many as wrk completed; the
# cached URL missed only when warming.
awk -v warm_misses="$warm_misses" -v completed="$uncached_n" '
    / "GET \/v1\/exposure\// {
        status = ""; cache = ""; target = ""; aborted = 0
        for (i = 1; i <= NF; i++) {
            if ($i == "\"GET") { target = $(i + 1); sub(/"$/, "", target); status = $(i + 2) }
            if ($i == "hit" || $i == "miss") cache = $i
            if ($i == "aborted") aborted = 1
        }
        if (target ~ /^\/v1\/exposure\/gex\/SPX\?min_oi=0\./) {
            uncached++
            if (seen[target]++) repeats++
            if (cache != "miss") not_miss++
            if (!aborted && status != 200) not_200++
        } else if (target == "/v1/exposure/levels/SPX") {
            cached++
            if (cache != "hit") cached_misses++
        } else
            other++
    }
    END {
        # The cache holds 512 answers: when the machine stalls the cached client while more
        # uncached answers than that arrive, its entry is evicted and its next request misses.
        # A few such misses are the server working as designed; more than 1 % of the cached
        # requests would make the cached figure something else.
        evicted = cached_misses - warm_misses
        if (uncached < completed || repeats || not_miss || not_200 || evicted < 0 || evicted * 100 > cached || other) {
            printf "bench-serve-mixed: access log: %d uncached requests logged (wrk completed %d), %d repeated, %d not a miss, %d not 200; %d cached requests missed (%d warming); %d other requests\n",
                uncached, completed, repeats, not_miss, not_200, cached_misses, warm_misses, other > "/dev/stderr"
            exit 1
        }
        if (evicted > 0)
            printf "bench-serve-mixed: %d of %d cached requests missed after their entry was evicted (the client stalled)\n", evicted, cached
    }' "$work/serve.log" || exit 1

ratio=$(awk -v a="$u2_rps" -v b="$u1_rps" 'BEGIN { printf "%.2f", a / b }')
where="loopback, $threads server threads"
ur_of="best of $ur rounds of"
[ "$ur" -eq 1 ] && ur_of="1 round of"
printf '%s: uncached gex, 1 client: %.1f requests/s (%s wrk -t1 -c1 -d%ss: %s; every answer a miss, %s)\n' \
    "$me" "$u1_rps" "$ur_of" "$du" "$u1_all" "$where"
printf '%s: uncached gex, 2 clients: %.1f requests/s, %s x 1 client (%s wrk -t2 -c2 -d%ss: %s; every answer a miss, %s)\n' \
    "$me" "$u2_rps" "$ratio" "$ur_of" "$du" "$u2_all" "$where"
printf '%s: uncached gex, %s clients beside a cached client: %.1f requests/s (%s wrk -t2 -c%s -d%ss, every answer a miss, %s)\n' \
    "$me" "$mixed_c" "$um_rps" "$rounds_of" "$mixed_c" "$dm" "$where"
printf '%s: cached levels beside %s uncached clients: %.0f requests/s, p50 %s ms, p99 %s ms (the worst of %s wrk -t1 -c1 -d%ss --latency from 1 s into the uncached run; rounds %s; %s)\n' \
    "$me" "$mixed_c" "$cm_rps" "$cm_p50" "$cm_p99" "$rounds_of" "$dc" "$cm_all" "$where"
printf '%s: cached levels alone: %.0f requests/s, p50 %s ms, p99 %s ms (wrk -t1 -c1 -d%ss --latency, %s)\n' \
    "$me" "$ca_rps" "$ca_p50" "$ca_p99" "$d" "$where"
