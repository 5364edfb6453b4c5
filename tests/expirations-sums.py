#!/usr/bin/env python3
"""gex expirations against the whole-chain figures of the same file (identities, not goldens).

For the sample chain and every real chain in ../shared (skipped, saying so, when absent), with
and without a filter: the expirations' contracts add up to the file's, their used contracts
to the summary's, their net GEX, DEX, VEX and CHEX to the summary's totals (within 1e-9 of the
gross), their shares of gross GEX to 100 %, and every date the file holds is listed once, in
order, with dte = expiration - quote date (New York); gex greeks without a filter gives the
file's dates.
Usage: expirations-sums.py GEX SOURCE_ROOT SHARED_DIR
"""
import json
import os
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

gex, root, shared = sys.argv[1:4]
NOW = {  # the file without a quote instant of its own: its latest trade (../shared's README)
    "yfinance_spy_2026-02-11_intraday.csv": "2026-02-11T16:19:00Z",
}


def run(*args):
    p = subprocess.run([gex, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: gex {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def check(path, now, extra, dates):
    args = [*now, *extra, "--format", "json", path]
    ex = run("expirations", *args)
    summ = run("summary", *args)
    meta = ex["meta"]["contracts"]
    rows = ex["expirations"]
    listed = [r["expiration"] for r in rows]
    assert listed == dates, f"{path}: listed dates {listed[:5]}... differ from the file's"
    assert sum(r["contracts"] for r in rows) == meta["total"], f"{path}: contracts"
    assert sum(r["used"] for r in rows) == meta["used"], f"{path}: used"
    gross = sum(abs(r["call_gex"]) + abs(r["put_gex"]) for r in rows) or 1.0
    for key in ("net_gex", "net_dex", "net_vex", "net_chex"):
        total = summ["exposures"][key]
        got = sum(r[key] for r in rows)
        scale = max(gross, abs(total), 1.0) if key == "net_gex" else max(
            sum(abs(r[key]) for r in rows), abs(total), 1.0)
        assert abs(got - total) <= 1e-9 * scale, f"{path}: {key} {got} != {total}"
    if meta["used"] > 0:
        share = sum(r["pct_of_gross_gex"] for r in rows)
        assert abs(share - 100.0) < 1e-9, f"{path}: shares add to {share}"
    quote = datetime.fromisoformat(ex["as_of"].replace("Z", "+00:00"))
    qd = quote.astimezone(ZoneInfo("America/New_York")).date()
    for r in rows:
        dte = (date.fromisoformat(r["expiration"]) - qd).days
        assert r["dte"] == dte, f"{path}: {r['expiration']} dte {r['dte']} != {dte}"
        assert (r["used"] == 0) == (r["unused"] is not None), f"{path}: unused of {r}"
    return len(rows)


files = [(os.path.join(root, "data", "sample-spx.csv"), [])]
chains = os.path.join(shared, "chains")
if os.path.isdir(chains):
    for name in sorted(os.listdir(chains)):
        if name.endswith((".csv", ".json", ".dat")):
            now = ["--now", NOW[name]] if name in NOW else []
            files.append((os.path.join(chains, name), now))
else:
    print(f"skipped: ../shared absent ({chains}): the sample chain only")
n = 0
for path, extra in files:
    greeks = run("greeks", *extra, "--format", "json", path)  # every contract: no filter
    dates = sorted({c["expiration"] for c in greeks["contracts"]})
    n += check(path, extra, [], dates)
    n += check(path, extra, ["--min-oi", "100"], dates)
    n += check(path, extra, ["--max-dte", "7", "--exclude-expiration", "0dte"], dates)
print(f"expirations-sums: {len(files)} files x 3 filter sets, {n} expiration rows: identities hold")
