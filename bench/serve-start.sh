# Sourced by bench-serve.sh and bench-serve-mixed.sh: starts `gex serve` on the seeded sample
# chain over loopback, the way both benchmarks measure it.
#
# serve_seeded NAME: with $gex, $gen_chain, $threads and $work set, writes the seeded chain
# (gen-chain --seed 20261118) to $work/chains, starts the server there on a free port with
# $threads threads and its log in $work/serve.log, and sets server_pid (for the caller's
# cleanup) and port. Exits 1, naming NAME, when the server does not start within 10 s.
# shellcheck shell=sh disable=SC2154,SC2034
# (the variables are the sourcing script's: it sets gex, gen_chain, threads and work, and
# reads server_pid and port.)
serve_seeded() {
    mkdir "$work/chains"
    "$gen_chain" --seed 20261118 -o "$work/chains/spx.csv" || exit 1
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
    if [ -z "$port" ]; then
        echo "$1: gex serve did not start:" >&2
        cat "$work/serve.log" >&2
        exit 1
    fi
}
