#!/usr/bin/env python3
"""bench-ceiling: how much K cores of this machine give a perfectly parallel workload: a
command's best wall-clock time alone, against its best time as K copies started together (the
processes share nothing), over ROUNDS rounds. Prints the throughput of the K copies over one
copy alone (K x alone / together: K on independent cores), and the CPU time (user + system,
the kernel's accounting of each child) of a copy alone and beside the others: a copy that takes
more CPU beside them shows the cores sharing something (a host's hyperthreads, memory
bandwidth, caches, a clock that drops when every core runs). `gex screen --jobs K` cannot scale
past what K copies of `--jobs 1` get. K is 2 unless --copies says otherwise.

    bench/bench-ceiling.py ROUNDS [--copies K] -- COMMAND ARGS...

    bench/bench-ceiling.py 3 -- build/gex screen --jobs 1 build/bench/market.csv

Lines (figures vary; the words do not):
    bench-ceiling: alone 2.40 s wall (cpu 2.39 s), two at once 2.93 s wall (cpu 2.66 s each at
    best): pair throughput 1.64 x one copy (2.0 on independent cores)
    bench-ceiling: alone 1.51 s wall (cpu 1.50 s), 16 at once 2.10 s wall (cpu 1.98 s each at
    best): 16 copies' throughput 11.50 x one copy (16.0 on independent cores)
"""
import os
import sys
import tempfile
import time


def run(commands):
    """Starts every command at once (stdout on /dev/null, stderr in a file of its own shown
    only when it fails); returns the wall time until the last ended and each child's CPU time
    (user + system)."""
    null = os.open(os.devnull, os.O_WRONLY)
    errs = [tempfile.TemporaryFile() for _ in commands]
    t0 = time.perf_counter()
    pids = [os.posix_spawn(c[0], c, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, e.fileno(), 2)])
        for c, e in zip(commands, errs)]
    cpu = []
    for pid, e in zip(pids, errs):
        _, status, ru = os.wait4(pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            e.seek(0)
            sys.stderr.write(e.read(1 << 20).decode(errors="replace"))
            print("bench-ceiling: %s failed (status %d)" % (commands[0][0], status),
                  file=sys.stderr)
            sys.exit(1)
        cpu.append(ru.ru_utime + ru.ru_stime)
    wall = time.perf_counter() - t0
    os.close(null)
    for e in errs:
        e.close()
    return wall, cpu


def main():
    args = sys.argv[1:]
    copies = 2
    if len(args) >= 3 and args[1] == "--copies":
        copies = int(args[2]) if args[2].isdigit() else 0
        del args[1:3]
    if len(args) < 3 or args[1] != "--" or not args[0].isdigit() or copies < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rounds = int(args[0])
    command = args[2:]
    if rounds < 1:
        print(__doc__, file=sys.stderr)
        return 2
    alone, alone_cpu, together, together_cpu = [], [], [], []
    for _ in range(rounds):
        w, c = run([command])
        alone.append(w)
        alone_cpu.append(c[0])
        w, c = run([command] * copies)
        together.append(w)
        together_cpu.append(max(c))
    many = "two" if copies == 2 else "%d" % copies
    whose = "pair" if copies == 2 else "%d copies'" % copies
    print("bench-ceiling: alone %.2f s wall (cpu %.2f s), %s at once %.2f s wall (cpu %.2f s "
          "each at best): %s throughput %.2f x one copy (%.1f on independent cores)"
          % (min(alone), min(alone_cpu), many, min(together), min(together_cpu), whose,
             copies * min(alone) / min(together), copies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
