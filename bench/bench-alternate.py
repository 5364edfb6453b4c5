#!/usr/bin/env python3
"""bench-alternate: CPU time of several commands run in turn, for a machine shared with other
work. Each round runs every command once, in the order given, with its standard output on
/dev/null and its standard error in a file shown only when it fails (a whole-market screen's
warnings would fill the terminal); the kernel's accounting of the child (wait4: user + system) is its CPU time. Running
the commands alternately exposes each to the same load, so their ratio means something where
wall-clock times do not. Prints one line per command: the minimum and the median CPU time over
the rounds and the minimum wall-clock time.

    bench/bench-alternate.py ROUNDS -- COMMAND ARGS... [-- COMMAND ARGS...]...

    bench/bench-alternate.py 5 -- build/gex levels build/bench/index.csv \\
        -- /usr/bin/python3 bench/pandas-gex.py build/bench/index.csv
"""
import os
import statistics
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    commands = []
    for a in sys.argv[2:]:
        if a == "--":
            commands.append([])
        else:
            commands[-1].append(a)
    if rounds < 1 or any(not c for c in commands):
        print(__doc__, file=sys.stderr)
        return 2
    cpu = [[] for _ in commands]
    wall = [[] for _ in commands]
    null = os.open(os.devnull, os.O_WRONLY)
    err = tempfile.TemporaryFile()
    for _ in range(rounds):
        for k, c in enumerate(commands):
            os.ftruncate(err.fileno(), 0)
            os.lseek(err.fileno(), 0, os.SEEK_SET)
            t0 = time.perf_counter()
            # posix_spawn (vfork and exec in glibc): a forked Python child would be charged
            # the copy of this process's pages before its exec, milliseconds of CPU
            pid = os.posix_spawnp(c[0], c, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1),
                                                                            (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
            _, status, ru = os.wait4(pid, 0)
            wall[k].append(time.perf_counter() - t0)
            if os.waitstatus_to_exitcode(status) != 0:
                os.lseek(err.fileno(), 0, os.SEEK_SET)
                sys.stderr.write(os.read(err.fileno(), 1 << 20).decode(errors="replace"))
                print(f"bench-alternate: {' '.join(c)} failed (status {status})", file=sys.stderr)
                return 1
            cpu[k].append(ru.ru_utime + ru.ru_stime)
    for k, c in enumerate(commands):
        print(f"bench-alternate: {' '.join(c)}: cpu {min(cpu[k]) * 1e3:.1f} ms min, "
              f"{statistics.median(cpu[k]) * 1e3:.1f} ms median, wall {min(wall[k]) * 1e3:.1f} ms "
              f"min ({rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
