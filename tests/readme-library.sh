#!/bin/sh
# The README's library example ("## The library", its C block) compiled exactly as written
# against the built libgex and run from the project root: it must exit 0 and print the gamma
# flip line. Skipped, saying so, without a C compiler.
# Usage: readme-library.sh SOURCE_ROOT BUILD_ROOT [SANITIZERS]
#   SANITIZERS: the build's b_sanitize ("address,undefined"; "none"), so that the example is
#   built with the runtime its library needs.
set -u
root=$1
build=$2
sanitize=${3:-none}
san_flags=
[ "$sanitize" = none ] || san_flags="-fsanitize=$sanitize"

cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "skipped: no C compiler ($cc)"
    exit 77
fi
tmp=$(mktemp -d /tmp/gex-readme-library.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
awk '/^## The library/{l=1; next} /^## /{l=0} l&&/^```c/{c=1; next} l&&c&&/^```/{exit} l&&c{print}' \
    "$root/README.md" >"$tmp/example.c"
if [ ! -s "$tmp/example.c" ]; then
    echo "FAIL: no C block under '## The library' in README.md"
    exit 1
fi
# shellcheck disable=SC2086
if ! "$cc" -std=c17 -Wall -Wextra -Werror $san_flags -I"$root/include" -I"$build/include" "$tmp/example.c" \
    -L"$build/src" -Wl,-rpath,"$build/src" -lgex -o "$tmp/example" 2>"$tmp/cc.log"; then
    echo "FAIL: the README's example does not compile:"
    cat "$tmp/cc.log"
    exit 1
fi
cd "$root" || exit 1
out=$("$tmp/example" 2>&1)
status=$?
echo "$out"
if [ "$status" != 0 ]; then
    echo "FAIL: the README's example exited $status"
    exit 1
fi
case $out in
"SPX spot 7,483.26"* | "SPX spot 7483.26: net GEX "*) ;;
*)
    echo "FAIL: unexpected output"
    exit 1
    ;;
esac
