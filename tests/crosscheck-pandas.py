#!/usr/bin/env python3
"""gex's exposures against an independent pandas/scipy computation (bench/pandas-gex.py).

The two share no code: pandas-gex computes T with Python's own time-zone database, the greeks
with scipy.stats.norm and the sums with pandas groupby. For every chain given, the net GEX, DEX,
VEX and CHEX, every per-strike net GEX and the per-strike ('strike' method) gamma flip must
agree. Tolerance: SPEC 1.3 asks every greek within 1e-9 relative of an independent reference, so
a sum agrees within 1e-9 of the sum of its terms' magnitudes (the gross), which bounds the
cancellation in a net figure; a net figure is compared against that gross, never against itself.

Usage: crosscheck-pandas.py GEX_BINARY SOURCE_ROOT CHAIN...   (exit 77: skipped)
"""

import json
import os
import subprocess
import sys

REL = 1e-9  # SPEC 1.3 accuracy of each greek


def skip(why: str) -> None:
    print(f"crosscheck-pandas: skipped: {why}")
    sys.exit(77)


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    gex, root, chains = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import scipy  # noqa: F401
    except ImportError as e:
        skip(f"{e.name} is not installed for {sys.executable} (Debian: python3-pandas "
             "python3-scipy)")
    reference = os.path.join(root, "bench", "pandas-gex.py")
    failures = 0
    checked = 0
    for chain in chains:
        ref = json.loads(subprocess.run([sys.executable, reference, chain], check=True,
                                        capture_output=True, text=True).stdout)
        for symbol, want in ref.items():
            def gex_json(command, *extra):
                # the reference prices at one flat r and q (SPEC 1.2 --carry flat)
                out = subprocess.run([gex, command, "--format", "json", "--symbol", symbol,
                                      "--carry", "flat", *extra, chain], check=True,
                                     capture_output=True, text=True).stdout
                return json.loads(out)

            doc = gex_json("gex")
            rows = {r["strike"]: r for r in doc["strikes"]}
            gross = sum(abs(r["call_gex"]) + abs(r["put_gex"]) for r in doc["strikes"])
            if abs(doc["net_gex"] - want["net_gex"]) > REL * gross:
                print(f"{chain} {symbol}: net_gex {doc['net_gex']!r} vs {want['net_gex']!r}")
                failures += 1
            for strike, net in want["strikes"]:
                row = rows.get(strike)
                if row is None:
                    print(f"{chain} {symbol}: strike {strike} missing from gex")
                    failures += 1
                    continue
                row_gross = abs(row["call_gex"]) + abs(row["put_gex"])
                if abs(row["net_gex"] - net) > REL * row_gross + 1e-300:
                    print(f"{chain} {symbol} {strike}: net_gex {row['net_gex']!r} vs {net!r}")
                    failures += 1
                checked += 1
            for kind in ("dex", "vex", "chex"):
                d = gex_json(kind)
                key = "net_" + kind
                g = sum(abs(r["call_" + kind]) + abs(r["put_" + kind]) for r in d["strikes"])
                if abs(d[key] - want[key]) > REL * g:
                    print(f"{chain} {symbol}: {key} {d[key]!r} vs {want[key]!r}")
                    failures += 1
            lv = gex_json("levels", "--flip-method", "strike")["levels"]["gamma_flip"]
            wf = want["strike_flip"]
            if (lv is None) != (wf is None) or (wf is not None and abs(lv - wf) > 1e-9 * wf):
                print(f"{chain} {symbol}: strike flip {lv!r} vs {wf!r}")
                failures += 1
    print(f"crosscheck-pandas: {checked} strike rows over {len(chains)} chains, "
          f"{failures} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
