#!/bin/sh
# Which shared libraries gex loads: a command that neither draws nor serves loads none of the
# charts' (cairo, fontconfig, X11), the server's (libmicrohttpd, gnutls) or the history store's
# (SQLite) libraries, a plain file loads none of the decompressors (zlib, libzstd, liblzma,
# libbz2), and the commands that do load them (so the check can fail): gex plot loads cairo,
# gex history SQLite, a gzip file zlib. The dynamic loader's own report
# (LD_DEBUG=libs, "calling init") is the truth; the count for `gex levels` is printed.
# Usage: loaded-libraries.sh GEX SOURCE_ROOT
set -u
gex=$1
root=$2
sample="$root/data/sample-spx.csv"

loaded() { # the libraries initialised while running "$@", one path a line
    LD_DEBUG=libs "$@" 2>&1 >/dev/null | sed -n 's/.*calling init: //p' | sort -u
}

fail=0
heavy='libcairo|libfontconfig|libX11|libxcb|libmicrohttpd|libgnutls|libpixman|libfreetype|libsqlite3'
heavy="$heavy|libz\.so|libzstd|liblzma|libbz2"
for cmd in levels summary gex greeks; do
    libs=$(loaded "$gex" "$cmd" "$sample")
    if [ -z "$libs" ]; then
        echo "skipped: the dynamic loader gives no LD_DEBUG report here"
        exit 77
    fi
    bad=$(printf '%s\n' "$libs" | grep -E "$heavy")
    if [ -n "$bad" ]; then
        echo "FAIL: gex $cmd loaded libraries it does not use:"
        printf '  %s\n' $bad
        fail=1
    fi
    if [ "$cmd" = levels ]; then
        n=$(printf '%s\n' "$libs" | grep -vc 'libasan\|libubsan\|libtsan\|libstdc++\|libgcc_s')
        echo "gex levels loads $n shared libraries (the loader and libc included):"
        printf '  %s\n' $libs
    fi
done

tmp=$(mktemp -d /tmp/gex-loaded.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
libs=$(loaded "$gex" plot -o "$tmp/chart.svg" "$sample")
if ! printf '%s\n' "$libs" | grep -q libcairo; then
    echo "FAIL: gex plot did not load cairo (is the check itself broken?)"
    fail=1
fi
libs=$(loaded "$gex" history --db "$tmp/store.sqlite" "$sample")
if ! printf '%s\n' "$libs" | grep -q libsqlite3; then
    echo "FAIL: gex history did not load SQLite (is the check itself broken?)"
    fail=1
fi
if command -v gzip >/dev/null 2>&1; then
    gzip -c "$sample" >"$tmp/sample.csv.gz"
    libs=$(loaded "$gex" levels "$tmp/sample.csv.gz")
    if ! printf '%s\n' "$libs" | grep -q 'libz\.so'; then
        echo "FAIL: gex levels on a gzip file did not load zlib (is the check itself broken?)"
        fail=1
    fi
else
    echo "gzip absent: the check that a gzip file loads zlib is skipped"
fi
exit $fail
