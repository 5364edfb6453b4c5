#!/bin/bash
# The bash completion (doc/gex.bash) against the program's own help: every command gex --help
# lists, every option gex --help, a command's --help and gex serve --help name, and every value
# their "--option a|b|c" lines allow must complete; and completing works as a user types
# (gex lev<TAB>, gex levels --fo<TAB>, gex levels --format <TAB>).
# Usage: completion.sh GEX SOURCE_ROOT
set -u
gex=$1
root=$2
# shellcheck source=/dev/null
. "$root/doc/gex.bash"
fail=0

complete_line() { # the words of a command line, the last one being completed
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _gex
    printf '%s\n' "${COMPREPLY[@]}"
}
expect() { # expect WANTED WORD...: WANTED among the completions of the words
    local want=$1
    shift
    if ! complete_line "$@" | grep -qxF -- "$want"; then
        echo "FAIL: '${*}<TAB>' does not offer $want (offers: $(complete_line "$@" | tr '\n' ' '))"
        fail=1
    fi
}

commands=$("$gex" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}')
for c in $commands; do expect "$c" gex "${c:0:2}"; done

options=$( ("$gex" --help; for c in $commands; do [ "$c" = serve ] || [ "$c" = api ] || "$gex" "$c" --help; done) |
    grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $options; do expect "$o" gex levels "${o:0:4}"; done

serve_options=$("$gex" serve --help | grep -v '`' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $serve_options; do expect "$o" gex serve "${o:0:4}"; done
api_options=$("$gex" api --help | grep -v '`' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $api_options; do expect "$o" gex api "${o:0:4}"; done

# and the reverse: serve and api offer no option their help does not name (they refuse it)
for o in $(complete_line gex serve --); do
    [ "$o" = --help ] || echo "$serve_options" | grep -qxF -- "$o" ||
        { echo "FAIL: 'gex serve --<TAB>' offers $o, which gex serve --help does not name"; fail=1; }
done
for o in $(complete_line gex api --); do
    [ "$o" = --help ] || echo "$api_options" | grep -qxF -- "$o" ||
        { echo "FAIL: 'gex api --<TAB>' offers $o, which gex api --help does not name"; fail=1; }
done

# "--option a|b|c" in the help: each value completes after the option
values=$( ("$gex" --help; "$gex" plot --help) | grep -oE -- '--[a-z-]+ [a-z0-9-]+(\|[a-z0-9-]+)+')
while read -r opt list; do
    [ -n "$opt" ] || continue
    for v in ${list//|/ }; do
        case $v in *=*) continue ;; esac
        expect "$v" gex levels "$opt" ""
    done
done <<EOF2
$values
EOF2
# --input-format's values come from gex --help (the gex on PATH): every name listed there.
PATH=$(dirname "$gex"):$PATH
formats=$("$gex" --help | awk 'f && /^  --/ {exit} /--input-format NAME/ {f = 1; sub(/.*NAME/, "")} f' |
    tr ',' '\n' | tr -d ' ' | grep .)
[ -n "$formats" ] || { echo "FAIL: gex --help lists no --input-format names"; fail=1; }
for f in $formats; do expect "$f" gex levels --input-format ""; done
kinds=$("$gex" plot --help | grep -oE -- '--kind [A-Z]+' >/dev/null && echo "gex dex vex chex profile dashboard heatmap history")
for k in $kinds; do expect "$k" gex plot --kind ""; done

if [ $fail -eq 0 ]; then
    echo "completion: $(echo "$commands" | wc -w) commands, $(echo "$options" | wc -w) options," \
        "$(echo "$serve_options" | wc -w) serve and $(echo "$api_options" | wc -w) api options and their" \
        "values complete"
fi
exit $fail
