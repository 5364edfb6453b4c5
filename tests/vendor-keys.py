#!/usr/bin/env python3
"""The JSON documents of gex have exactly the vendor's keys, in the vendor's order, plus "meta".

Usage: tests/vendor-keys.py GEX SHARED_DIR CHAIN
Compares `gex gex|levels --format json CHAIN` with the vendor's captures in
SHARED_DIR/flashalpha (the key sets of SPEC 3), and dex, vex and chex with the same shape with
their measure's names, and summary with the shape SPEC 3 gives. Exits 77 (skipped, saying so) when SHARED_DIR is absent.
"""
import glob
import json
import os
import re
import subprocess
import sys

gex, shared, chain = sys.argv[1:4]
shared = os.environ.get("GEX_SHARED_DIR") or shared
fa = os.path.join(shared, "flashalpha")
if not os.path.isdir(fa):
    print("skipped: ../shared absent (no vendor captures to compare with)")
    sys.exit(77)

failures = []


def run(cmd):
    out = subprocess.run([gex, cmd, "--format", "json", chain], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def same(what, ours, theirs):
    if ours != theirs:
        failures.append("%s: gex has %s, the vendor %s" % (what, ours, theirs))


def load(pattern):
    with open(glob.glob(os.path.join(fa, pattern))[0]) as f:
        return json.load(f)


vendor_gex = load("exposure_gex_*.json")
vendor_levels = load("exposure_levels_*.json")
top = list(vendor_gex.keys())
row = list(vendor_gex["strikes"][0].keys())

doc = run("gex")
same("gex keys", list(doc.keys()), top + ["meta"])
for i, r in enumerate(doc["strikes"]):
    same("gex strikes[%d] keys" % i, list(r.keys()), row)

for m in ("dex", "vex", "chex"):
    doc = run(m)
    interp = [m + "_interpretation"] if m in ("vex", "chex") else []
    same("%s keys" % m, list(doc.keys()),
         ["symbol", "underlying_price", "as_of", "net_" + m] + interp + ["strikes", "meta"])
    for i, r in enumerate(doc["strikes"]):
        same("%s strikes[%d] keys" % (m, i), list(r.keys()),
             ["strike", "call_" + m, "put_" + m, "net_" + m])

doc = run("levels")
same("levels keys", list(doc.keys()), list(vendor_levels.keys()) + ["meta"])
same("levels.levels keys", list(doc["levels"].keys()), list(vendor_levels["levels"].keys()))
# as_of as the vendor writes it: UTC with seven fractional digits (its captures).
as_of_form = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z"
for what, v in (("vendor gex", vendor_gex), ("vendor levels", vendor_levels), ("levels", doc)):
    if not re.fullmatch(as_of_form, v["as_of"]):
        failures.append("%s as_of %r is not ISO 8601 UTC with 7 fractional digits"
                        % (what, v["as_of"]))

# summary: no capture of the vendor's; the shape SPEC 3 gives.
doc = run("summary")
same("summary keys", list(doc.keys()),
     ["symbol", "underlying_price", "as_of", "gamma_flip", "regime", "exposures",
      "interpretation", "hedging_estimate", "hedging_full_revaluation", "zero_dte", "classifier", "meta"])
same("summary.interpretation keys", list(doc["interpretation"].keys()),
     ["gamma", "vanna", "charm"])
same("summary.exposures keys", list(doc["exposures"].keys()),
     ["net_gex", "net_dex", "net_vex", "net_chex"])
same("summary.hedging_estimate keys", list(doc["hedging_estimate"].keys()),
     ["spot_down_1pct", "spot_up_1pct"])
for k in ("spot_down_1pct", "spot_up_1pct"):
    same("summary.hedging_estimate.%s keys" % k, list(doc["hedging_estimate"][k].keys()),
         ["dealer_shares_to_trade", "direction", "notional_usd"])
same("summary.zero_dte keys", list(doc["zero_dte"].keys()),
     ["net_gex", "pct_of_total_gex", "expiration"])
same("summary.classifier keys", list(doc["classifier"].keys()),
     ["regime", "vanna_aligned", "dist_to_flip", "confidence", "meaning"])

for f in failures:
    print("FAIL:", f)
print("vendor-keys: %s" % ("ok" if not failures else "%d differences" % len(failures)))
sys.exit(1 if failures else 0)
