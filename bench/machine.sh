#!/bin/sh
# The machine column of the benchmark tables (bench/run-all, bench/device-scaling): the CPU's
# model, "(AVX-512)" where it has AVX-512F, the online cores and the load average now, e.g.
#   Intel Xeon (AVX-512), 2 cores, load 0.28
set -eu
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //; s/(R)//g; s/ Processor//; s/  */ /g')
if grep -q avx512f /proc/cpuinfo; then
    cpu="$cpu (AVX-512)"
fi
echo "$cpu, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
