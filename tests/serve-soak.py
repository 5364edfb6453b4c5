#!/usr/bin/env python3
"""gex serve soak test: mixed load while the served files are rewritten, replaced, swapped for
symbolic links and FIFOs, deleted and added again.

A folder holds two chain files: spx.csv (SPX; gen-chain --seed 11 and 12) and etf.csv (GLD and
TLT, from a generated whole market, --seed 7 and 8). Each has two versions, and the command line's answer for every version,
symbol, endpoint (gex, dex, levels, summary) and query ("" and ?min_oi=100) is computed first
(`gex KIND --format json --symbol S [--min-oi 100] FILE`, the file at the path it is served
from). Then `gex serve --threads 2` serves the folder on a free loopback port while
  - CLIENTS client threads (default 4; half keep their connection alive, half open one per
    request) ask random (symbol, endpoint, query) triples: answers are cached until a file
    changes, then computed again, so cached and uncached requests mix;
  - a writer changes a random file every 50-300 ms: rewrites it in place (truncated, then
    written in four pieces 40 ms apart, or at once), replaces it by an atomic rename, swaps in
    a symbolic link to a version outside the folder or a FIFO (for 200 ms), or deletes it (for
    200 ms); then it is a complete version again.
Checked, failing otherwise:
  - every 200 answer is byte for byte the command line's answer for one version of the file
    named in X-Gex-File, the file that holds the symbol;
  - every other answer is 503 file_changing with Retry-After, or 404 symbol_not_found (the file
    deleted, or a link or FIFO in its place: never followed, never read);
  - no request goes unanswered within 20 s (no hang, no crash); the server exits 0 on SIGTERM
    within 10 s; its log holds no sanitizer report;
  - its resident memory (VmRSS, sampled every 0.5 s) levels off: the peak of the last quarter
    of the run exceeds that of the second quarter by at most 16 MiB (32 MiB in a sanitized
    build, which fills its caches more slowly).
Prints the load held (requests/s, p50/p99 latency, connections, statuses, cache hits) and the
faults injected.

Usage: serve-soak.py GEX GEN_CHAIN [SANITIZE]   (SANITIZE: meson's b_sanitize, "none" when not)
Environment: GEX_SOAK_SECONDS (default 60), GEX_SOAK_CLIENTS (default 4).
Exit: 0 pass, 1 fail. Every request goes to 127.0.0.1.
"""
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# The caches (512 answers, 64 prepared chains) fill within the first half of a release run;
# a sanitized build answers several times fewer requests, so they fill later: twice the room.
RSS_GROWTH_MAX_KB = 16 * 1024
KINDS = ("gex", "dex", "levels", "summary")
QUERIES = (("", []), ("?min_oi=100", ["--min-oi", "100"]))
FILES = {"spx.csv": ("SPX",), "etf.csv": ("GLD", "TLT")}


def main():
    gex, gen_chain = sys.argv[1], sys.argv[2]
    sanitize = sys.argv[3] if len(sys.argv) > 3 else "none"
    seconds = float(os.environ.get("GEX_SOAK_SECONDS", "60"))
    n_clients = int(os.environ.get("GEX_SOAK_CLIENTS", "4"))
    work = tempfile.mkdtemp(prefix="gex-soak.")
    try:
        return run(gex, gen_chain, sanitize, seconds, n_clients, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_versions(gen_chain, work):
    """Two complete versions of each file, under work/versions/vN/NAME."""
    vdir = os.path.join(work, "versions")
    for v in ("v1", "v2"):
        os.makedirs(os.path.join(vdir, v))
    for v, seed in (("v1", "11"), ("v2", "12")):
        subprocess.run([gen_chain, "--seed", seed, "-o", os.path.join(vdir, v, "spx.csv")],
                       check=True, stderr=subprocess.DEVNULL)
    # The ETFs of a generated whole market (their names do not depend on the seed), seed 7 and 8.
    for v, seed in (("v1", "7"), ("v2", "8")):
        market = os.path.join(work, "market.csv")
        subprocess.run([gen_chain, "--seed", seed, "--market", "--underlyings", "3", "-o",
                        market], check=True, stderr=subprocess.DEVNULL)
        with open(market) as f:
            lines = f.readlines()
        with open(os.path.join(vdir, v, "etf.csv"), "w") as f:
            f.write(lines[0])
            f.writelines(l for l in lines[1:] if l.split(",", 1)[0] in FILES["etf.csv"])
    return vdir


def expected_answers(gex, vdir, served):
    """(name, symbol, kind, query) -> set of acceptable bodies; the CLI run on each version at
    the served path."""
    want = {}
    for name, symbols in FILES.items():
        for v in ("v1", "v2"):
            shutil.copyfile(os.path.join(vdir, v, name), os.path.join(served, name))
            for sym in symbols:
                for kind in KINDS:
                    for query, opts in QUERIES:
                        r = subprocess.run([gex, kind, "--format", "json", "--symbol", sym] +
                                           opts + [os.path.join(served, name)],
                                           capture_output=True)
                        if r.returncode != 0:
                            raise SystemExit("gex %s %s on %s %s failed: %s" %
                                             (kind, sym, v, name, r.stderr.decode()))
                        want.setdefault((name, sym, kind, query), set()).add(r.stdout)
    for key, bodies in want.items():
        if len(bodies) != 2:
            raise SystemExit("the two versions answer %s alike: not a test" % (key,))
    return want


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.failures = []
        self.status = {}
        self.cache = {}
        self.latency = []
        self.requests = 0
        self.connections = 0

    def fail(self, text):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(text)
            else:
                self.failures[-1] = "... and more"


def client(port, want, stats, stop, keep_alive, seed):
    rng = random.Random(seed)
    keys = sorted(want)
    conn = None
    while not stop.is_set():
        name, sym, kind, query = rng.choice(keys)
        target = "/v1/exposure/%s/%s%s" % (kind, sym, query)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                with stats.lock:
                    stats.connections += 1
            t0 = time.monotonic()
            conn.request("GET", target, headers={} if keep_alive else {"Connection": "close"})
            resp = conn.getresponse()
            body = resp.read()
            dt = time.monotonic() - t0
        except Exception as e:  # a hang (timeout), a reset, a crash
            stats.fail("%s: no answer: %r" % (target, e))
            conn = None
            time.sleep(0.1)
            continue
        if not keep_alive or resp.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = None
        served = resp.getheader("X-Gex-File")
        with stats.lock:
            stats.requests += 1
            stats.latency.append(dt)
            stats.status[resp.status] = stats.status.get(resp.status, 0) + 1
            c = resp.getheader("X-Gex-Cache", "-")
            stats.cache[c] = stats.cache.get(c, 0) + 1
        if resp.status == 200:
            if served != name:
                stats.fail("%s: answered from %r, not %s" % (target, served, name))
            elif body not in want[(name, sym, kind, query)]:
                stats.fail("%s: a 200 that is no version's answer: %r" % (target, body[:200]))
        elif resp.status == 503:
            if not body.startswith(b'{"error":"file_changing","message":"'):
                stats.fail("%s: 503 %r" % (target, body[:200]))
            if resp.getheader("Retry-After") is None:
                stats.fail("%s: 503 without Retry-After" % target)
        elif resp.status == 404:
            if not body.startswith(b'{"error":"symbol_not_found","message":"'):
                stats.fail("%s: 404 %r" % (target, body[:200]))
        else:
            stats.fail("%s: status %d %r" % (target, resp.status, body[:200]))


def writer(served, vdir, stop, ops, seed):
    rng = random.Random(seed)
    names = sorted(FILES)
    while not stop.is_set():
        name = rng.choice(names)
        path = os.path.join(served, name)
        src = os.path.join(vdir, rng.choice(("v1", "v2")), name)
        with open(src, "rb") as f:
            data = f.read()
        op = rng.choice(("in-place slow", "in-place", "rename", "link", "fifo", "delete"))
        tmp = os.path.join(served, ".tmp-" + name)
        regular = os.path.isfile(path) and not os.path.islink(path)
        if op.startswith("in-place") and regular:
            with open(path, "r+b") as f:
                f.truncate(0)
                if op == "in-place slow":
                    q = len(data) // 4
                    for i in range(4):
                        f.write(data[i * q:] if i == 3 else data[i * q:(i + 1) * q])
                        f.flush()
                        time.sleep(0.04)
                else:
                    f.write(data)
        elif op in ("link", "fifo", "delete"):
            if op == "link":
                os.symlink(src, tmp)
                os.replace(tmp, path)
            elif op == "fifo":
                os.mkfifo(tmp)
                os.replace(tmp, path)
            elif os.path.lexists(path):
                os.unlink(path)
            time.sleep(0.2)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        else:
            op = "rename"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        ops[op] = ops.get(op, 0) + 1
        time.sleep(rng.uniform(0.05, 0.3))


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(gex, gen_chain, sanitize, seconds, n_clients, work):
    served = os.path.join(work, "served")
    os.makedirs(served)
    vdir = make_versions(gen_chain, work)
    want = expected_answers(gex, vdir, served)
    log_path = os.path.join(work, "serve.log")
    env = dict(os.environ)
    if sanitize != "none" and "address" in sanitize:
        # ASan keeps freed memory in quarantine (256 MiB by default): a small one, so that
        # the resident memory measures the server, not the sanitizer.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8").lstrip(":")
    log = open(log_path, "wb")
    proc = subprocess.Popen([gex, "serve", "--port", "0", "--threads", "2", served],
                            stderr=log, env=env)
    port = None
    for _ in range(300):
        with open(log_path, "rb") as f:
            m = re.search(rb"at http://127\.0\.0\.1:(\d+)/", f.read())
        if m:
            port = int(m.group(1))
            break
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    if port is None:
        proc.kill()
        print("gex serve did not start:", open(log_path, "rb").read().decode(errors="replace"))
        return 1

    stats = Stats()
    stop = threading.Event()
    ops = {}
    threads = [threading.Thread(target=client,
                                args=(port, want, stats, stop, i % 2 == 0, 1000 + i))
               for i in range(n_clients)]
    wthread = threading.Thread(target=writer, args=(served, vdir, stop, ops, 42))
    rss = []
    t0 = time.monotonic()
    for t in threads:
        t.start()
    wthread.start()
    while time.monotonic() - t0 < seconds:
        time.sleep(0.5)
        r = rss_kb(proc.pid)
        if r is None or proc.poll() is not None:
            stats.fail("gex serve died (exit status %s)" % proc.poll())
            break
        rss.append((time.monotonic() - t0, r))
    stop.set()
    wthread.join()
    for t in threads:
        t.join(30)
        if t.is_alive():
            stats.fail("a client is still waiting for an answer 30 s after the end")
    elapsed = time.monotonic() - t0

    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(10)
            if rc != 0:
                stats.fail("gex serve exited %d on SIGTERM" % rc)
        except subprocess.TimeoutExpired:
            proc.kill()
            stats.fail("gex serve still running 10 s after SIGTERM")
    log.close()
    text = open(log_path, "rb").read().decode(errors="replace")
    if "Sanitizer" in text or "runtime error" in text:
        i = max(text.find("Sanitizer"), text.find("runtime error"))
        stats.fail("a sanitizer report in the server's log: " + text[max(0, i - 200):i + 2000])

    # Memory levels off: the last quarter's peak against the second quarter's.
    q2 = [r for t, r in rss if seconds / 4 <= t < seconds / 2]
    q4 = [r for t, r in rss if t >= 3 * seconds / 4]
    growth = max(q4) - max(q2) if q2 and q4 else None
    bound = RSS_GROWTH_MAX_KB * (2 if sanitize != "none" else 1)
    if growth is None:
        stats.fail("too few memory samples")
    elif growth > bound:
        stats.fail("resident memory still growing: %d kB in the second quarter, %d kB in the "
                   "last (bound: +%d kB)" % (max(q2), max(q4), bound))
    if stats.status.get(200, 0) == 0:
        stats.fail("no 200 answer at all")
    if sum(ops.values()) < seconds:
        stats.fail("the writer made only %d changes" % sum(ops.values()))

    lat = sorted(stats.latency)
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0)
    print("serve-soak: %.0f s, %d clients (%d connections), %d requests: %.0f requests/s, "
          "p50 %.2f ms, p99 %.2f ms, max %.1f ms" %
          (elapsed, n_clients, stats.connections, stats.requests, stats.requests / elapsed,
           p(0.5), p(0.99), lat[-1] * 1000 if lat else 0))
    print("serve-soak: statuses %s; cache %s" %
          (", ".join("%d: %d" % kv for kv in sorted(stats.status.items())),
           ", ".join("%s: %d" % kv for kv in sorted(stats.cache.items()))))
    print("serve-soak: faults: %s" % ", ".join("%s %d" % kv for kv in sorted(ops.items())))
    if rss:
        print("serve-soak: VmRSS %d kB at 1 s, %d kB peak of the second quarter, %d kB peak of "
              "the last, %d kB at the end" %
              (rss[min(1, len(rss) - 1)][1], max(q2) if q2 else 0, max(q4) if q4 else 0,
               rss[-1][1]))
    for f in stats.failures:
        print("FAIL:", f)
    if stats.failures:
        notes = [l for l in text.splitlines() if l.startswith("gex")]
        print("the server's log, less its access lines (last 30):")
        print("\n".join(notes[-30:]))
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
