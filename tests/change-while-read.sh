#!/bin/sh
# A chain file that changes while gex reads it is refused, never answered from the part read:
# the first read of it (a preloaded shim, tests/change-while-read.c) truncates it or makes it
# longer, on one thread (a stream) and on two (ranges), in levels and screen. Without the
# change the same runs answer.
#
#   change-while-read.sh GEX GEN_CHAIN SHIM
set -u
gex=$1
gen=$2
shim=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
failures=0
ok() { echo "ok: $1"; }
fail() {
    echo "FAIL: $1"
    failures=$((failures + 1))
}

"$gen" --big -o "$work/big.csv" >/dev/null 2>&1 || {
    echo "FAIL: gen-chain --big"
    exit 1
}
size=$(wc -c <"$work/big.csv")

# run NAME NEW_SIZE ARGS...: gex ARGS on a fresh copy, the copy's length set to NEW_SIZE at the
# first read of it; prints gex's exit status, its stderr in $work/err, stdout in $work/out
run() {
    name=$1
    new=$2
    shift 2
    cp "$work/big.csv" "$work/chain.csv"
    rm -f "$work/mark"
    GEX_CHANGE_FILE="$work/chain.csv" GEX_CHANGE_SIZE=$new GEX_CHANGE_MARK="$work/mark" \
        LD_PRELOAD="$shim" "$gex" "$@" "$work/chain.csv" >"$work/out" 2>"$work/err"
    echo $?
}

for jobs in 1 2; do
    for change in shorter longer; do
        case $change in
        shorter) new=$((size / 2)) ;;
        longer) new=$((size + 4096)) ;;
        esac
        for cmd in levels screen; do
            what="$cmd --jobs $jobs, the file made $change"
            st=$(run "$what" "$new" "$cmd" --jobs "$jobs" --format csv)
            if [ ! -e "$work/mark" ]; then
                fail "$what: the preload never changed the file (not preloaded?)"
            elif [ "$st" != 3 ]; then
                fail "$what: exit $st, not 3"
                cat "$work/err"
            elif ! grep -q "chain.csv: the file changed while it was read" "$work/err"; then
                fail "$what: the message does not say the file changed"
                cat "$work/err"
            elif grep -q "^SPX" "$work/out" || grep -q "^gamma_flip\|^level" "$work/out"; then
                fail "$what: a row from the part read"
                cat "$work/out"
            else
                ok "$what: refused, exit 3"
            fi
        done
    done
done

# The same runs on a file nobody changes (the shim loaded, the file it watches another) answer.
for jobs in 1 2; do
    cp "$work/big.csv" "$work/chain.csv"
    if GEX_CHANGE_FILE="$work/other.csv" GEX_CHANGE_SIZE=0 LD_PRELOAD="$shim" \
        "$gex" levels --jobs "$jobs" "$work/chain.csv" >/dev/null 2>"$work/err"; then
        ok "levels --jobs $jobs on an unchanged file: answered"
    else
        fail "levels --jobs $jobs on an unchanged file"
        cat "$work/err"
    fi
done

[ "$failures" -eq 0 ] || {
    echo "$failures failed"
    exit 1
}
