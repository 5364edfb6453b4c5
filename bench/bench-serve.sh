#!/bin/sh
# bench-serve: requests per second of `gex serve` answering a cached /v1/exposure/levels from a
# loopback load generator (wrk). The chain is the seeded sample (gen-chain --seed 20261118);
# the first request fills the cache, wrk then measures cached answers, access log on (to a
# file). Prints one line:
#   bench-serve: cached levels: N requests/s (wrk -t2 -c64 -d10s, loopback, T server threads)
#
# Usage: bench-serve.sh GEX GEN_CHAIN [--smoke]
#   --smoke: a tiny bounded burst (1 s, 4 connections) so the benchmark cannot rot; also run
#            by the test suite 'bench-smoke'.
# Every request goes to 127.0.0.1; wrk stops by itself after its duration.
set -u
gex=$1
gen_chain=$2
mode=${3:-full}

if ! command -v wrk >/dev/null 2>&1; then
    echo "skipped: wrk is not installed (Debian package wrk); bench-serve not run"
    exit 77
fi
if [ "$mode" = --smoke ]; then
    wrk_args="-t1 -c4 -d1s"
else
    wrk_args="-t2 -c64 -d10s"
fi

work=$(mktemp -d /tmp/gex-bench-serve.XXXXXX)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

threads=$(nproc 2>/dev/null || echo 1)
# shellcheck source=bench/serve-start.sh
. "$(dirname "$0")/serve-start.sh"
serve_seeded bench-serve
url="http://127.0.0.1:$port/v1/exposure/levels/SPX"
code=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$url")
if [ "$code" != 200 ]; then
    echo "bench-serve: the first request answered $code" >&2
    exit 1
fi

# shellcheck disable=SC2086
wrk $wrk_args "$url" >"$work/wrk.out" 2>&1
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/wrk.out")
if [ -z "$rps" ] || grep -q -e 'Non-2xx' -e 'Socket errors' "$work/wrk.out"; then
    echo "bench-serve: wrk reported errors:" >&2
    cat "$work/wrk.out" >&2
    exit 1
fi
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
if [ $rc -ne 0 ]; then
    echo "bench-serve: gex serve exited $rc on SIGTERM" >&2
    exit 1
fi
printf 'bench-serve: cached levels: %.0f requests/s (wrk %s, loopback, %s server threads)\n' \
    "$rps" "$wrk_args" "$threads"
