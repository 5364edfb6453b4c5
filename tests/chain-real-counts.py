#!/usr/bin/env python3
"""Independent counts for the real chains in ../shared/chains (tests/test-chain-read.c pins them).

Reads each file with Python's csv and json modules (not gex's readers), takes the quote instant
from the file's own text with an explicit strptime format per file and the IANA zone
America/New_York (zoneinfo), settles each contract at 09:30 (roots SPX, NDX, RUT, VIX, VIXW)
or 16:00 New York time (SPEC 1.1), and prints per file:
  spot, quote instant (UTC), contracts, distinct expirations, expired (settlement <= quote),
  no file IV (IV not a finite number in (0, 5], SPEC 1.4).
The source lines of the first and last contract pinned beside them are the line after the
header and the file's line count, from:
  python3 -c "t=open(F,'rb').read().split(b'\\n'); print(len(t) - (t[-1] == b''))"
Rerun: python3 tests/chain-real-counts.py [../shared/chains]
"""
import csv
import json
import math
import os
import sys
from datetime import datetime, timezone, date
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
AM_ROOTS = {"SPX", "NDX", "RUT", "VIX", "VIXW"}


def occ(sym):
    tail = sym[-15:]
    root = sym[:-15].strip()
    exp = date(2000 + int(tail[0:2]), int(tail[2:4]), int(tail[4:6]))
    return root, exp, tail[6], int(tail[7:]) / 1000


def settle(root, exp):
    hh, mm = (9, 30) if root.upper() in AM_ROOTS else (16, 0)
    return datetime(exp.year, exp.month, exp.day, hh, mm, tzinfo=NY)


def usable_iv(x):
    return x is not None and math.isfinite(x) and 0 < x <= 5


def report(name, spot, quote, contracts):
    """contracts: list of (root, expiration date, iv or None)."""
    exps = {c[1] for c in contracts}
    expired = sum(1 for r, e, _ in contracts if quote is not None and settle(r, e) <= quote)
    no_iv = sum(1 for c in contracts if not usable_iv(c[2]))
    q = quote.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if quote else "none"
    print(f"{name}: spot={spot} quote={q} contracts={len(contracts)} "
          f"expirations={len(exps)} expired={expired} no_file_iv={no_iv}")


def cboe_csv(path, date_fmt, date_line):
    lines = open(path, newline="", encoding="utf-8").read().splitlines()
    h = next(i for i, l in enumerate(lines) if l.startswith("Expiration Date"))
    pre = lines[:h]
    spot = None
    for l in pre:
        for f in next(csv.reader([l])):
            if f.startswith("Last:"):
                spot = float(f[5:])
    if spot is None:
        spot = float(pre[0].split(",")[1])
    text = date_line(pre)
    quote = datetime.strptime(text, date_fmt).replace(tzinfo=NY)
    out = []
    for row in csv.reader(lines[h + 1:]):
        if not row:
            continue
        for sym, iv in ((row[1], row[7]), (row[12], row[18])):
            root, exp, _, _ = occ(sym)
            out.append((root, exp, float(iv)))
    return spot, quote, out


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "chains")
    strip_date = lambda pre: next(l for l in pre if "Date:" in l).replace('"', "").split("Date: ")[1].split(",Bid")[0].replace(" EDT", "")
    files = [
        ("cboe_qqq_2024-03-22_unbalanced-quote.csv", "%d %B %Y, %I:%M %p", strip_date),
        ("cboe_spx_2023-06-09_intraday.csv", "%d %B %Y, %I:%M %p", strip_date),
        ("cboe_spx_2023-09-14_close.csv", "%B %d, %Y at %I:%M %p", strip_date),
        ("cboe_tsla_2023-08-20_single-stock.csv", "%B %d, %Y at %I:%M %p", strip_date),
        ("cboe-legacy2020_spy_2020-06-22.dat", "%b %d %Y @ %H:%M",
         lambda pre: pre[1].split(",")[0].replace(" ET", "")),
    ]
    for name, fmt, dl in files:
        report(name, *cboe_csv(os.path.join(base, name), fmt, dl))
    d = json.load(open(os.path.join(base, "cboe-json_rut_2023-09-20.json")))
    quote = datetime.strptime(d["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    out = []
    for o in d["data"]["options"]:
        root, exp, _, _ = occ(o["option"])
        out.append((root, exp, o["iv"]))
    report("cboe-json_rut_2023-09-20.json", d["data"]["current_price"], quote, out)
    rows = list(csv.DictReader(open(os.path.join(base, "yfinance_spy_2026-02-11_intraday.csv"))))
    out = [(occ(r["contractSymbol"])[0], date.fromisoformat(r["expirationDate"]),
            float(r["impliedVolatility"])) for r in rows]
    report("yfinance_spy_2026-02-11_intraday.csv", float(rows[0]["underlyingPrice"]), None, out)


if __name__ == "__main__":
    main()
