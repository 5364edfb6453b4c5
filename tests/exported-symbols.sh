#!/bin/sh
# What the shared libraries and the modules export, read from their dynamic symbol tables
# (nm -D). A library of the public API (libgex.so, libgex-plot.so: src/libgex.map,
# src/plot/libgex-plot.map) exports names that begin with its prefix and that include/gex/*.h
# declares, and none of the gex__ functions its files share; a module (the program's,
# src/cli/module-*.map, and the Python package's, python/src/gexpy-module.map) exports the
# functions looked up in it and nothing else. Skips where nm is absent.
# Usage: exported-symbols.sh SOURCE_ROOT [library FILE PREFIX | module FILE NAME[,NAME...]]...
set -u
root=$1
if ! command -v nm >/dev/null 2>&1; then
    echo "skipped: no nm (binutils) to read the dynamic symbol tables"
    exit 77
fi

fail=0
exported() { # the names FILE defines in its dynamic symbol table, one a line, sorted
    nm -D --defined-only "$1" | awk 'NF == 3 { print $3 }' | sed 's/@.*//' | sort -u
}

# A library of the public API: every name begins with PREFIX, none with gex__, and a header of
# include/gex declares each (gex/version.h is generated from its template, version.h.in).
library() { # FILE PREFIX
    names=$(exported "$1")
    if [ -z "$names" ]; then
        echo "FAIL: $1 exports nothing (or nm could not read it)"
        fail=1
        return
    fi
    bad=$( (printf '%s\n' "$names" | grep -v "^$2"; printf '%s\n' "$names" | grep '^gex__') |
        sort -u)
    if [ -n "$bad" ]; then
        echo "FAIL: $1 exports names outside its public API ($2*, no gex__): name what its files"
        echo "share gex__ (its version script keeps those inside) or make it static:"
        printf '%s\n' "$bad" | head -20 | sed 's/^/  /'
        fail=1
        return
    fi
    for s in $names; do
        if ! grep -qw "$s" "$root"/include/gex/*.h "$root"/include/gex/*.h.in; then
            echo "FAIL: $1 exports $s, which no header of include/gex declares: declare it" \
                "there or make it static"
            fail=1
            return
        fi
    done
    echo "$1: $(printf '%s\n' "$names" | wc -l | tr -d ' ') names, all of its public API"
}

# A module: exactly the functions looked up in it with dlsym (its entry points), nothing else.
module() { # FILE NAME...
    file=$1
    shift
    want=$(printf '%s\n' "$@" | sort -u)
    names=$(exported "$file")
    if [ "$names" != "$want" ]; then
        echo "FAIL: $file exports other names than its entry points ($*):"
        printf '%s\n' "$names" | grep -vxF "$want" | head -20 | sed 's/^/  exported: /'
        printf '%s\n' "$want" | grep -vxF "$names" | sed 's/^/  missing: /'
        fail=1
    else
        echo "$file: its entry points alone"
    fi
}

shift
while [ $# -ge 3 ]; do
    case $1 in
    library) library "$2" "$3" ;;
    module) module "$2" $(printf '%s' "$3" | tr ',' ' ') ;;
    *) break ;;
    esac
    shift 3
done
if [ $# -ne 0 ]; then
    echo "exported-symbols.sh: $*: expected library FILE PREFIX or module FILE NAMES"
    exit 2
fi
exit $fail
