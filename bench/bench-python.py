#!/usr/bin/env python3
"""bench-python: the Python package gex on the index chain (gen-chain --big: 51,886
contracts): read, prepare, analysis and the per-strike DataFrame, against the same through the
command line (gex gex --format json, a process per run) and the pandas baseline
(bench/pandas-gex.py). Prints one line per figure, the best wall-clock time of N runs.

The binding's overhead is the package's time less the time of the same calls made on the
extension module directly (gex._gex: the C library, its argument parsing and the copy that
prepare() makes so that a chain never changes under an analysis); it should stay under 10% of
the C time. Also: two threads analysing at once against one (the GIL is released).

Usage: bench-python.py INDEX.csv [--build DIR] [--gex build/gex] [--pandas bench/pandas-gex.py]
                         [--reps N]
The package measured is this repository's python/gex with the module that the build DIR
(default build, the README's) made for its Python tests (DIR/python/tests/_gex*.so, as
meson test stages it), staged in a temporary folder; --build '' measures the package that the
interpreter imports (pip-installed). Which one is said on standard error.
"""
import argparse
import ctypes
import glob
import importlib.machinery
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def import_gex(build):
    """The package gex: staged from the build's module and python/gex when build is given,
    as python/tests/conftest.py stages it, else the interpreter's own."""
    if build:
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        ext = os.path.join(build, "python", "tests", "_gex" + suffix)
        if not os.path.isfile(ext):
            sys.exit(f"bench-python: {ext}: no Python module in the build {build}: build it "
                     f"(ninja -C {build}; meson's option python, with python3-dev and numpy), "
                     f"or pass --build '' to measure the installed package")
        stage = tempfile.mkdtemp(prefix="gex-bench-py-")
        os.mkdir(os.path.join(stage, "gex"))
        pkg = os.path.join(HERE, "..", "python", "gex")
        for name in os.listdir(pkg):
            if name.endswith(".py") or name == "py.typed":
                os.symlink(os.path.abspath(os.path.join(pkg, name)),
                           os.path.join(stage, "gex", name))
        os.symlink(os.path.abspath(ext), os.path.join(stage, "gex", "_gex" + suffix))
        sys.path.insert(0, stage)
        # The module finds the build's libgex by a run path relative to its own folder, which
        # the staged link is not in: the library is loaded first, by its name.
        lib = os.path.join(build, "src", "libgex.so.0")
        if os.path.isfile(lib):
            ctypes.CDLL(os.path.abspath(lib), mode=ctypes.RTLD_GLOBAL)
    try:
        import gex
    except ImportError as e:
        sys.exit(f"bench-python: the package gex cannot be imported ({e}): build it "
                 f"(--build DIR) or install it (pip install ./python)")
    finally:
        if build:
            shutil.rmtree(sys.path.pop(0))
    print(f"bench-python: the package from {os.path.dirname(gex.__file__) if not build else build}",
          file=sys.stderr)
    return gex


def best(fn, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("index")
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--gex", default="build/gex")
    ap.add_argument("--pandas", default=os.path.join(os.path.dirname(__file__), "pandas-gex.py"))
    ap.add_argument("--reps", type=int, default=10)
    a = ap.parse_args()
    path = a.index
    gex = import_gex(a.build)
    _gex = gex._gex

    def package():
        an = gex.analyze(gex.read(path).prepare())
        return an.strikes()

    def raw():
        # The arguments gex.read(path), Chain.prepare() and gex.analyze(chain) pass; the chain
        # read is freed once prepared, as package() frees it (kept, it made the analysis's
        # memory fresh pages: 3 ms more on the index chain).
        p = _gex.prepare(_gex.read(path, True, os.fsencode(path), "auto", False, None, 0.0,
                                   0.0, [], 1, None, False, 0), None, 0.045, 0.013, "auto",
                         "parity")
        _gex.check_open_interest(p)
        h = _gex.analyze(p, "pct", [], False, [], False, -1, 0.0, 0.0, 0.0, "profile",
                         "european", "model")
        return _gex.analysis_strikes(h)

    n = gex.read(path).n
    package()
    raw()
    # Interleaved, so that both see the same load on a shared machine.
    t_pkg, t_raw = float("inf"), float("inf")
    for _ in range(a.reps):
        t_pkg = min(t_pkg, best(package, 1))
        t_raw = min(t_raw, best(raw, 1))
    print(f"bench-python: package read+prepare+analyze+strikes DataFrame: {t_pkg * 1e3:.1f} ms "
          f"(best of {a.reps}; n={n})")
    print(f"bench-python: the same calls on gex._gex (the C library): {t_raw * 1e3:.1f} ms")
    print(f"bench-python: binding overhead: {(t_pkg - t_raw) * 1e3:.2f} ms = "
          f"{100 * (t_pkg - t_raw) / t_raw:.1f}% of the C time")

    c = gex.read(path)
    t_read = best(lambda: gex.read(path), a.reps)
    t_prep = best(lambda: c.prepare(), a.reps)
    p = c.prepare()
    t_an = best(lambda: gex.analyze(p), a.reps)
    an = gex.analyze(p)
    t_df = best(lambda: an.strikes(), a.reps)
    print(f"bench-python: phases: read {t_read * 1e3:.1f} ms, prepare {t_prep * 1e3:.1f} ms, "
          f"analyze {t_an * 1e3:.1f} ms, strikes DataFrame {t_df * 1e3:.3f} ms")

    def two_threads():
        ts = [threading.Thread(target=package) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    t_two = best(two_threads, max(3, a.reps // 2))
    print(f"bench-python: two threads, each the whole: {t_two * 1e3:.1f} ms "
          f"({2 * t_pkg / t_two:.2f}x one thread's throughput; {os.cpu_count()} cores)")

    if os.access(a.gex, os.X_OK):
        cmd = [a.gex, "gex", path, "--format", "json", "-o", "/dev/null"]
        t_cli = best(lambda: subprocess.run(cmd, check=True), a.reps)
        print(f"bench-python: command line gex gex --format json: {t_cli * 1e3:.1f} ms "
              f"(a process per run)")
    try:
        import pandas  # noqa: F401
        import scipy  # noqa: F401
        cmd = [sys.executable, a.pandas, path]
        t_pd = best(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL), max(1, a.reps // 5))
        print(f"bench-python: pandas baseline (pandas-gex.py): {t_pd * 1e3:.1f} ms "
              f"({t_pd / t_pkg:.1f}x the package)")
    except ImportError:
        print("bench-python: pandas baseline skipped: pandas or scipy not importable")


if __name__ == "__main__":
    main()
