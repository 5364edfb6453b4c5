#!/bin/sh
# gex plot through the gex program:
# - the command of the README's "## Charts" section, as written but writing to a temporary
#   file instead of doc/sample-dashboard.png, makes a PNG of the dashboard's page size;
# - the strike bars of `gex summary` and of the `gex gex` table are drawn when standard output
#   is a terminal (run under script(1), which gives the command a pseudo-terminal of 90
#   columns) and never through a pipe. Without script(1) (Debian: bsdutils) that part is
#   skipped, saying so;
# - a chart written to a full disk (a link to /dev/full named .svg, .png or .pdf), of a chain or
#   of a history, is exit status 4 and "FILE: writing the output failed: No space left on
#   device", as every command's -o says it.
# Usage: tests/plot-cli.sh GEX SOURCE_ROOT
set -u
gex=$1
root=$2
case $gex in /*) ;; *) gex=$(pwd)/$gex ;; esac
cd "$root" || exit 1
fail=0
tmpdir=$(mktemp -d)
tmp=$tmpdir/out

# The README's command: the line after "## Charts" that starts with "gex plot".
line=$(awk '/^## /{c=($0=="## Charts")} c&&/^gex plot /{print; exit}' README.md)
if [ -z "$line" ]; then
    echo "FAIL: no 'gex plot' command in the README's Charts section"
    fail=1
else
    png=$tmpdir/sample-dashboard.png
    cmd=$(printf '%s' "$line" | sed -e "s|^gex |'$gex' |" -e "s|doc/sample-dashboard.png|$png|")
    if ! sh -c "$cmd"; then
        echo "FAIL: $line: exit status not 0"
        fail=1
    fi
    # PNG signature, then IHDR: width and height as 4-byte big-endian numbers at offset 16.
    sig=$(od -An -tx1 -N8 "$png" 2>/dev/null | tr -d ' \n')
    size=$(od -An -tu1 -j16 -N8 "$png" 2>/dev/null |
        awk '{ printf "%dx%d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }')
    if [ "$sig" != "89504e470d0a1a0a" ] || [ "$size" != "1280x800" ]; then
        echo "FAIL: $line: not a 1280x800 PNG (signature $sig, size $size)"
        fail=1
    else
        echo "ok: $line"
    fi
fi

# The heatmap: a row per expiration used, labelled with its date and days to expiry as gex
# expirations gives them (read back from the PDF's text with pdftotext).
if command -v pdftotext >/dev/null 2>&1; then
    pdf=$tmpdir/heatmap.pdf
    if ! "$gex" plot --quiet --kind heatmap -o "$pdf" data/sample-spx.csv; then
        echo "FAIL: gex plot --kind heatmap: exit status not 0"
        fail=1
    else
        text=$(pdftotext -layout "$pdf" - | tr -s ' ')
        rows=$("$gex" expirations --format csv data/sample-spx.csv |
            awk -F, 'NR > 1 && $4 > 0 && n < 20 { n++; print $1 " " $2 "d" }')
        missing=$(printf '%s\n' "$rows" | while read -r d n; do
            printf '%s\n' "$text" | grep -qF "$d $n" || echo "$d $n"
        done)
        if [ -n "$missing" ] || [ -z "$rows" ]; then
            echo "FAIL: the heatmap lacks the expiration rows: $missing"
            fail=1
        else
            echo "ok: heatmap rows are gex expirations' $(printf '%s\n' "$rows" | wc -l) dates"
        fi
    fi
else
    echo "skipped: pdftotext absent (Debian package poppler-utils): heatmap not read back"
fi

if ! command -v script >/dev/null 2>&1; then
    echo "skipped: script(1) absent (Debian package bsdutils): terminal bars not checked"
else
    for cmd in summary gex; do
        # script(1) runs the line through sh -c; stty sets the pseudo-terminal's size.
        script -qec "stty cols 90 rows 50; '$gex' $cmd data/sample-spx.csv" /dev/null >"$tmp" 2>&1
        status=$?
        if [ "$status" != 0 ]; then
            echo "FAIL: $cmd in a terminal: exit status $status"
            fail=1
        fi
        # The header, the axis, the spot ruled between strikes, the sample's walls.
        for want in "Net GEX by strike" "│" "7,483.26 ┈" "┼" "call wall, put wall"; do
            if ! grep -q -- "$want" "$tmp"; then
                echo "FAIL: $cmd in a terminal: no '$want' in the output"
                fail=1
            fi
        done
        # No bar line is wider than the terminal; columns are counted as UTF-8 characters
        # (continuation bytes 0x80-0xbf dropped), the pty's carriage returns aside.
        widest=$(tr -d '\r' <"$tmp" | grep -e '│' -e '┼' -e '^Net GEX by strike' |
            LC_ALL=C sed 's/[\x80-\xbf]//g' | LC_ALL=C awk '{ print length($0) }' |
            sort -n | tail -1)
        if [ "${widest:-0}" -gt 90 ]; then
            echo "FAIL: $cmd in a terminal: a line of $widest columns in a terminal of 90"
            fail=1
        fi
        # Through a pipe: the table alone.
        "$gex" $cmd data/sample-spx.csv >"$tmp" 2>&1
        if grep -q "Net GEX by strike" "$tmp"; then
            echo "FAIL: $cmd through a pipe drew the terminal bars"
            fail=1
        fi
        [ "$fail" = 0 ] && echo "ok: $cmd draws its bars in a terminal only"
    done
    # The bars' unit names the chain's currency: an NSE chain's rupees (SPEC 1.5).
    nse="tests/data/formats/option-chain-ED-NIFTY-30-Dec-2025.csv"
    script -qec "stty cols 90 rows 50; '$gex' gex --spot 26000 --now 2025-12-19T04:00:00 '$nse'" \
        /dev/null >"$tmp" 2>&1
    if grep -q "Net GEX by strike, INR of delta per 1% spot move" "$tmp" && ! grep -q USD "$tmp"; then
        echo "ok: the bars of an NSE chain say INR"
    else
        echo "FAIL: the bars of an NSE chain do not say INR: $(grep 'by strike' "$tmp")"
        fail=1
    fi
fi
if [ -c /dev/full ]; then
    for ext in svg png pdf; do
        ln -s /dev/full "$tmpdir/full.$ext"
        for args in "data/sample-spx.csv" "--kind history --no-db data/"; do
            # shellcheck disable=SC2086
            "$gex" plot $args -o "$tmpdir/full.$ext" 2>"$tmpdir/err" && st=0 || st=$?
            want="gex: $tmpdir/full.$ext: writing the output failed: No space left on device"
            if [ "$st" != 4 ] || [ "$(cat "$tmpdir/err")" != "$want" ]; then
                echo "FAIL: plot $args -o full.$ext: exit status $st (expected 4): $(cat "$tmpdir/err")"
                fail=1
            else
                echo "ok: plot $args -o full.$ext: exit status 4, $want"
            fi
        done
    done
else
    echo "skipped: no /dev/full"
fi
rm -rf "$tmpdir"
exit $fail
