#!/bin/sh
# A file name is shown in messages with its control characters escaped, in the "gex: FILE:"
# prefix and in the text alike: a name holding a line end ("x\nFAKE LINE.csv") reads
# "x\nFAKE LINE.csv" within its message line, never a line of its own that a reader of the
# terminal, or of gex serve's log, would take for another message.
# Usage: tests/message-names.sh GEX SOURCE_ROOT
set -u
gex=$1
root=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
name="$dir/x
FAKE LINE.csv"
printf 'garbage\n1,2\n' > "$name"
"$gex" summary "$name" > /dev/null 2> "$dir/err"
rc=$?
failed=0
if [ "$rc" -ne 3 ]; then
    echo "FAIL: exit status $rc, expected 3"
    failed=1
fi
lines=$(wc -l < "$dir/err")
if [ "$lines" -ne 1 ] || ! grep -qF 'x\nFAKE LINE.csv: not an option chain' "$dir/err" ||
    grep -q '^FAKE LINE' "$dir/err"; then
    echo "FAIL: the message is not one line naming x\\nFAKE LINE.csv:"
    cat "$dir/err"
    failed=1
fi
# In a message's text too: gex history's warning of a duplicate names the other file.
mkdir "$dir/dup"
cp "$root/tests/data/cli-inputs/xyz.csv" "$dir/dup/a.csv"
cp "$root/tests/data/cli-inputs/xyz.csv" "$dir/dup/b
FAKE.csv"
"$gex" history --no-db "$dir/dup" > /dev/null 2> "$dir/err2"
if grep -q '^FAKE' "$dir/err2" || ! grep -qF 'b\nFAKE.csv' "$dir/err2"; then
    echo "FAIL: a name in a message's text starts a line of its own:"
    cat "$dir/err2"
    failed=1
fi
# gex api's own messages (a file that is no chain), and a usage error's value.
"$gex" api /v1/exposure/levels/ABC "$name" > /dev/null 2> "$dir/err3"
"$gex" levels --format "x
gex: FAKE" "$name" > /dev/null 2>> "$dir/err3"
if grep -q '^FAKE\|^gex: FAKE' "$dir/err3" || [ "$(wc -l < "$dir/err3")" -ne 2 ]; then
    echo "FAIL: gex api's or a usage error's message spans lines:"
    cat "$dir/err3"
    failed=1
fi
[ "$failed" -eq 0 ] && echo "ok: a line end in a file name is shown as \\n, in one message line"
exit $failed
