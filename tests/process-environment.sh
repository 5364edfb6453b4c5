#!/bin/sh
# gex in a hostile process environment, the real program in a temporary directory:
# - started with standard input and standard error closed (<&- 2>&-), a run that warns writes
#   its -o file (levels, plot) with the output alone: the warning goes nowhere, not into the
#   file that took descriptor 2; with standard output closed (>&-) the run still fails with
#   exit status 4, the output having gone nowhere;
# - under a file size limit (ulimit -f 10) that the output exceeds, standard output and -o are
#   exit status 4 and "writing the output failed: File too large" (not a death by SIGXFSZ, no
#   message and a file cut short); -o leaves no file.
# Usage: tests/process-environment.sh GEX SOURCE_ROOT
set -u
gex=$1
root=$2
case $gex in /*) ;; *) gex=$(pwd)/$gex ;; esac
cd "$root" || exit 1
tmp=$(mktemp -d /tmp/gex-process-environment.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}
ok() {
    echo "ok: $*"
}

# A chain that warns (its carry stays flat for one expiration).
in=tests/data/cli-inputs/xyz.csv
"$gex" levels "$in" --format json >"$tmp/ref" 2>"$tmp/err" ||
    { echo "FAIL: gex levels $in exited with $?"; exit 1; }
grep -q warning "$tmp/err" || { echo "FAIL: gex levels $in no longer warns: pick another input"; exit 1; }

# Descriptors 0 and 2 closed: the -o file holds the document alone.
"$gex" levels "$in" --format json -o "$tmp/levels.json" <&- 2>&- && st=0 || st=$?
if [ "$st" != 0 ] || ! cmp -s "$tmp/levels.json" "$tmp/ref"; then
    fail "levels -o with 0 and 2 closed: exit status $st, file starts with" \
        "'$(head -c 60 "$tmp/levels.json" 2>&1)', expected 0 and the document"
else
    ok "levels -o with 0 and 2 closed: the document alone"
fi
"$gex" plot "$in" --kind profile -o "$tmp/chart.svg" <&- 2>&- && st=0 || st=$?
first=$(head -c 5 "$tmp/chart.svg" 2>/dev/null)
if [ "$st" != 0 ] || [ "$first" != "<?xml" ]; then
    fail "plot -o with 0 and 2 closed: exit status $st, file starts with '$first'"
else
    ok "plot -o with 0 and 2 closed: an SVG"
fi
# Standard output closed: the output cannot be written, which stays an error.
"$gex" levels "$in" >&- 2>"$tmp/err" && st=0 || st=$?
if [ "$st" != 4 ] || ! grep -q "writing the output failed" "$tmp/err"; then
    fail "levels with 1 closed: exit status $st, '$(cat "$tmp/err")', expected 4 and a message"
else
    ok "levels with 1 closed: exit status 4, writing the output failed"
fi

# The file size limit: 10 blocks, when the greeks of the sample are some 950 KB.
big=data/sample-spx.csv
(ulimit -f 10 && exec "$gex" greeks "$big" --format csv >"$tmp/limited.csv" 2>"$tmp/err") &&
    st=0 || st=$?
if [ "$st" != 4 ] || ! grep -q "writing the output failed: File too large" "$tmp/err"; then
    fail "greeks > file over ulimit -f: exit status $st, '$(cat "$tmp/err")', expected 4 and" \
        "writing the output failed: File too large"
else
    ok "greeks > file over ulimit -f: exit status 4, File too large"
fi
(ulimit -f 10 && exec "$gex" greeks "$big" --format csv -o "$tmp/limited-o.csv" 2>"$tmp/err") &&
    st=0 || st=$?
if [ "$st" != 4 ] || ! grep -q "writing the output failed: File too large" "$tmp/err" ||
    [ -e "$tmp/limited-o.csv" ]; then
    fail "greeks -o over ulimit -f: exit status $st, '$(cat "$tmp/err")', expected 4, File too" \
        "large and no file"
else
    ok "greeks -o over ulimit -f: exit status 4, File too large, no file"
fi

exit $failed
