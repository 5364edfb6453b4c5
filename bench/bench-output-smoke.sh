#!/bin/sh
# bench-output on a small chain (suite bench-smoke): its speed-up of each writing on N threads
# over one thread is the one-thread wall time it prints over the N-thread wall time it prints
# (it once set one thread's CPU time against N threads' wall time).
#
#   bench-output-smoke.sh BENCH_OUTPUT FILE
set -eu
t=$("$1" --reps 1 "$2")
printf '%s\n' "$t"
line=$(printf '%s\n' "$t" | grep 'written on [0-9]* threads') || {
    echo "bench-output-smoke: no line of the writing on threads" >&2
    exit 1
}
printf '%s\n' "$line" | awk '
{
    # csv A ms, ...; json B ms, ...; table C ms, ... (one thread: csv X x, json Y x, table Z x
    # its wall time of P, Q and R ms; ...)
    if (!match($0, /one thread: csv [0-9.]+ x, json [0-9.]+ x, table [0-9.]+ x its wall time of [0-9.]+, [0-9.]+ and [0-9.]+ ms/))
        { print "bench-output-smoke: no one-thread wall times in the line" > "/dev/stderr"; exit 1 }
    split(substr($0, RSTART, RLENGTH), f, /[ ,]+/)
    # f: one thread: csv X x json Y x table Z x its wall time of P Q and R ms
    x[1] = f[4]; x[2] = f[7]; x[3] = f[10]; w[1] = f[16]; w[2] = f[17]; w[3] = f[19]
    match($0, /: csv [0-9.]+ ms/); split(substr($0, RSTART, RLENGTH), a, " "); n[1] = a[3]
    match($0, /; json [0-9.]+ ms/); split(substr($0, RSTART, RLENGTH), a, " "); n[2] = a[3]
    match($0, /; table [0-9.]+ ms/); split(substr($0, RSTART, RLENGTH), a, " "); n[3] = a[3]
    for (i = 1; i <= 3; i++) {
        want = w[i] / n[i]
        tol = 0.01 + want * (0.06 / n[i] + 0.06 / w[i])
        if (n[i] <= 0 || w[i] <= 0 || x[i] - want > tol || want - x[i] > tol) {
            printf "bench-output-smoke: writing %d: %s x, but its walls give %s / %s = %.3f\n", i, x[i], w[i], n[i], want > "/dev/stderr"
            exit 1
        }
    }
}'
