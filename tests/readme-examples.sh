#!/bin/sh
# Runs the README's examples exactly as written, from the project root: the main job of the
# first Quick start command (the part after its last "&&") and every line of the code blocks of
# the "## Usage" section that starts with "build/gex ". Each must exit 0, or the status a
# trailing "# exit status N" comment names, and print something. Skipped, saying so, when
# build/gex is absent (the examples name build/gex, the release build of tools/setup).
# Usage: tests/readme-examples.sh SOURCE_ROOT
set -u
# the examples run build/gex as a user would: not against another build's library
unset LD_LIBRARY_PATH
cd "$1" || exit 1
if [ ! -x build/gex ]; then
    echo "skipped: build/gex is absent (the README's examples run the release build in build/)"
    exit 77
fi
quick=$(awk '/^## Quick start/{q=1} q&&/^```/{n++; next} q&&n==1{print; exit}' README.md)
main_job=${quick##*&& }
usage=$(awk '/^## /{u=($0=="## Usage")} u&&/^```/{c=!c; next} u&&c&&/^build\/gex /{print}' README.md)
fail=0
count=0
printf '%s\n%s\n' "$main_job" "$usage" >"${TMPDIR:-/tmp}/gex-readme-$$"
while IFS= read -r line; do
    [ -n "$line" ] || continue
    want=0
    case $line in *"# exit status "*) want=${line##*# exit status } ;; esac
    out=$(sh -c "$line" 2>&1 </dev/null)
    status=$?
    count=$((count + 1))
    if [ "$status" != "$want" ] || [ -z "$out" ]; then
        echo "FAIL: $line: exit status $status (expected $want)"
        printf '%s\n' "$out" | head -20
        fail=1
    else
        echo "ok: $line"
    fi
done <"${TMPDIR:-/tmp}/gex-readme-$$"
rm -f "${TMPDIR:-/tmp}/gex-readme-$$"
echo "readme-examples: $count run"
[ "$count" -gt 1 ] || { echo "FAIL: no examples found"; exit 1; }
exit $fail
