#!/bin/sh
# Every command's --help names the common options in one short list and leaves their
# explanations to `gex --help`. The list and the explanations must name the same options, so
# neither can fall behind the other when an option is added.
# Usage: help-options.sh GEX
set -u
gex=$1
explained=$("$gex" --help | sed -n '/^Options common/,/^$/p' |
    grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u)
fail=0
for cmd in greeks gex levels summary profile screen validate plot; do
    listed=$("$gex" "$cmd" --help | sed -n '/^Common options/,$p' | sed 's/not --format//' |
        grep -oE -- '--[a-z-]+' | grep -v -- '--help' | sort -u)
    # -o stands for --output, and --help and --version are the help's own.
    want=$(printf '%s\n' "$explained" | grep -v -e '--output' -e '--help' | sort -u)
    # plot names --format only to say it takes none (its format is -o's extension)
    [ "$cmd" = plot ] && want=$(printf '%s\n' "$want" | grep -v -e '--format')
    if [ "$listed" != "$want" ]; then
        echo "FAIL: gex $cmd --help lists other common options than gex --help explains:"
        printf '%s\n' "$want" >/tmp/help-options-want.$$
        printf '%s\n' "$listed" | diff /tmp/help-options-want.$$ - | sed 's/^/  /'
        rm -f /tmp/help-options-want.$$
        fail=1
    fi
    if [ -z "$listed" ]; then
        echo "FAIL: gex $cmd --help has no common options list"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "help-options: the common options of $(printf '%s\n' "$explained" | wc -l) listed alike in every command's help"
exit $fail
