#!/bin/sh
# `meson install` puts everything where a user expects it, and the installed gex works from
# there: a fresh build of the source tree configured with a temporary --prefix, installed, then
# the installed program run on the sample (its modules found in lib/.../gex: a chart drawn and
# the server's help), the README's library example compiled against the installed headers with
# the installed gex.pc, the man page read by man, and the bash completion in its folder.
# The installed program runs without LD_LIBRARY_PATH (a run path to the install's libdir).
# Usage: install.sh SOURCE_ROOT
set -u
root=$1
tmp=$(mktemp -d /tmp/gex-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "FAIL: $*"; exit 1; }

meson setup "$tmp/build" "$root" --prefix="$prefix" --buildtype=release -Dtests=false \
    >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" install >"$tmp/install.log" 2>&1 || { tail -20 "$tmp/install.log"; fail "install"; }

libdir=$(meson introspect --buildoptions "$tmp/build" |
    python3 -c "import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name']=='libdir'][0])")
for f in bin/gex "$libdir/libgex.so" "$libdir/libgex-plot.so" "$libdir/gex/gex-plot.so" \
    "$libdir/gex/gex-serve.so" "$libdir/pkgconfig/gex.pc" include/gex/gex.h \
    include/gex/analysis.h share/man/man1/gex.1 share/doc/gex/SPEC.md \
    share/bash-completion/completions/gex; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done

# No LD_LIBRARY_PATH: the installed program finds its libraries by its run path.
unset LD_LIBRARY_PATH
cd "$tmp" || exit 1
"$prefix/bin/gex" levels "$root/data/sample-spx.csv" >levels.txt || fail "installed gex levels"
grep -q gamma_flip levels.txt || fail "installed gex levels printed no gamma_flip"
"$prefix/bin/gex" plot --quiet -o chart.svg "$root/data/sample-spx.csv" ||
    fail "installed gex plot (its module in $libdir/gex)"
grep -q '<svg' chart.svg || fail "the installed plot wrote no SVG"
"$prefix/bin/gex" serve --help >/dev/null || fail "installed gex serve --help"

awk '/^## The library/{l=1; next} /^## /{l=0} l&&/^```c/{c=1; next} l&&c&&/^```/{exit} l&&c{print}' \
    "$root/README.md" >example.c
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -Wall -Werror example.c \
    $(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --cflags --libs gex) -o example ||
    fail "the README's example against the installed headers and gex.pc"
(cd "$root" && LD_LIBRARY_PATH="$prefix/$libdir" "$tmp/example" >/dev/null) ||
    fail "the README's example, linked to the installed libgex"
if command -v man >/dev/null 2>&1; then
    MANPATH="$prefix/share/man" man -P cat gex 2>/dev/null | grep -q "gex expirations\|expirations" ||
        fail "man gex (installed) does not read"
fi
echo "install: program, libraries, modules, headers, pkg-config files, man page, SPEC and bash" \
    "completion installed under a prefix; the installed gex draws, serves and links"
