#!/bin/sh
# gex_strerror takes a gex_status: a pricing outcome (gex_bs_status), an implied-volatility
# outcome (gex_iv_status) or an American pricing outcome (gex_am_status), whose values collide
# with the statuses', does not compile there under -Werror=enum-conversion, while statuses and
# the other outcomes' own name functions do.
# Usage: enum-conversion.sh SOURCE_ROOT CC [CC_ARGS...]   (meson passes the project's compiler)
# Exits 77 (skip) when the compiler has no -Wenum-conversion (GCC before 10).
set -u
root=$1
shift
dir=$root/tests/enum-conversion
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
flags="-std=c17 -pedantic-errors -Wall -Wextra -Werror=enum-conversion -I$root/include -c"

printf 'int enum_conversion_probe(void);\nint enum_conversion_probe(void) { return 0; }\n' \
    >"$tmp/probe.c"
if ! "$@" $flags "$tmp/probe.c" -o "$tmp/probe.o" >"$tmp/probe.log" 2>&1; then
    echo "enum-conversion: skipped: $* does not support -Werror=enum-conversion:"
    cat "$tmp/probe.log"
    exit 77
fi

status=0
if ! "$@" $flags "$dir/statuses-named.c" -o "$tmp/control.o" >"$tmp/control.log" 2>&1; then
    echo "FAIL: the control statuses-named.c does not compile:"
    cat "$tmp/control.log"
    status=1
else
    echo "ok: statuses-named.c compiles"
fi
for bad in bs-status-to-strerror iv-status-to-strerror am-status-to-strerror; do
    if "$@" $flags "$dir/$bad.c" -o "$tmp/$bad.o" >"$tmp/$bad.log" 2>&1; then
        echo "FAIL: $bad.c compiles: gex_strerror accepts an outcome that is not a gex_status"
        status=1
    elif ! grep -q 'enum-conversion' "$tmp/$bad.log"; then
        echo "FAIL: $bad.c fails to compile, but not for the enum conversion:"
        cat "$tmp/$bad.log"
        status=1
    else
        echo "ok: $bad.c is refused:"
        grep 'enum-conversion' "$tmp/$bad.log"
    fi
done
exit $status
