#!/bin/sh
# The core library includes nothing of the layers above it (STYLE.md, "layers that only look
# down"): no object of libgex or its SIMD parts depends, directly or through another header, on
# gex/plot.h (libgex-plot's API) or on a header of src/render, src/plot, src/cli or src/serve.
# Reads the header dependencies ninja recorded when it compiled them.
# Usage: core-includes.sh BUILD_DIR
set -eu
build=$1
command -v ninja >/dev/null 2>&1 || { echo "core-includes: no ninja: skipped"; exit 77; }
objects=$(cd "$build" && find src -path 'src/libgex*.p/*.o' | sort)
[ -n "$objects" ] || { echo "core-includes: no libgex objects under $build/src"; exit 1; }
# shellcheck disable=SC2086
bad=$(ninja -C "$build" -t deps $objects | awk '
    /^[^ ]/ { obj = $1; next }
    $1 ~ /(^|\/)include\/gex\/plot\.h$/ || $1 ~ /(^|\/)src\/(render|plot|cli|serve)\// {
        print obj " " $1
    }')
if [ -n "$bad" ]; then
    echo "core-includes: the core library includes what is above it:"
    echo "$bad"
    exit 1
fi
echo "core-includes: $(echo "$objects" | wc -l) objects, none includes gex/plot.h or a layer above"
