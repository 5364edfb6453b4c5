#!/bin/sh
# Runs the README's Python install exactly as written (the first code block of its "## Python"
# section), in a copy of the sources so that pip's build (meson-python builds inside the
# package's folder) leaves the tree alone, with the virtual environment at a temporary path
# instead of ~/gex-env. The package compiles libgex and the rendering layer into its module on
# its own (python/meson.build), so a source file or generated header the repository's build
# has and the package's lacks breaks the install without breaking any other test. Skipped,
# saying so, where Debian's python3 lacks venv (python3-venv), meson-python or numpy.
# With GEX, the program, the installed package's documents on the sample must equal the
# program's JSON byte for byte (the package compiles libgex itself: its flags must be libgex's).
# Usage: tests/python-install.sh SOURCE_ROOT [GEX]
set -u
root=$(cd "$1" && pwd) || exit 1
exe=${2:-}
# ensurepip: Debian's python3-venv, without which python3 -m venv makes no environment
for module in venv ensurepip mesonpy numpy; do
    if ! /usr/bin/python3 -c "import $module" 2>/dev/null; then
        echo "skipped: /usr/bin/python3 cannot import $module (tools/setup installs it)"
        exit 77
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gex-python-install-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/src"
for part in python src include data; do
    cp -R "$root/$part" "$tmp/src/" || exit 1
done
rm -rf "$tmp/src/python/.mesonpy-"* "$tmp/src/python/build"
block=$(awk '/^## /{p=($0=="## Python")} p&&/^```/{c=!c; if (!c) exit; next} p&&c{print}' \
    "$root/README.md")
if [ -z "$block" ]; then
    echo "FAIL: the README has no code block under \"## Python\""
    exit 1
fi
count=0
printf '%s\n' "$block" >"$tmp/block"
while IFS= read -r line; do
    [ -n "$line" ] || continue
    run=$(printf '%s' "$line" | sed "s|~/gex-env|$tmp/gex-env|g")
    count=$((count + 1))
    if ! out=$(cd "$tmp/src" && sh -c "$run" 2>&1 </dev/null); then
        echo "FAIL: $line"
        printf '%s\n' "$out" | tail -n 30
        exit 1
    fi
    last=$out
done <"$tmp/block"
case $last in
*"gex.Analysis"*) ;;
*)
    echo "FAIL: the last line printed no analysis: $last"
    exit 1
    ;;
esac
# The installed module exports PyInit__gex alone, not the libgex it compiled in.
module=$(find "$tmp/gex-env" -name '_gex*.so' | head -n 1)
if [ -z "$module" ]; then
    echo "FAIL: no _gex*.so in the virtual environment"
    exit 1
fi
sh "$root/tests/exported-symbols.sh" "$root" module "$module" PyInit__gex
case $? in 0 | 77) ;; *) exit 1 ;; esac
if [ -n "$exe" ]; then
    for doc in gex levels summary profile expirations; do
        "$exe" "$doc" --format json "$root/data/sample-spx.csv" >"$tmp/want.json" 2>/dev/null ||
            { echo "FAIL: $exe $doc"; exit 1; }
        (cd "$tmp" && "$tmp/gex-env/bin/python" -c '
import json, sys, gex
a = gex.analyze(gex.read(sys.argv[1]).prepare())
print(json.dumps(a.document(sys.argv[2]), separators=(",", ":")))' \
            "$root/data/sample-spx.csv" "$doc") >"$tmp/got.json" 2>"$tmp/got.err" ||
            { echo "FAIL: the installed package's document($doc)"; cat "$tmp/got.err"; exit 1; }
        if ! /usr/bin/python3 - "$tmp/want.json" "$tmp/got.json" <<'PY'
import json, sys
want, got = (json.load(open(p)) for p in sys.argv[1:3])
for d in (want, got):
    d.get("meta", {}).pop("file", None)
sys.exit(0 if want == got else 1)
PY
        then
            echo "FAIL: the installed package's document(\"$doc\") differs from gex $doc --format json"
            exit 1
        fi
    done
    echo "ok: the installed package's gex, levels, summary, profile and expirations documents" \
        "equal the program's"
fi
echo "ok: the README's $count Python install lines, the last printing: $last"
