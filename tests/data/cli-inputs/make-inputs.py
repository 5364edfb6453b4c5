#!/usr/bin/env python3
"""Writes the small chains the gex command's golden tests read (tests/data/cli-*/).

Rerun from the project root:  python3 tests/data/cli-inputs/make-inputs.py
The chains are synthetic: one underlying XYZ at spot 100.37 quoted on Friday 2024-03-15 at
14:00 New York time (18:00 UTC, daylight time), expirations 2024-03-15 (0DTE), 2024-03-22 and
2024-04-19 (PM-settled, 16:00 New York = 20:00 UTC), strikes 90 to 110. Quotes and the CBOE
files' Delta and Gamma columns are Black-Scholes-Merton values (Haug, 2nd ed., ch. 1 and 2)
at r = 0.045, q = 0.013, computed here with the standard library's math.erf, independently of
gex. The -252 variant measures T from the previous close in trading days / 252 instead of
SPEC 1.1's calendar convention, so that `gex validate` must say so. The -misprint variant is
the -252 one with one gamma printed 20% high, which no convention reproduces. The -below variant
of xyz.csv quotes one call under its intrinsic value without an IV: gex prices it at the IV of
its strike's put. xyz-two-snapshots.csv quotes xyz.csv's contracts at 16:00 UTC and again at
18:00 UTC, each priced at its own T: a file of two snapshots (SPEC 2.9). xyz-huge-oi.csv is
xyz.csv with every open interest 250,000 times larger (under the readers' 1e9), so that with
--multiplier 1e6 the tables hold numbers beyond 1e15. currencies/ holds xyz.csv (no currency
column: dollars) and abc-eur.csv, its contracts as underlying ABC with a currency column of EUR:
a folder of two currencies (SPEC 1.5); currency-change/ holds ABC at 16:00 UTC in dollars and
at 18:00 UTC in EUR: one underlying whose currency changes. long-symbols/ holds xyz.csv's
contracts at 16:00 UTC under a 72-byte underlying and at 18:00 UTC under another that differs
from it in its last byte alone: two underlyings whose names fit the readers' 96 bytes.
xyz-sub-cent.csv is xyz.csv's contracts with spot, strikes and quotes 100,000 times smaller
(spot 0.0010037, strikes 0.0009 to 0.0011: Black-Scholes prices scale with S and K), the
sub-cent chain of a crypto or penny underlying, whose levels the tables must not print 0.00.
"""
import datetime as dt
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
S, R, Q = 100.37, 0.045, 0.013
QUOTE = dt.datetime(2024, 3, 15, 18, 0, tzinfo=dt.timezone.utc)
PREV_CLOSE = dt.datetime(2024, 3, 14, 20, 0, tzinfo=dt.timezone.utc)
EXPIRIES = [dt.date(2024, 3, 15), dt.date(2024, 3, 22), dt.date(2024, 4, 19)]
STRIKES = [90, 95, 100, 105, 110]


def settle(d):
    return dt.datetime(d.year, d.month, d.day, 20, 0, tzinfo=dt.timezone.utc)


def t_calendar(start, d):
    return (settle(d) - start).total_seconds() / (365 * 86400)


def t_trading(start, d):
    """Share of each weekday's 13:30-20:00 UTC session (09:30-16:00 EDT) between, / 252."""
    s, end, day, total = start, settle(d), start.date(), 0.0
    while day <= d:
        if day.weekday() < 5:
            o = dt.datetime(day.year, day.month, day.day, 13, 30, tzinfo=dt.timezone.utc)
            c = dt.datetime(day.year, day.month, day.day, 20, 0, tzinfo=dt.timezone.utc)
            a, b = max(s, o), min(end, c)
            if b > a:
                total += (b - a).total_seconds() / (6.5 * 3600)
        day += dt.timedelta(days=1)
    return total / 252


def ncdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def bs(cp, K, T, v):
    d1 = (math.log(S / K) + (R - Q + v * v / 2) * T) / (v * math.sqrt(T))
    d2 = d1 - v * math.sqrt(T)
    dq, dr = math.exp(-Q * T), math.exp(-R * T)
    n1 = math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)
    gamma = dq * n1 / (S * v * math.sqrt(T))
    if cp == "C":
        return S * dq * ncdf(d1) - K * dr * ncdf(d2), dq * ncdf(d1), gamma
    return K * dr * ncdf(-d2) - S * dq * ncdf(-d1), -dq * ncdf(-d1), gamma


def contracts():
    out = []
    for e, d in enumerate(EXPIRIES):
        for i, K in enumerate(STRIKES):
            for cp in "CP":
                iv = round(0.21 + 0.35 * (S - K) / S * (1 if cp == "P" else 0.6) + 0.01 * e, 4)
                oi = (137 * (i + 3) * (e + 2) + (911 if cp == "P" else 433) * (K % 10 == 0)) % 2900
                vol = (oi * 7 + 13 * i) % 400
                out.append((d, K, cp, iv, oi, vol))
    return out


def fmt_price(p):
    return "%.2f" % max(p, 0.0)


def long_csv(path, below=None, quotes=(QUOTE,), oi_scale=1, symbol="XYZ", currency=None):
    """below: the (expiration, strike, type) quoted under its intrinsic value without an IV, so
    that gex prices it at its strike's other side's IV (SPEC 1.4). quotes: the instants of the
    file's snapshots (SPEC 2.9), every contract quoted at each, priced at its own T. oi_scale
    multiplies every open interest. symbol names the underlying; currency, when given, fills a
    currency column."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("underlying,option_symbol,expiration,strike,type,bid,ask,iv,open_interest,volume,"
                "underlying_price,quote_time%s\n" % (",currency" if currency else ""))
        for quote in quotes:
            long_rows(f, below, quote, oi_scale, symbol, currency)


def long_rows(f, below, quote, oi_scale, symbol="XYZ", currency=None):
    """The rows of one snapshot, quoted at quote."""
    for d, K, cp, iv, oi, vol in contracts():
        p, _, _ = bs(cp, K, t_calendar(quote, d), iv)
        sym = "%s%s%s%08d" % (symbol, d.strftime("%y%m%d"), cp, K * 1000)
        bid, ask, iv_cell = fmt_price(p - 0.05), fmt_price(p + 0.05), "%.4f" % iv
        if below == (d, K, cp):
            intrinsic = S - K if cp == "C" else K - S
            bid, ask, iv_cell = fmt_price(intrinsic - 0.10), fmt_price(intrinsic - 0.04), ""
        f.write("%s,%s,%s,%d,%s,%s,%s,%s,%d,%d,%.2f,%s%s\n" % (
            symbol, sym, d.isoformat(), K, cp, bid, ask, iv_cell, oi * oi_scale, vol, S,
            quote.strftime("%Y-%m-%dT%H:%M:%SZ"), "," + currency if currency else ""))


def sub_cent_csv(path, scale=1e-5):
    """xyz.csv's contracts (one snapshot, no volume) with every price scaled by scale."""
    with open(path, "w") as f:
        f.write("underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
                "quote_time\n")
        for d, K, cp, iv, oi, vol in contracts():
            p, _, _ = bs(cp, K, t_calendar(QUOTE, d), iv)
            f.write("XYZ,%s,%.6g,%s,%.6g,%.6g,%.4f,%d,%.8g,%s\n" % (
                d.isoformat(), K * scale, cp, max(p - 0.05, 0.0) * scale, (p + 0.05) * scale, iv,
                oi, S * scale, QUOTE.strftime("%Y-%m-%dT%H:%M:%SZ")))


def cboe_csv(path, tfun, start, misprint=None):
    rows = {}
    for d, K, cp, iv, oi, vol in contracts():
        T = tfun(start, d)
        p, delta, gamma = bs(cp, K, T, iv)
        if misprint == (d, K, cp):
            gamma *= 1.2
        rows.setdefault((d, K), {})[cp] = (p, delta, gamma, iv, oi, vol)
    with open(path, "w", newline="") as f:
        f.write("\r\nXYZ Corp,Last: 100.37,Change:  0.52\r\n")
        f.write("Date: March 15, 2024 at 2:00 PM EDT,Bid: 100.36,Ask: 100.38,Size: 1*1,Volume: 0\r\n")
        f.write("Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,"
                "Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\r\n")
        for (d, K), legs in sorted(rows.items()):
            cells = [d.strftime("%a %b %d %Y")]
            for cp in "CP":
                p, delta, gamma, iv, oi, vol = legs[cp]
                sym = "XYZ%s%s%08d" % (d.strftime("%y%m%d"), cp, K * 1000)
                leg = [sym, fmt_price(p), "0", fmt_price(p - 0.05), fmt_price(p + 0.05), str(vol),
                       "%.4f" % iv, "%.4f" % delta, "%.4f" % gamma, str(oi)]
                if cp == "C":
                    cells += leg + ["%.2f" % K]
                else:
                    cells += leg
            f.write(",".join(cells) + "\r\n")


long_csv(os.path.join(HERE, "xyz.csv"))
long_csv(os.path.join(HERE, "currencies", "xyz.csv"))
long_csv(os.path.join(HERE, "currencies", "abc-eur.csv"), symbol="ABC", currency="EUR")
long_csv(os.path.join(HERE, "currency-change", "abc-1600.csv"),
         quotes=(QUOTE - dt.timedelta(hours=2),), symbol="ABC")
long_csv(os.path.join(HERE, "currency-change", "abc-1800.csv"), symbol="ABC", currency="EUR")
LONG = "L" * 71
long_csv(os.path.join(HERE, "long-symbols", "a.csv"), quotes=(QUOTE - dt.timedelta(hours=2),),
         symbol=LONG + "A")
long_csv(os.path.join(HERE, "long-symbols", "b.csv"), symbol=LONG + "B")
long_csv(os.path.join(HERE, "xyz-below.csv"), (dt.date(2024, 3, 22), 90, "C"))
long_csv(os.path.join(HERE, "xyz-huge-oi.csv"), oi_scale=250000)
long_csv(os.path.join(HERE, "xyz-two-snapshots.csv"),
         quotes=(QUOTE - dt.timedelta(hours=2), QUOTE))
sub_cent_csv(os.path.join(HERE, "xyz-sub-cent.csv"))
cboe_csv(os.path.join(HERE, "xyz-cboe.csv"), t_calendar, QUOTE)
cboe_csv(os.path.join(HERE, "xyz-cboe-252.csv"), t_trading, PREV_CLOSE)
cboe_csv(os.path.join(HERE, "xyz-cboe-misprint.csv"), t_trading, PREV_CLOSE,
         (dt.date(2024, 4, 19), 100, "C"))
