#!/bin/sh
# The progress line of long commands (gex history and gex screen over a folder): drawn on a
# terminal, with the files done out of the total and cleared at the end; never written when
# stderr is not a terminal (a log or a pipe gets no control characters). The terminal is
# script(1)'s pseudo-terminal; GEX_PROGRESS_AFTER_MS=0 draws from the first file, so nothing here depends
# on how fast the machine is. Skipped, saying so, without script(1).
# Usage: progress.sh GEX GEN_CHAIN
set -u
gex=$1
gen=$2
command -v script >/dev/null 2>&1 || { echo "skipped: script(1) is absent"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/days" && "$gen" --days 6 --dir "$tmp/days" --symbols SPY >/dev/null || exit 1
fail=0
# on a terminal: the line, the count of files, and the clearing escape
GEX_PROGRESS_AFTER_MS=0 script -qec "$gex history --no-db --jobs 1 $tmp/days" /dev/null \
    >"$tmp/tty.txt" 2>&1 </dev/null
if ! grep -q 'gex: history \[.*\] 6/6 files' "$tmp/tty.txt"; then
    echo "FAIL: no progress line '6/6 files' on a terminal:"
    head -c 2000 "$tmp/tty.txt"
    fail=1
fi
grep -q 'gex: history \[.*\] 1/6 files' "$tmp/tty.txt" || {
    echo "FAIL: the progress line does not count from the first file"
    fail=1
}
# gex screen draws the same line, with its own counts
GEX_PROGRESS_AFTER_MS=0 script -qec "$gex screen --jobs 1 $tmp/days" /dev/null \
    >"$tmp/screen.txt" 2>&1 </dev/null
if ! grep -q 'gex: screen \[.*\] file [0-9]*/6' "$tmp/screen.txt"; then
    echo "FAIL: no progress line 'file N/6' of gex screen on a terminal:"
    head -c 2000 "$tmp/screen.txt"
    fail=1
fi
# not a terminal: no progress line, no escape
GEX_PROGRESS_AFTER_MS=0 "$gex" history --no-db --jobs 1 "$tmp/days" >"$tmp/out.txt" 2>"$tmp/err.txt"
if grep -q 'files' "$tmp/err.txt" && grep -q "$(printf '\033')" "$tmp/err.txt"; then
    echo "FAIL: a progress line went to a stderr that is not a terminal"
    fail=1
fi
[ $fail -eq 0 ] && echo "progress: drawn on a terminal, absent elsewhere"
exit $fail
