#!/usr/bin/env python3
"""The VIX in the answers about other symbols (SPEC 1.9, 5.5): on a generated folder of three
days of SPX and SPY (bench/gen-chain --days), `gex api` for SPY's narrative, VRP and stock
summary (the narrative and zero-dte: their newest file) must carry CBOE's VIX method on the folder's SPX file of the same New York day, as
`gex vix --format json` prints it for that file, and the changes from SPX's file of the day
before; on the first day there is no earlier SPX file, so the changes are null; with no SPX file
in the folder every VIX field is null. The same folder with FRED downloads written here (the
layouts of gex/macro.h; a test's values, not the published series): /v1/vrp's macro.dgs10,
fed_funds and hy_spread are the value in force on the snapshot's day ("." skipped back to the
previous day), named in meta.macro_sources; a download with a bad row (a value that is no
number, a last line cut short) is the answer, 500 chain_error naming the file, the line and what to
do (exit status 3), never a null in its place. `gex api` answers through the same index and engine
as `gex serve`.

Usage: api-vix-folder.py GEX GEN_CHAIN
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

TENORS = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {out.returncode}: {out.stderr}")
    return out.stdout


def vix_of(gex, path):
    doc = json.loads(run(gex, "vix", "--format", "json", path))
    return {r["tenor_days"]: r["index"] for r in doc["indices"]}, doc["underlying_price"]


def close(a, b, what):
    if a is None or b is None or abs(a - b) > 1e-9 * max(1.0, abs(b)):
        sys.exit(f"{what}: {a} against {b}")


def main():
    gex, gen = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="gex-api-vix-")
    try:
        folder = os.path.join(tmp, "chains")
        os.mkdir(folder)
        run(gen, "--days", "3", "--dir", folder, "--symbols", "SPX,SPY", "--start", "2026-11-16")
        days = ["2026-11-16", "2026-11-17", "2026-11-18"]
        spx = {d: vix_of(gex, os.path.join(folder, f"SPX_{d}.csv")) for d in days}
        checked = 0
        for i, day in enumerate(days):
            want, spot = spx[day]
            at = ["date=" + day]
            if day == days[-1]:  # the narrative answers for the newest file (no at=, date=)
                nar = json.loads(run(gex, "api", "/v1/exposure/narrative/SPY", folder))
                close(nar["narrative"]["data"]["vix"], want[30], f"{day} narrative vix")
                z = json.loads(run(gex, "api", "/v1/exposure/zero-dte/SPY", folder))
                if not z.get("no_zero_dte"):
                    close(z["vol_context"]["vix"], want[30], f"{day} zero-dte vix")
            vrp = json.loads(run(gex, "api", f"/v1/vrp/SPY?{at[0]}", folder))
            close(vrp["macro"]["vix"], want[30], f"{day} vrp macro.vix")
            close(vrp["macro"]["vix_3m"], want[93], f"{day} vrp macro.vix_3m")
            close(vrp["macro"]["vix_term_slope"], want[93] - want[30], f"{day} vix_term_slope")
            st = json.loads(run(gex, "api", f"/v1/stock/SPY/summary?{at[0]}", folder))
            m = st["macro"]
            for days_, key in TENORS.items():
                close(m["vix_term_structure"]["levels"][key], want[days_], f"{day} {key}")
            close(m["vix"]["value"], want[30], f"{day} macro.vix.value")
            close(m["spx"]["value"], spot, f"{day} macro.spx.value")
            if i == 0:
                if m["vix"]["change"] is not None or m["spx"]["change"] is not None:
                    sys.exit(f"{day}: changes without an earlier SPX file: {m}")
            else:
                pw, ps = spx[days[i - 1]]
                close(m["vix"]["change"], want[30] - pw[30], f"{day} vix change")
                close(m["spx"]["change"], spot - ps, f"{day} spx change")
            checked += 1
        # FRED downloads beside the chains.
        with open(os.path.join(folder, "DGS10.csv"), "w") as f:
            f.write("observation_date,DGS10\n2026-11-13,4.11\n2026-11-16,4.15\n"
                    "2026-11-17,.\n2026-11-18,4.20\n")
        with open(os.path.join(folder, "fredgraph.csv"), "w") as f:
            f.write("DATE,DFF,BAMLH0A0HYM2\r\n2026-11-16,3.83,2.95\r\n2026-11-17,3.83,2.97\r\n")
        want = {"2026-11-16": (4.15, 3.83, 2.95), "2026-11-17": (4.15, 3.83, 2.97),
                "2026-11-18": (4.20, 3.83, 2.97)}
        for day, (dgs10, ff, hy) in want.items():
            vrp = json.loads(run(gex, "api", f"/v1/vrp/SPY?date={day}", folder))
            m = vrp["macro"]
            close(m["dgs10"], dgs10, f"{day} dgs10")
            close(m["fed_funds"], ff, f"{day} fed_funds")
            close(m["hy_spread"], hy, f"{day} hy_spread")
            src = {s["field"]: s for s in vrp["meta"]["macro_sources"]}
            if src["dgs10"]["series"] != "DGS10" or src["fed_funds"]["series"] != "DFF":
                sys.exit(f"{day}: macro_sources {src}")
        bad = {"3: DGS10: the value is not a number": "2026-11-16,4.15\n2026-11-17,n/a\n",
               "3: the row does not start with a date": "2026-11-16,4.15\n2026-11-1"}
        for said, rows in bad.items():
            with open(os.path.join(folder, "DGS10.csv"), "w") as f:
                f.write("observation_date,DGS10\n" + rows)
            out = subprocess.run([gex, "api", "/v1/vrp/SPY", folder], capture_output=True,
                                 text=True, timeout=120)
            err = json.loads(out.stdout)
            if (out.returncode != 3 or err.get("error") != "chain_error"
                    or not err["message"].startswith("DGS10.csv cannot give /v1/vrp/SPY its "
                                                     "macro.dgs10")
                    or f"line {said}" not in err["message"]
                    or "fred.stlouisfed.org" not in err["message"]
                    or f"DGS10.csv:{said}" not in out.stderr):
                sys.exit(f"a bad DGS10 download ({said}): exit {out.returncode}: {out.stdout}"
                         f"{out.stderr}")
        os.remove(os.path.join(folder, "DGS10.csv"))
        vrp = json.loads(run(gex, "api", "/v1/vrp/SPY", folder))
        if vrp["macro"]["dgs10"] is not None or vrp["macro"]["fed_funds"] is None:
            sys.exit(f"no DGS10 download: {vrp['macro']}")
        # Without SPX in the folder: null, not invented.
        for f in os.listdir(folder):
            if f.startswith("SPX_"):
                os.remove(os.path.join(folder, f))
        nar = json.loads(run(gex, "api", "/v1/exposure/narrative/SPY", folder))
        st = json.loads(run(gex, "api", "/v1/stock/SPY/summary", folder))
        if nar["narrative"]["data"]["vix"] is not None or st["macro"]["vix"]["value"] is not None:
            sys.exit("a VIX without any SPX file in the folder")
        print(f"api-vix-folder: {checked} days checked against gex vix; null without SPX; "
              "FRED downloads on 3 days")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
