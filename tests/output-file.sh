#!/bin/sh
# gex -o FILE never harms a file, checked with the real program in a temporary directory:
# - a new file gets the output, with mode 0666 & ~umask (umask 022, then 077);
# - an existing regular file of mode 0640 is replaced by the output, and keeps mode 0640;
# - a symbolic link to a file stays a link, and its target gets the output;
# - a dangling link, a read-only file (chmod 444, refused for root too), a directory, a name
#   ending with '/' and a socket are refused with exit status 4 and a message saying what they
#   are, and stay as they were; an empty name is a misuse of the command line (exit status 2);
# - a FIFO gets the output directly and stays a FIFO;
# - a character device (/dev/null, directly and as the target of a link in the temporary
#   directory) is written and stays a character device; nothing outside the directory is made;
# - a full disk (/dev/full) is exit status 4 and "writing the output failed: No space left on
#   device", for standard output and -o, small and large outputs, and for the help, version
#   and API list texts;
# - a failed run (a missing input, exit status 3) leaves an existing output file byte for byte,
#   and no FILE.tmp-XXXXXX;
# - a run killed (SIGKILL) while writing a large output leaves neither the file nor a temporary
#   file (unless the file system has no O_TMPFILE, where the named temporary file it leaves is
#   the documented exception: the check then says so, and fails on a file system known to have
#   O_TMPFILE). Where the kill lands after the run has put its output in place, the file must
#   be the whole output, byte for byte.
# With NO_TMPFILE_SO (tests/no-tmpfile.c, an openat that refuses O_TMPFILE as a file system
# without it does), every gex run is preloaded with it, so that -o takes its fallback, a named
# FILE.tmp-XXXXXX renamed into place: the same checks hold, the killed run's named temporary
# file being the documented leftover, and at least one refusal must have happened.
#
# Usage: tests/output-file.sh GEX SOURCE_ROOT GEN_CHAIN [NO_TMPFILE_SO]
set -u
gex=$1
root=$2
gen=$3
shim=${4:-}
case $gex in /*) ;; *) gex=$(pwd)/$gex ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
case $shim in /* | '') ;; *) shim=$(pwd)/$shim ;; esac
cd "$root" || exit 1
tmp=$(mktemp -d /tmp/gex-output-file.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
if [ -n "$shim" ]; then
    # gex through a wrapper that preloads the shim (exec: the wrapper's process is gex's, for
    # the killed run's /proc/PID/fd); the mark outside $tmp, whose files the checks count
    mark=$(mktemp -u /tmp/gex-no-tmpfile-mark.XXXXXX) || exit 1
    trap 'rm -rf "$tmp" "$tmp.gex" "$mark"' EXIT
    printf '#!/bin/sh\nGEX_NO_TMPFILE_MARK=%s LD_PRELOAD=%s exec %s "$@"\n' "$mark" "$shim" "$gex" \
        >"$tmp.gex"
    chmod +x "$tmp.gex"
    gex=$tmp.gex
fi
in=data/sample-spx.csv
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}
ok() {
    echo "ok: $*"
}
# run ARGS...: gex with ARGS, standard error in $tmp/err, the exit status in $st.
run() {
    "$gex" "$@" 2>"$tmp/err" && st=0 || st=$?
}
mode() {
    stat -c %a "$1"
}
# No temporary file may be left in the directory.
no_tmp() {
    left=$(find "$tmp" -name '*.tmp-*')
    [ -z "$left" ] || fail "$1: a temporary file was left: $left"
}

"$gex" levels "$in" >"$tmp/ref" || { echo "FAIL: gex levels $in exited with $?"; exit 1; }

# A new file: the output, with the umask's mode.
(umask 022 && "$gex" levels "$in" -o "$tmp/new" 2>"$tmp/err") && st=0 || st=$?
if [ "$st" != 0 ] || ! cmp -s "$tmp/new" "$tmp/ref" || [ "$(mode "$tmp/new")" != 644 ]; then
    fail "new file (umask 022): exit status $st, mode $(mode "$tmp/new" 2>&1), expected 0 and 644"
else
    ok "new file: the output, mode 644 under umask 022"
fi
(umask 077 && "$gex" levels "$in" -o "$tmp/new77" 2>"$tmp/err") && st=0 || st=$?
if [ "$st" != 0 ] || ! cmp -s "$tmp/new77" "$tmp/ref" || [ "$(mode "$tmp/new77")" != 600 ]; then
    fail "new file (umask 077): exit status $st, mode $(mode "$tmp/new77" 2>&1), expected 0 and 600"
else
    ok "new file: mode 600 under umask 077"
fi

# An existing regular file: replaced, its mode kept.
echo old >"$tmp/reg"
chmod 0640 "$tmp/reg"
run levels "$in" -o "$tmp/reg"
if [ "$st" != 0 ] || ! cmp -s "$tmp/reg" "$tmp/ref" || [ "$(mode "$tmp/reg")" != 640 ] ||
    [ -L "$tmp/reg" ] || [ ! -f "$tmp/reg" ]; then
    fail "regular file 0640: exit status $st, mode $(mode "$tmp/reg"), expected 0 and 640 with the output"
else
    ok "regular file 0640: replaced by the output, mode 640 kept"
fi

# A link to a file: stays a link, the target gets the output.
echo old >"$tmp/target"
ln -s target "$tmp/link"
run levels "$in" -o "$tmp/link"
if [ "$st" != 0 ] || [ ! -L "$tmp/link" ] || [ "$(readlink "$tmp/link")" != target ] ||
    ! cmp -s "$tmp/target" "$tmp/ref"; then
    fail "link to a file: exit status $st; the link or its target's content is wrong"
else
    ok "link to a file: still a link, its target holds the output"
fi

# A dangling link: refused, left as it was, nothing created.
ln -s missing-target "$tmp/dangling"
run levels "$in" -o "$tmp/dangling"
if [ "$st" != 4 ] || ! grep -q "dangling: is a symbolic link to missing-target, which does not exist" "$tmp/err" ||
    [ ! -L "$tmp/dangling" ] || [ -e "$tmp/missing-target" ]; then
    fail "dangling link: exit status $st (expected 4): $(cat "$tmp/err")"
else
    ok "dangling link: refused (4): $(cat "$tmp/err")"
fi

# A read-only file: refused whoever runs it (root too), unchanged.
echo read-only >"$tmp/ro"
chmod 0444 "$tmp/ro"
run levels "$in" -o "$tmp/ro"
if [ "$st" != 4 ] || ! grep -q "ro: is a read-only file (mode 0444)" "$tmp/err" ||
    [ "$(cat "$tmp/ro")" != read-only ] || [ "$(mode "$tmp/ro")" != 444 ]; then
    fail "read-only file (uid $(id -u)): exit status $st (expected 4): $(cat "$tmp/err")"
else
    ok "read-only file (uid $(id -u)): refused (4): $(cat "$tmp/err")"
fi

# A directory: refused, still an empty directory.
mkdir "$tmp/dir"
run levels "$in" -o "$tmp/dir"
if [ "$st" != 4 ] || ! grep -q "dir: is a directory" "$tmp/err" || [ ! -d "$tmp/dir" ] ||
    [ -n "$(ls -A "$tmp/dir")" ]; then
    fail "directory: exit status $st (expected 4): $(cat "$tmp/err")"
else
    ok "directory: refused (4): $(cat "$tmp/err")"
fi

# A name ending with '/' (a directory that does not exist), and an empty name: refused, the
# empty one as a misuse of the command line (2), nothing created.
run levels "$in" -o "$tmp/nodir/"
if [ "$st" != 4 ] || ! grep -q "nodir/: names a directory (it ends with '/')" "$tmp/err" ||
    [ -e "$tmp/nodir" ]; then
    fail "a name ending with '/': exit status $st (expected 4): $(cat "$tmp/err")"
else
    ok "a name ending with '/': refused (4): $(cat "$tmp/err")"
fi
(cd "$tmp" && "$gex" levels "$root/$in" -o "" 2>"$tmp/err") && st=0 || st=$?
if [ "$st" != 2 ] || ! grep -q -- "-o names no file (an empty name)" "$tmp/err"; then
    fail "an empty name: exit status $st (expected 2): $(cat "$tmp/err")"
else
    ok "an empty name: refused (2): $(cat "$tmp/err")"
fi

# A socket (made by Python, where there is one): refused, still a socket.
if command -v python3 >/dev/null &&
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/sock"; then
    run levels "$in" -o "$tmp/sock"
    if [ "$st" != 4 ] || ! grep -q "sock: is a socket" "$tmp/err" || [ ! -S "$tmp/sock" ]; then
        fail "socket: exit status $st (expected 4): $(cat "$tmp/err")"
    else
        ok "socket: refused (4): $(cat "$tmp/err")"
    fi
    rm -f "$tmp/sock"
else
    echo "note: no python3 to make a socket: that check is skipped"
fi

# A FIFO: written directly (its reader started first; timeout ends it should gex never open it).
mkfifo "$tmp/fifo"
timeout 10 cat "$tmp/fifo" >"$tmp/fifo-read" &
reader=$!
run levels "$in" -o "$tmp/fifo"
wait "$reader"
if [ "$st" != 0 ] || [ ! -p "$tmp/fifo" ] || ! cmp -s "$tmp/fifo-read" "$tmp/ref"; then
    fail "FIFO: exit status $st; the FIFO is no longer one or its reader did not get the output"
else
    ok "FIFO: its reader got the output, still a FIFO"
fi

# A character device: /dev/null directly and through a link in the temporary directory.
run levels "$in" -o /dev/null
if [ "$st" != 0 ] || [ ! -c /dev/null ]; then
    fail "-o /dev/null: exit status $st; /dev/null is a character device: $([ -c /dev/null ] && echo yes || echo NO)"
else
    ok "-o /dev/null: written, still a character device"
fi
ln -s /dev/null "$tmp/null-link"
run levels "$in" -o "$tmp/null-link"
if [ "$st" != 0 ] || [ ! -L "$tmp/null-link" ] || [ ! -c /dev/null ]; then
    fail "link to /dev/null: exit status $st; the link or /dev/null changed"
else
    ok "link to /dev/null: written, still a link to a character device"
fi
no_tmp "after the successful runs"

# A full disk (/dev/full: every write fails with ENOSPC), through standard output and -o, for a
# small output (written at the close) and a large one (written, and failing, while computed):
# exit status 4 and one message saying the write failed and why, never "out of memory".
if [ -c /dev/full ]; then
    for cmd in "levels --format csv" "greeks --format csv" "greeks --format json" "greeks"; do
        for where in stdout file; do
            # shellcheck disable=SC2086
            if [ $where = stdout ]; then
                "$gex" $cmd "$in" >/dev/full 2>"$tmp/err" && st=0 || st=$?
                want="gex: writing the output failed: No space left on device"
            else
                "$gex" $cmd "$in" -o /dev/full 2>"$tmp/err" && st=0 || st=$?
                want="gex: /dev/full: writing the output failed: No space left on device"
            fi
            if [ "$st" != 4 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
                fail "gex $cmd to /dev/full ($where): exit status $st (expected 4), message: $(cat "$tmp/err") (expected: $want)"
            else
                ok "gex $cmd to /dev/full ($where): exit status 4, \"$want\""
            fi
        done
    done
    # The texts printed without a command's output (help, version, the API's list): the same
    # status and message.
    want="gex: writing the output failed: No space left on device"
    for cmd in "--help" "-h" "--version" "gex --help" "levels --version" "plot --help" \
        "serve --help" "api --help" "api --list"; do
        # shellcheck disable=SC2086
        "$gex" $cmd >/dev/full 2>"$tmp/err" && st=0 || st=$?
        if [ "$st" != 4 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
            fail "gex $cmd to /dev/full: exit status $st (expected 4), message: $(cat "$tmp/err") (expected: $want)"
        else
            ok "gex $cmd to /dev/full: exit status 4, \"$want\""
        fi
    done
else
    echo "note: no /dev/full here: the full-disk checks are skipped"
fi

# A failed run: the existing output byte for byte, no temporary file.
cp "$tmp/reg" "$tmp/reg-before"
run levels "$tmp/no-such-input.csv" -o "$tmp/reg"
if [ "$st" != 3 ] || ! cmp -s "$tmp/reg" "$tmp/reg-before"; then
    fail "failed run: exit status $st (expected 3), or the existing output changed"
else
    ok "failed run (3): the existing output unchanged"
fi
no_tmp "failed run"

# screen and history over files none of which can be read: no document, the existing output
# byte for byte (it was replaced by an empty table); with one file read, its rows are kept.
for cmd in screen "history --no-db"; do
    # shellcheck disable=SC2086
    run $cmd "$tmp/no-such-input.csv" -o "$tmp/reg"
    if [ "$st" != 3 ] || ! cmp -s "$tmp/reg" "$tmp/reg-before"; then
        fail "$cmd, no file read: exit status $st (expected 3), or the existing output changed"
    else
        ok "$cmd, no file read (3): the existing output unchanged"
    fi
    no_tmp "$cmd, no file read"
    # shellcheck disable=SC2086
    run $cmd "$tmp/no-such-input.csv" "$in" -o "$tmp/reg"
    if [ "$st" != 3 ] || ! grep -q SPX "$tmp/reg"; then
        fail "$cmd, one file of two read: exit status $st (expected 3), or no rows in the output"
    else
        ok "$cmd, one file of two read (3): the rows of the file read written"
    fi
    cp "$tmp/reg-before" "$tmp/reg"
done

# -o naming an input (the file itself, a link to it, a chain file of a folder given, a chart's
# input, a vendor file): refused as a misuse (2) naming both, the chain byte for byte.
mkdir "$tmp/chains"
cp "$in" "$tmp/chains/in.csv"
cp "$in" "$tmp/chains/in.svg"
cp "$in" "$tmp/in-before"
ln -s chains/in.csv "$tmp/in-link"
for args in "levels $tmp/chains/in.csv -o $tmp/chains/in.csv" \
    "levels $tmp/chains/in.csv -o $tmp/in-link" \
    "screen $tmp/chains -o $tmp/chains/in.csv" \
    "history --no-db $in $tmp/chains/ -o $tmp/in-link" \
    "plot $tmp/chains/in.svg -o $tmp/chains/in.svg" \
    "validate --vendor $tmp/chains/in.csv -o $tmp/chains/in.csv"; do
    # shellcheck disable=SC2086
    run $args
    if [ "$st" != 2 ] || ! grep -q -- "is the input $tmp/chains/in" "$tmp/err" ||
        ! cmp -s "$tmp/chains/in.csv" "$tmp/in-before" ||
        ! cmp -s "$tmp/chains/in.svg" "$tmp/in-before"; then
        fail "-o an input ($args): exit status $st (expected 2), or the chain changed: $(cat "$tmp/err")"
        cp "$in" "$tmp/chains/in.csv"
        cp "$in" "$tmp/chains/in.svg"
    else
        ok "-o an input (${args%% *}): refused (2): $(cat "$tmp/err")"
    fi
done
rm -rf "$tmp/chains" "$tmp/in-link" "$tmp/in-before"
no_tmp "-o an input"

# A run killed while writing: neither the file nor a temporary file. Killed once the output
# descriptor holds bytes (/proc/PID/fd), else when it ends or after about 10 s of waiting.
if ! "$gen" --seed 1 --big -o "$tmp/big.csv" 2>/dev/null; then
    fail "gen-chain --big did not run"
else
    "$gex" greeks --format csv "$tmp/big.csv" -o "$tmp/killed.csv" 2>/dev/null &
    pid=$!
    writing=
    named=
    i=0
    while [ -z "$writing" ] && [ "$i" -lt 1000 ] && kill -0 "$pid" 2>/dev/null; do
        for fd in /proc/"$pid"/fd/*; do
            to=$(readlink "$fd" 2>/dev/null) || continue
            case $to in
            "$tmp"/*" (deleted)" | "$tmp"/killed.csv.tmp-*) ;;
            *) continue ;;
            esac
            size=$(stat -L -c %s "$fd" 2>/dev/null) || continue
            if [ "${size:-0}" -gt 0 ]; then
                writing=$size
                case $to in *.tmp-*) named=$to ;; esac
            fi
        done
        [ -n "$writing" ] || sleep 0.01
        i=$((i + 1))
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ -z "$writing" ]; then
        echo "note: the kill did not land while the output was written (run ended or too fast)"
    fi
    if [ -n "$named" ]; then
        # File systems known to have O_TMPFILE (stat names ext2, ext3 and ext4 "ext2/ext3").
        fstype=$(stat -f -c %T "$tmp")
        case $shim:$fstype in
        :ext2/ext3 | :xfs | :btrfs | :tmpfs | :f2fs)
            fail "killed run: wrote to the named $named on $fstype, which has O_TMPFILE"
            ;;
        *)
            echo "note: no O_TMPFILE${shim:+ (refused by the preload)}: the killed run's $named is the documented leftover"
            ;;
        esac
        rm -f "$tmp"/killed.csv.tmp-*
    elif [ -n "$shim" ] && [ -n "$writing" ]; then
        fail "killed run: O_TMPFILE refused, yet no named temporary file was written"
    fi
    # The kill can land after the run has put its whole output in place (seen under load):
    # a file there must then be the complete output, byte for byte, never a part of it.
    if [ -e "$tmp/killed.csv" ] && [ -n "$writing" ]; then
        if "$gex" greeks --format csv "$tmp/big.csv" -o "$tmp/whole.csv" 2>/dev/null &&
            cmp -s "$tmp/killed.csv" "$tmp/whole.csv"; then
            ok "killed run (SIGKILL after ${writing:-?} bytes): the run had finished; its file is the whole output"
        else
            fail "killed run: left $tmp/killed.csv, not the whole output"
        fi
        rm -f "$tmp/whole.csv"
    else
        ok "killed run (SIGKILL after ${writing:-?} bytes): no file left"
    fi
    no_tmp "killed run"
fi

if [ -n "$shim" ]; then
    if [ -e "$mark" ]; then
        ok "O_TMPFILE refused by the preload: every -o above went through a named temporary file"
    else
        fail "the preload $shim never refused O_TMPFILE: the checks above did not test the fallback"
    fi
fi

exit $failed
