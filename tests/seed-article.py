#!/usr/bin/env python3
"""The seed article's code runs unchanged against gex serve (issue 17).

bench/gen-chain writes 62 weekdays of daily files for the article's ten symbols (ETFs, single
stocks and SPX); `gex serve` serves the folder on loopback. tests/seed-article-code.py, the
article's code, runs as written: its requests to the vendor's host are sent to the local server
by a sitecustomize that rewrites the URL's scheme and host only (the way tools/sdk-suites points
the vendor's SDKs at gex). What it prints is then checked against the command line on the same
files:
  - spot, net GEX and its label, the flip and the top ten strikes against `gex gex` on SPY's
    newest file; the levels against `gex levels`; net VEX/CHEX and their interpretation
    strings against `gex vex`/`gex chex`;
  - the article's regime classifier, computed in Python from the served documents, against
    gex's own (the `classifier` of `gex summary` on each symbol's newest file): regime,
    confidence, vanna alignment and the distance to the flip; the folder holds both regimes
    and all three confidences;
  - the dashboard's ten rows: spot, net GEX, flip, regime, confidence, vanna, and the VRP
    z-score against the last row of `gex history` for that symbol (which has all 62 days).
Usage: seed-article.py GEX GEN_CHAIN; exit 77 (skipped, saying why) without python3-requests.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SYMBOLS = ["SPY", "QQQ", "TSLA", "NVDA", "AAPL", "AMD", "META", "MSFT", "AMZN", "SPX"]
DAYS = 62
failures = []

REDIRECT = """
import requests.sessions
_request = requests.sessions.Session.request
def _local(self, method, url, *args, **kwargs):
    vendor = "https://lab.flashalpha.com"
    if url.startswith(vendor):
        url = "http://127.0.0.1:%d" + url[len(vendor):]
    return _request(self, method, url, *args, **kwargs)
requests.sessions.Session.request = _local
"""


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run_json(gex, *args):
    out = subprocess.run([gex, *args, "--format", "json"], capture_output=True, check=True)
    return json.loads(out.stdout)


def money(x):
    """The article's f"{x:,.0f}"."""
    return f"{x:,.0f}"


def main():
    gex, gen_chain = sys.argv[1], sys.argv[2]
    try:
        import requests  # noqa: F401  (the article's only dependency)
    except ImportError:
        print("skipped: python3-requests absent (the article's code uses it; "
              "apt-get install python3-requests)")
        return 77
    work = tempfile.mkdtemp(prefix="gex-seed-article-")
    proc = None
    try:
        d = os.path.join(work, "days")
        os.makedirs(d)
        subprocess.run([gen_chain, "--days", str(DAYS), "--dir", d, "--start", "2025-09-02",
                        "--symbols", ",".join(SYMBOLS)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        newest = {}
        for f in sorted(os.listdir(d)):
            newest[f.split("_")[0]] = os.path.join(d, f)
        check(sorted(newest) == sorted(SYMBOLS), "generated symbols: %s" % sorted(newest))

        log_path = os.path.join(work, "serve.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([gex, "serve", "--port", "0", "--threads", "2", d],
                                    stderr=log)
        port = None
        for _ in range(600):
            with open(log_path, "rb") as f:
                m = re.search(rb"at http://127\.0\.0\.1:(\d+)/", f.read())
            if m:
                port = int(m.group(1))
                break
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        if port is None:
            print("FAIL: gex serve did not start:", open(log_path).read())
            return 1

        # The server answers 503 index_busy while it scans the folder; the article's code
        # has no retry, so wait until /v1/symbols lists every symbol.
        ready = False
        for _ in range(1200):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/v1/symbols" % port,
                                            timeout=60) as r:
                    ready = sorted(json.loads(r.read())["symbols"]) == sorted(SYMBOLS)
            except (urllib.error.URLError, OSError, ValueError, KeyError):
                pass
            if ready:
                break
            time.sleep(0.25)
        check(ready, "gex serve never listed the ten symbols in /v1/symbols")

        site = os.path.join(work, "site")
        os.makedirs(site)
        with open(os.path.join(site, "sitecustomize.py"), "w") as f:
            f.write(REDIRECT % port)
        env = dict(os.environ, PYTHONPATH=site)
        run = subprocess.run([sys.executable, os.path.join(HERE, "seed-article-code.py")],
                             capture_output=True, text=True, env=env, timeout=600)
        out = run.stdout.splitlines()
        print("\n".join(out))
        check(run.returncode == 0, "the article's code exited %d: %s" %
              (run.returncode, run.stderr[-2000:]))
        if run.returncode != 0:
            return 1

        # --- the single-symbol sections, against the command line on SPY's newest file ---
        spy = newest["SPY"]
        g = run_json(gex, "gex", spy)
        lv = run_json(gex, "levels", spy)["levels"]
        vx = run_json(gex, "vex", spy)
        cx = run_json(gex, "chex", spy)
        want = [f"SPY @ ${g['underlying_price']:.2f}",
                f"Net GEX: ${money(g['net_gex'])} ({g['net_gex_label']})",
                f"Gamma Flip: ${g['gamma_flip']:.2f}"]
        check(out[:3] == want, "header %r, want %r" % (out[:3], want))
        top = sorted(g["strikes"], key=lambda x: abs(x["net_gex"]), reverse=True)[:10]
        printed = [float(re.match(r"\s+\$\s*([0-9.]+) call=", line).group(1))
                   for line in out[3:13]]
        check(printed == [round(s["strike"]) for s in top],
              "top strikes %s, want %s" % (printed, [s["strike"] for s in top]))
        for line, s in zip(out[3:13], top):
            nums = re.findall(r"=\s*(-?[0-9,.e+-]+)", line)
            got = [float(x.replace(",", "")) for x in nums]
            want_n = [s["call_gex"], s["put_gex"], s["net_gex"]]
            check(all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(got, want_n)),
                  "strike %s: printed %s, gex gex %s" % (s["strike"], got, want_n))
        want_lv = [f"Gamma Flip:   ${lv['gamma_flip']:.2f}", f"Call Wall:    ${lv['call_wall']:.0f}",
                   f"Put Wall:     ${lv['put_wall']:.0f}",
                   f"Max +Gamma:   ${lv['max_positive_gamma']:.0f}",
                   f"Max -Gamma:   ${lv['max_negative_gamma']:.0f}",
                   f"Highest OI:   ${lv['highest_oi_strike']:.0f}"]
        check(out[13:19] == want_lv, "levels %r, want %r" % (out[13:19], want_lv))
        want_vc = [f"Net VEX: ${money(vx['net_vex'])}", f"  {vx['vex_interpretation']}",
                   f"Net CHEX: ${money(cx['net_chex'])}", f"  {cx['chex_interpretation']}"]
        check(out[19:23] == want_vc, "vex/chex %r, want %r" % (out[19:23], want_vc))

        # --- the classifier and the dashboard, against gex summary and gex history ---
        summary = {sym: run_json(gex, "summary", newest[sym]) for sym in SYMBOLS}
        history = {}
        for row in run_json(gex, "history", "--no-db", d)["history"]:
            history.setdefault(row["symbol"], []).append(row)
        c = summary["SPY"]["classifier"]
        cls = out[23]
        check(f"'regime': '{c['regime']}'" in cls and
              f"'confidence': '{c['confidence']}'" in cls and
              f"'vanna_aligned': {c['vanna_aligned']}" in cls,
              "classifier %s, gex summary %s" % (cls, c))
        dist = float(re.search(r"'dist_to_flip': (-?[0-9.e+-]+)", cls).group(1))
        check(abs(dist - c["dist_to_flip"]) <= 1e-9 * max(1.0, abs(dist)),
              "dist_to_flip %r, gex summary %r" % (dist, c["dist_to_flip"]))

        rows = out[25:]
        check(len(rows) == len(SYMBOLS), "%d dashboard rows, want %d" % (len(rows), len(SYMBOLS)))
        # The folder exercises the classifier's branches: both regimes, all three confidences.
        seen = {(summary[sym]["classifier"]["regime"], summary[sym]["classifier"]["confidence"])
                for sym in SYMBOLS}
        check({r for r, _ in seen} == {"positive", "negative"} and
              {c for _, c in seen} == {"high", "moderate", "low"},
              "the generated folder covers only %s" % sorted(seen))
        for line in rows:
            f = line.split()
            sym = f[0]
            s, c = summary[sym], summary[sym]["classifier"]
            hist = history.get(sym, [])
            check(len(hist) == DAYS, "%s: %d history rows, want %d" % (sym, len(hist), DAYS))
            z = hist[-1]["z_score"] if hist else None
            check(z is not None, "%s: the VRP z-score is null after %d days" % (sym, DAYS))
            flip = s["gamma_flip"]
            want_f = [sym, f"{s['underlying_price']:.2f}", money(s["exposures"]["net_gex"]),
                      f"{flip:.2f}" if flip else "-",
                      f"{c['dist_to_flip']:+.2f}" if c["dist_to_flip"] is not None else "-",
                      c["regime"], c["confidence"], "yes" if c["vanna_aligned"] else "no",
                      f"{z:+.2f}" if z is not None else "-"]
            check(f == want_f, "%s row %s, want %s" % (sym, f, want_f))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok: the seed article's code ran against gex serve and matched the command line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
