#!/bin/sh
# gex in a hostile process environment, the real program in a temporary directory:
# - started with standard input and standard error closed (<&- 2>&-), a run that warns writes
#   its -o file (levels, plot) with the output alone: the warning goes nowhere, not into the
#   file that took descriptor 2; with standard output closed (>&-) the run still fails with
#   exit status 4, the output having gone nowhere;
# - under a file size limit (ulimit -f 10) that the output exceeds, standard output and -o are
#   exit status 4 and "writing the output failed: File too large" (not a death by SIGXFSZ, no
#   message and a file cut short); -o leaves no file;
# - with no descriptor left to open the chain (ulimit -n 3, standard input closed: gex opens
#   /dev/null onto it, and 0-2 are all it may have), levels and screen are exit status 4 (a
#   resource error, not the input's exit 3) and say what to do (ulimit -n, a lower --jobs)
#   (not in sanitizer builds, whose runtime spins before main without a descriptor to spare);
#   screen of 12 files on 8 threads under ulimit -n 5 is the whole output (exit 0) or, when
#   more than 2 files were open at once, that exit 4, never an exit 3 with rows missing;
# - under address-space limits (ulimit -v 8000 to 18000 KB) where the chart module's libraries
#   cannot all be mapped, gex plot says the module could not be loaded for want of memory, not
#   "rebuild gex"; higher, where the drawing or libpng runs out, plot says what failed, not a
#   bare "invalid argument" (not in sanitizer builds, whose runtime reserves far more address
#   space).
# Usage: tests/process-environment.sh GEX SOURCE_ROOT [B_SANITIZE]
set -u
gex=$1
root=$2
sanitize=${3:-none}
case $gex in /*) ;; *) gex=$(pwd)/$gex ;; esac
cd "$root" || exit 1
tmp=$(mktemp -d /tmp/gex-process-environment.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
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

# No descriptor left: 0-2 only (stdin closed first, as the shell cannot close it under the
# limit; the dynamic loader borrows descriptor 0 before gex opens /dev/null onto it). Not under
# the sanitizers: their runtime, before main, spins on dup() without a descriptor to spare.
emfile="cannot open the file: Too many open files: raise the limit of open files (ulimit -n)"
if [ "$sanitize" = none ]; then
    sh -c 'exec <&-; ulimit -n 3 && exec "$@"' sh "$gex" levels "$in" >/dev/null 2>"$tmp/err" &&
        st=0 || st=$?
    if [ "$st" != 4 ] || ! grep -qF "$emfile" "$tmp/err"; then
        fail "levels under ulimit -n 3: exit status $st, '$(cat "$tmp/err")', expected 4 and" \
            "'$emfile'"
    else
        ok "levels under ulimit -n 3: exit status 4, raise the limit of open files"
    fi
    sh -c 'exec <&-; ulimit -n 3 && exec "$@"' sh "$gex" screen "$in" "$big" --jobs 2 \
        --format csv >/dev/null 2>"$tmp/err" && st=0 || st=$?
    if [ "$st" != 4 ] || [ "$(grep -cF "$emfile" "$tmp/err")" != 2 ]; then
        fail "screen under ulimit -n 3: exit status $st, '$(cat "$tmp/err")', expected 4 and" \
            "'$emfile' twice"
    else
        ok "screen under ulimit -n 3: exit status 4, raise the limit of open files"
    fi
else
    echo "skipped under the sanitizers ($sanitize): ulimit -n 3 (their runtime spins before" \
        "main without a descriptor to spare)"
fi
mkdir "$tmp/folder"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    cp "$big" "$tmp/folder/spx-$i.csv"
done
"$gex" screen "$tmp/folder" --jobs 1 --format csv >"$tmp/screen-ref" 2>/dev/null ||
    fail "screen of 12 files on one thread exited with $?"
sh -c 'ulimit -n 5 && exec "$@"' sh "$gex" screen "$tmp/folder" --jobs 8 --format csv \
    >"$tmp/screen-8" 2>"$tmp/err" && st=0 || st=$?
if [ "$st" = 0 ] && cmp -s "$tmp/screen-8" "$tmp/screen-ref"; then
    ok "screen of 12 files on 8 threads under ulimit -n 5: the whole output"
elif [ "$st" = 4 ] && grep -qF "$emfile" "$tmp/err"; then
    ok "screen of 12 files on 8 threads under ulimit -n 5: exit status 4, raise the limit"
else
    fail "screen of 12 files on 8 threads under ulimit -n 5: exit status $st," \
        "'$(grep -v warning "$tmp/err" | head -3)', expected 0 and the output or 4 and" \
        "'$emfile'"
fi

# Address-space limits too low for the chart module's libraries (cairo, fontconfig, X11's).
if [ "$sanitize" = none ]; then
    module_failed=0
    for v in 8000 9000 10000 11000 12000 13000 14000 15000 16000 17000 18000; do
        sh -c 'ulimit -v "$1" && shift && exec "$@"' sh "$v" "$gex" plot "$in" \
            --kind dashboard -o "$tmp/limited.png" >/dev/null 2>"$tmp/err"
        grep -q "cannot load the module" "$tmp/err" || continue
        module_failed=$((module_failed + 1))
        if ! grep -q "out of memory" "$tmp/err" || grep -q "rebuild gex" "$tmp/err"; then
            fail "plot under ulimit -v $v: '$(cat "$tmp/err")', expected the module's" \
                "libraries said out of memory, not a rebuild"
        fi
    done
    if [ "$module_failed" = 0 ]; then
        echo "note: no limit from 8000 to 18000 KB stopped the chart module from loading," \
            "so its message was not checked"
    else
        ok "plot under $module_failed address-space limits: the module out of memory"
    fi
    # Higher, the module loads and the drawing or libpng's writing runs out: each failure says
    # what failed in cairo's words, never a bare status ("invalid argument"). (cairo itself can
    # die of some limits in its drawing, a crash in the library that no check before it sees:
    # those runs are left alone.)
    png_failed=0
    v=20000
    while [ $v -le 30000 ]; do
        sh -c 'ulimit -v "$1" && shift && exec "$@"' sh "$v" "$gex" plot "$in" \
            --kind dashboard -o "$tmp/limited.png" >/dev/null 2>"$tmp/err" && st=0 || st=$?
        if [ "$st" = 4 ]; then
            # a bare status is the file and a library status's name alone
            if tail -n 1 "$tmp/err" | grep -qE '^gex: [^:]+: [a-z ]+$'; then
                fail "plot under ulimit -v $v: '$(tail -n 1 "$tmp/err")', expected what failed"
            fi
            if grep -q "writing the png failed" "$tmp/err"; then
                png_failed=$((png_failed + 1))
                # the output's failure, said of the output
                grep -qF "gex: $tmp/limited.png: writing the png failed" "$tmp/err" ||
                    fail "plot under ulimit -v $v: '$(tail -n 1 "$tmp/err")', expected the png named"
            fi
        fi
        v=$((v + 200))
    done
    if [ "$png_failed" = 0 ]; then
        echo "note: no limit from 20000 to 30000 KB stopped libpng, so its message was not checked"
    else
        ok "plot under $png_failed address-space limits where libpng ran out: said so"
    fi
fi

exit $failed
