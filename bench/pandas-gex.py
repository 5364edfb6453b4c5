#!/usr/bin/env python3
"""A straightforward pandas/numpy/scipy implementation of gex's exposure computation.

It is what a careful analyst would write in a notebook: read the long CSV with pandas, compute
T with Python's own time-zone database, the Black-Scholes-Merton greeks with scipy.stats.norm,
and group by underlying and strike. It serves two purposes:

  * the baseline of the README's benchmark comparison (same file, same machine), and
  * an independent cross-check of gex's numbers (tests/test-crosscheck compares them).

It reads the long CSV that bench/gen-chain writes (columns underlying, option_symbol,
expiration, strike, type, iv, open_interest, underlying_price, quote_time) and prints one JSON
document: per underlying, net GEX/DEX/VEX/CHEX, the per-strike net GEX, and the vendor-style
per-strike flip (SPEC 1.6 'strike' method). Timings go to stderr, one line per phase.

Usage: pandas-gex.py CHAIN.csv [--rate 0.045] [--div 0.013]
"""

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from scipy.stats import norm

NEW_YORK = ZoneInfo("America/New_York")
AM_ROOTS = {"SPX", "NDX", "RUT", "VIX", "VIXW"}  # SPEC 1.1
SECONDS_PER_YEAR = 365.0 * 86400.0


def settlement_utc(expiration: str, root: str) -> float:
    """Settlement instant (UTC seconds) of an expiration date for an OCC root (SPEC 1.1)."""
    y, m, d = (int(p) for p in expiration.split("-"))
    hour, minute = (9, 30) if root in AM_ROOTS else (16, 0)
    return datetime(y, m, d, hour, minute, tzinfo=NEW_YORK).timestamp()


def occ_root(symbol: str) -> str:
    """The root of an OCC symbol: everything before the 15-character date/type/strike tail."""
    return symbol.strip()[:-15].strip()


def strike_flip(strikes: np.ndarray, net: np.ndarray, spot: float):
    """SPEC 1.6 'strike' method: the sign change between adjacent strikes nearest the spot."""
    best = None
    for i in range(len(strikes) - 1):
        g1, g2 = net[i], net[i + 1]
        if (g1 < 0 < g2) or (g1 > 0 > g2):
            k1, k2 = strikes[i], strikes[i + 1]
            x = k1 + (k2 - k1) * (-g1 / (g2 - g1))
            if best is None or abs(x - spot) < abs(best - spot):
                best = x
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("chain")
    ap.add_argument("--rate", type=float, default=0.045)
    ap.add_argument("--div", type=float, default=0.013)
    args = ap.parse_args()
    r, q = args.rate, args.div

    t0 = time.perf_counter()
    df = pd.read_csv(args.chain, dtype={"underlying": str, "option_symbol": str})
    t1 = time.perf_counter()

    # T: seconds from the quote instant to the settlement instant, over 365 days.
    quote = df["quote_time"].map(
        lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp())
    roots = df["option_symbol"].map(occ_root)
    keys = pd.Series(list(zip(df["expiration"], roots)))
    cache = {k: settlement_utc(*k) for k in set(keys)}
    settle = keys.map(cache).to_numpy()
    T = (settle - quote.to_numpy()) / SECONDS_PER_YEAR

    S = df["underlying_price"].to_numpy(dtype=float)
    K = df["strike"].to_numpy(dtype=float)
    sigma = df["iv"].to_numpy(dtype=float)
    oi = df["open_interest"].to_numpy(dtype=float)
    is_call = (df["type"].str.upper().str[0] == "C").to_numpy()
    ok = (T > 0) & np.isfinite(sigma) & (sigma > 0) & (sigma <= 5)

    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.sqrt(T)
        d1 = (np.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / (sigma * sq)
        d2 = d1 - sigma * sq
        disc_q = np.exp(-q * T)
        pdf = norm.pdf(d1)
        gamma = disc_q * pdf / (S * sigma * sq)
        delta = np.where(is_call, disc_q * norm.cdf(d1), -disc_q * norm.cdf(-d1))
        vanna = -disc_q * pdf * d2 / sigma
        second = disc_q * pdf * (2 * (r - q) * T - d2 * sigma * sq) / (2 * T * sigma * sq)
        charm = np.where(is_call, q * disc_q * norm.cdf(d1) - second,
                         -q * disc_q * norm.cdf(-d1) - second)
    sign = np.where(is_call, 1.0, -1.0)
    M = 100.0
    df["gex"] = np.where(ok, sign * gamma * oi * M * S * S * 0.01, 0.0)
    df["dex"] = np.where(ok, delta * oi * M * S, 0.0)
    df["vex"] = np.where(ok, sign * vanna * oi * M * S * 0.01, 0.0)
    df["chex"] = np.where(ok, sign * charm * oi * M * S / 365.0, 0.0)
    t2 = time.perf_counter()

    out = {}
    for sym, g in df.groupby("underlying", sort=False):
        rows = g.groupby("strike", sort=True)[["gex", "dex", "vex", "chex"]].sum()
        spot = float(g["underlying_price"].iloc[0])
        flip = strike_flip(rows.index.to_numpy(), rows["gex"].to_numpy(), spot)
        out[sym] = {
            "spot": spot,
            "net_gex": float(rows["gex"].sum()),
            "net_dex": float(rows["dex"].sum()),
            "net_vex": float(rows["vex"].sum()),
            "net_chex": float(rows["chex"].sum()),
            "strike_flip": flip,
            "strikes": [[float(k), float(v)] for k, v in rows["gex"].items()],
            "used": int(ok[g.index].sum()),
        }
    t3 = time.perf_counter()

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    print(f"pandas-gex: read {t1 - t0:.3f} s, greeks {t2 - t1:.3f} s, "
          f"aggregate {t3 - t2:.3f} s, total {t3 - t0:.3f} s, {len(df)} contracts, "
          f"{len(out)} underlyings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
