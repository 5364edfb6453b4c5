#!/usr/bin/env python3
"""gex serve over time (SPEC 5.5), end to end over loopback.

bench/gen-chain writes 25 weekdays of daily files for SPY and QQQ, plus one file without a
quote instant; `gex serve` serves the folder. Checked:
  - /v1/history/SPY has exactly the rows `gex history --format json --no-db --symbol SPY` prints;
  - /v1/vrp/SPY carries the last row's rv/vrp/z-score, and the body is byte for byte what
    `gex api /v1/vrp/SPY DIR` prints; asked again it comes from the cache;
  - date= answers from that day's file, at= from the latest at or before, an instant before
    the first file is 404 no_data, a bad at= is 400 invalid_parameter;
  - the gex document's call_oi_change is today's call_oi minus the previous day's, per strike;
  - the undated file is logged once as "cannot place in time";
  - a file of two snapshots (SPEC 2.9) answers at= at each, as `gex levels --at` computes it,
    and gives both to /v1/history and /v1/symbols.
Usage: serve-history.py GEX GEN_CHAIN
"""
import calendar
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

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=60) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def main():
    gex, gen_chain = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="gex-serve-history-")
    try:
        d = os.path.join(work, "days")
        os.makedirs(d)
        subprocess.run([gen_chain, "--days", "25", "--dir", d, "--symbols", "SPY,QQQ"],
                       check=True, stdout=subprocess.DEVNULL)
        # A file without a quote instant: the SPY of the first day, its quote_time column gone.
        first = sorted(f for f in os.listdir(d) if f.startswith("SPY"))[0]
        with open(os.path.join(d, first)) as f:
            lines = f.read().splitlines()
        head = lines[0].split(",")
        if "quote_time" in head:
            k = head.index("quote_time")
            with open(os.path.join(d, "undated.csv"), "w") as f:
                for line in lines:
                    cells = line.split(",")
                    f.write(",".join(cells[:k] + cells[k + 1:]) + "\n")
        # A file of two snapshots (SPEC 2.9): the last QQQ day as QQQM, quoted at its instant and
        # an hour before; each is a snapshot of QQQM for at=, the series and /v1/symbols.
        last_qqq = sorted(f for f in os.listdir(d) if f.startswith("QQQ"))[-1]
        with open(os.path.join(d, last_qqq)) as f:
            qlines = f.read().replace("QQQ", "QQQM").splitlines(True)
        late = qlines[1].rstrip("\n").rsplit(",", 1)[1]
        early = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            calendar.timegm(time.strptime(late, "%Y-%m-%dT%H:%M:%SZ")) - 3600))
        two = os.path.join(d, "QQQM_two.csv")
        with open(two, "w") as f:
            f.writelines(qlines + [line.replace(late, early) for line in qlines[1:]])
        qqqm = json.loads(subprocess.run([gex, "history", "--format", "json", "--no-db",
                                          "--symbol", "QQQM", d],
                                         capture_output=True).stdout)["history"]
        check([r["as_of"] for r in qqqm] == [early, late], "QQQM history: %r" % qqqm)
        # (exit 3: the undated file is refused, as history refuses it; the rows are printed)
        hist = subprocess.run([gex, "history", "--format", "json", "--no-db", "--symbol", "SPY",
                               d], capture_output=True).stdout
        rows = json.loads(hist)["history"]
        log_path = os.path.join(work, "serve.log")
        log = open(log_path, "wb")
        proc = subprocess.Popen([gex, "serve", "--port", "0", "--threads", "2", d], stderr=log)
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
        try:
            st, body, _ = get(port, "/v1/history/SPY")
            check(st == 200, "/v1/history/SPY: status %d" % st)
            served = json.loads(body)["history"]
            check(len(served) == len(rows) == 25,
                  "history rows: %d served, %d from gex history" % (len(served), len(rows)))
            for a, b in zip(served, rows):
                for k in b:
                    b_k = os.path.basename(b[k]) if k == "file" else b[k]
                    a_k = os.path.basename(a[k]) if k == "file" else a[k]
                    check(a_k == b_k, "history %s %s: served %r, gex history %r" %
                          (b["as_of"], k, a_k, b_k))

            st, body, hdr = get(port, "/v1/vrp/SPY")
            check(st == 200, "/v1/vrp/SPY: status %d" % st)
            vrp = json.loads(body)
            last = rows[-1]
            for k in ("atm_iv", "rv_5d", "rv_20d", "vrp_20d", "z_score", "percentile",
                      "history_days"):
                check(vrp["vrp"][k] == last[k], "vrp.%s %r, history %r" % (k, vrp["vrp"][k],
                                                                          last[k]))
            cli = subprocess.run([gex, "api", "/v1/vrp/SPY", d], capture_output=True).stdout
            check(cli == body, "/v1/vrp/SPY differs from gex api's body")
            st, _, hdr = get(port, "/v1/vrp/SPY")
            check(hdr.get("X-Gex-Cache") == "hit", "/v1/vrp/SPY again: cache %r" %
                  hdr.get("X-Gex-Cache"))

            day = rows[10]["as_of"][:10]
            st, body, hdr = get(port, "/v1/exposure/levels/SPY?date=" + day)
            check(st == 200 and json.loads(body)["as_of"].startswith(day),
                  "date=%s: status %d %s" % (day, st, body[:120]))
            st, body, _ = get(port, "/v1/exposure/levels/SPY?at=" + rows[10]["as_of"])
            # the exposure documents write the vendor's 7-digit fraction, the history rows none
            check(st == 200 and json.loads(body)["as_of"][:19] == rows[10]["as_of"][:19],
                  "at=%s: status %d" % (rows[10]["as_of"], st))
            st, body, _ = get(port, "/v1/exposure/gex/SPY?at=2001-01-01T00:00:00Z")
            check(st == 404 and json.loads(body)["error"] == "no_data",
                  "at= before the first file: %d %s" % (st, body[:120]))
            st, body, _ = get(port, "/v1/vrp/SPY?at=tomorrow")
            check(st == 400 and json.loads(body)["error"] == "invalid_parameter",
                  "at=tomorrow: %d %s" % (st, body[:120]))

            # The file of two snapshots: each answers at its instant, as --at reads it.
            for when, ask in ((late, ""), (early, "?at=" + early[:14] + "50:00Z"),
                              (late, "?at=" + late)):
                st, body, _ = get(port, "/v1/exposure/levels/QQQM" + ask)
                cli = json.loads(subprocess.run(
                    [gex, "levels", "--format", "json", "--at", when, two],
                    capture_output=True).stdout)
                check(st == 200 and json.loads(body)["as_of"][:19] == when[:19] and
                      json.loads(body)["levels"] == cli["levels"],
                      "QQQM%s: status %d %s" % (ask, st, body[:160]))
            st, body, _ = get(port, "/v1/history/QQQM")
            served = json.loads(body)["history"] if st == 200 else []
            check([(r["as_of"], r["net_gex"]) for r in served] ==
                  [(r["as_of"], r["net_gex"]) for r in qqqm],
                  "/v1/history/QQQM: %d %s" % (st, body[:160]))
            st, body, _ = get(port, "/v1/symbols")
            sym = [s for s in json.loads(body)["meta"]["symbols"] if s["symbol"] == "QQQM"]
            check(len(sym) == 1 and sym[0]["snapshots"] == 2 and
                  sym[0]["first_quote_time"] == early and sym[0]["last_quote_time"] == late,
                  "/v1/symbols QQQM: %r" % sym)

            # The oi change per strike: day 11's open interest minus day 10's.
            st, b11, _ = get(port, "/v1/exposure/gex/SPY?at=" + rows[11]["as_of"])
            st, b10, _ = get(port, "/v1/exposure/gex/SPY?at=" + rows[10]["as_of"])
            s11 = {r["strike"]: r for r in json.loads(b11)["strikes"]}
            s10 = {r["strike"]: r for r in json.loads(b10)["strikes"]}
            n = 0
            for k, r in s11.items():
                if k in s10:
                    check(r["call_oi_change"] == r["call_oi"] - s10[k]["call_oi"],
                          "strike %g: call_oi_change %r" % (k, r["call_oi_change"]))
                    n += 1
                else:
                    check(r["call_oi_change"] is None, "strike %g new: not null" % k)
            check(n > 10, "only %d strikes compared" % n)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        log_text = open(log_path, "rb").read().decode(errors="replace")
        if os.path.exists(os.path.join(d, "undated.csv")):
            check(log_text.count("undated.csv: cannot place in time") == 1,
                  "the undated file is not logged once")
        print("gex serve over time: %d checks failed" % len(failures))
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
