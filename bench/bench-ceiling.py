#!/usr/bin/env python3
"""bench-ceiling: how much two cores of this machine give a perfectly parallel workload: a
command's best wall-clock time alone, against its best time as two copies started together
(two processes share nothing), over ROUNDS rounds. Prints the throughput of the pair over one
copy alone (2 x alone / pair: 2.0 on two independent cores), and the CPU time (user + system,
the kernel's accounting of each child) of a copy alone and in the pair: a copy that takes more
CPU beside the other shows the cores sharing something (a host's hyperthreads, memory
bandwidth, caches). `gex screen --jobs 2` cannot scale past what two copies of `--jobs 1` get.

    bench/bench-ceiling.py ROUNDS -- COMMAND ARGS...

    bench/bench-ceiling.py 3 -- build/gex screen --jobs 1 build/bench/market.csv

Lines (figures vary; the words do not):
    bench-ceiling: alone 2.40 s wall (cpu 2.39 s), two at once 2.93 s wall (cpu 2.66 s each at
    best): pair throughput 1.64 x one copy (2.0 on independent cores)
"""
import os
import sys
import time


def run(commands):
    """Starts every command at once (stdout on /dev/null); returns the wall time until the last
    ended and each child's CPU time (user + system)."""
    null = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pids = [os.posix_spawn(c[0], c, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, null, 1)]) for c in commands]
    cpu = []
    for pid in pids:
        _, status, ru = os.wait4(pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            print("bench-ceiling: %s failed (status %d)" % (commands[0][0], status),
                  file=sys.stderr)
            sys.exit(1)
        cpu.append(ru.ru_utime + ru.ru_stime)
    wall = time.perf_counter() - t0
    os.close(null)
    return wall, cpu


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    command = sys.argv[3:]
    if rounds < 1:
        print(__doc__, file=sys.stderr)
        return 2
    alone, alone_cpu, pair, pair_cpu = [], [], [], []
    for _ in range(rounds):
        w, c = run([command])
        alone.append(w)
        alone_cpu.append(c[0])
        w, c = run([command, command])
        pair.append(w)
        pair_cpu.append(max(c))
    print("bench-ceiling: alone %.2f s wall (cpu %.2f s), two at once %.2f s wall (cpu %.2f s "
          "each at best): pair throughput %.2f x one copy (2.0 on independent cores)"
          % (min(alone), min(alone_cpu), min(pair), min(pair_cpu), 2 * min(alone) / min(pair)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
