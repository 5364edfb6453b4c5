#!/bin/sh
# Golden tests of the gex command: every directory tests/data/cli-*/ that holds an `args` file
# is a case. The case runs with the case directory as working directory:
#     gex $(args) < stdin          (stdin only when the case has a `stdin` file)
# and its standard output, standard error and exit status must equal `expected-stdout`,
# `expected-stderr` and `expected-status`. In `args`, @SHARED@ stands for ../shared (the real
# chains and vendor captures beside the project, or $GEX_SHARED_DIR) and @TMP@ for a fresh
# temporary directory; both are written back as @SHARED@ and @TMP@ in the outputs. A case whose
# `expected-out` exists also compares the file @TMP@/out with it; a case with `expect-no-out`
# checks that @TMP@ is left empty (no output file, no temporary file). Numbers may differ by a
# relative 1e-9 (see tests/numdiff.py).
# A case using @SHARED@ is skipped, saying so, when ../shared is absent.
#
# Usage: tests/golden.sh GEX DATA_DIR [CASE...]
# To regenerate the expected files after a deliberate change, review each diff by eye:
#     GEX_GOLDEN_UPDATE=1 tests/golden.sh build/gex tests/data [CASE...]
#     git diff tests/data
set -u

gex=$1
data=$2
shift 2
case $gex in /*) ;; *) gex=$(pwd)/$gex ;; esac

if [ -n "${GEX_SHARED_DIR:-}" ]; then
    shared=$GEX_SHARED_DIR
else
    shared=$(cd "$data/../../.." 2>/dev/null && pwd)/shared
fi

if [ $# -gt 0 ]; then
    cases=$*
else
    cases=$(cd "$data" && for d in cli-*/; do [ -f "$d/args" ] && printf '%s\n' "${d%/}"; done)
fi

# Numbers are compared within a relative 1e-9 when the texts are not byte for byte equal
# (tests/numdiff.py says why); without python3 the comparison is exact.
numdiff=
if command -v python3 >/dev/null 2>&1; then
    numdiff=$(cd "$(dirname "$0")" && pwd)/numdiff.py
fi

pass=0
fail=0
skip=0
for name in $cases; do
    dir=$data/$name
    args=$(cat "$dir/args")
    case $args in
    *@SHARED@*)
        if [ ! -d "$shared/chains" ]; then
            echo "skipped: $name: ../shared absent"
            skip=$((skip + 1))
            continue
        fi ;;
    esac
    tmp=$(mktemp -d)
    expanded=$(printf '%s' "$args" | sed -e "s|@SHARED@|$shared|g" -e "s|@TMP@|$tmp|g")
    if [ -f "$dir/stdin" ]; then
        (cd "$dir" && eval "\"\$gex\" $expanded" <stdin >"$tmp.stdout" 2>"$tmp.stderr")
    else
        (cd "$dir" && eval "\"\$gex\" $expanded" </dev/null >"$tmp.stdout" 2>"$tmp.stderr")
    fi
    status=$?
    for f in stdout stderr; do
        sed -e "s|$shared|@SHARED@|g" -e "s|$tmp|@TMP@|g" "$tmp.$f" >"$tmp.$f.n"
    done
    if [ -n "${GEX_GOLDEN_UPDATE:-}" ]; then
        cp "$tmp.stdout.n" "$dir/expected-stdout"
        cp "$tmp.stderr.n" "$dir/expected-stderr"
        echo "$status" >"$dir/expected-status"
        if [ -f "$tmp/out" ]; then cp "$tmp/out" "$dir/expected-out"; fi
        echo "updated: $name (status $status)"
    else
        ok=1
        expected=$(cat "$dir/expected-status")
        if [ "$status" != "$expected" ]; then
            echo "FAIL: $name: exit status $status, expected $expected"
            ok=0
        fi
        for f in stdout stderr; do
            if ! cmp -s "$tmp.$f.n" "$dir/expected-$f" &&
                ! { [ -n "$numdiff" ] && python3 "$numdiff" "$dir/expected-$f" "$tmp.$f.n" >/dev/null; }; then
                echo "FAIL: $name: $f differs:"
                diff -u "$dir/expected-$f" "$tmp.$f.n" | head -40
                ok=0
            fi
        done
        if [ -f "$dir/expected-out" ] && ! cmp -s "$tmp/out" "$dir/expected-out" &&
            ! { [ -n "$numdiff" ] && python3 "$numdiff" "$dir/expected-out" "$tmp/out" >/dev/null; }; then
            echo "FAIL: $name: the output file differs from expected-out"
            ok=0
        fi
        if [ -f "$dir/expect-no-out" ] && [ -n "$(ls -A "$tmp")" ]; then
            echo "FAIL: $name: the failed run left files behind: $(ls -A "$tmp")"
            ok=0
        fi
        if [ $ok = 1 ]; then
            echo "ok: $name"
            pass=$((pass + 1))
        else
            echo "   args: $args"
            fail=$((fail + 1))
        fi
    fi
    rm -rf "$tmp" "$tmp.stdout" "$tmp.stderr" "$tmp.stdout.n" "$tmp.stderr.n"
done
echo "golden: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
