# The code of the article that started gex: FlashAlpha's "Quantifying Dealer Positioning with
# GEX, VEX, and CHEX: A Developer's Guide" (dev.to and flashalpha.com). Its calls, the fields it
# reads and the way it prints them are the article's; tests/seed-article.py runs this file
# unchanged against `gex serve`, sending the vendor's host to the local server the way
# tools/sdk-suites does, and checks what it prints against the command line.
#
# The article's opening (per-strike GEX and its print formats) follows the published text.
# Its later sections (levels, VEX, CHEX, the regime classifier and the multi-symbol
# dashboard that joins each symbol's GEX with /v1/vrp's z-score) follow the article's
# description as SPEC 1.7 records it: regime = sign of net GEX, vanna aligned when the regime
# is positive and net VEX negative, distance to the flip in per cent of the spot, confidence
# high beyond 2%, moderate beyond 0.5%.
import requests

API_KEY = "YOUR_API_KEY"
BASE = "https://lab.flashalpha.com"
HEADERS = {"X-Api-Key": API_KEY}

# --- Pulling per-strike GEX ---
r = requests.get(f"{BASE}/v1/exposure/gex/SPY", headers=HEADERS)
data = r.json()

print(f"SPY @ ${data['underlying_price']:.2f}")
print(f"Net GEX: ${data['net_gex']:,.0f} ({data['net_gex_label']})")
print(f"Gamma Flip: ${data['gamma_flip']:.2f}")

# Top strikes by absolute GEX
strikes = sorted(data["strikes"], key=lambda x: abs(x["net_gex"]), reverse=True)[:10]

for s in strikes:
    print(f"  ${s['strike']:>7.0f} "
          f"call={s['call_gex']:>12,} "
          f"put={s['put_gex']:>12,} "
          f"net={s['net_gex']:>12,}")

# --- Key levels: where flows concentrate ---
r = requests.get(f"{BASE}/v1/exposure/levels/SPY", headers=HEADERS)
levels = r.json()["levels"]

print(f"Gamma Flip:   ${levels['gamma_flip']:.2f}")
print(f"Call Wall:    ${levels['call_wall']:.0f}")
print(f"Put Wall:     ${levels['put_wall']:.0f}")
print(f"Max +Gamma:   ${levels['max_positive_gamma']:.0f}")
print(f"Max -Gamma:   ${levels['max_negative_gamma']:.0f}")
print(f"Highest OI:   ${levels['highest_oi_strike']:.0f}")

# --- Vanna exposure (VEX) ---
r = requests.get(f"{BASE}/v1/exposure/vex/SPY", headers=HEADERS)
vex = r.json()
print(f"Net VEX: ${vex['net_vex']:,.0f}")
print(f"  {vex['vex_interpretation']}")

# --- Charm exposure (CHEX) ---
r = requests.get(f"{BASE}/v1/exposure/chex/SPY", headers=HEADERS)
chex = r.json()
print(f"Net CHEX: ${chex['net_chex']:,.0f}")
print(f"  {chex['chex_interpretation']}")


# --- The regime classifier ---
def classify_regime(gex_data, vex_data):
    spot = gex_data["underlying_price"]
    flip = gex_data["gamma_flip"]
    regime = "positive" if gex_data["net_gex"] > 0 else "negative"
    vanna_aligned = regime == "positive" and vex_data["net_vex"] < 0
    dist_to_flip = (spot - flip) / spot * 100 if flip else None
    if dist_to_flip is None:
        confidence = "low"
    elif abs(dist_to_flip) > 2.0:
        confidence = "high"
    elif abs(dist_to_flip) > 0.5:
        confidence = "moderate"
    else:
        confidence = "low"
    return {
        "regime": regime,
        "vanna_aligned": vanna_aligned,
        "dist_to_flip": dist_to_flip,
        "confidence": confidence,
    }


print(classify_regime(data, vex))

# --- A multi-symbol dealer positioning dashboard ---
SYMBOLS = ["SPY", "QQQ", "TSLA", "NVDA", "AAPL", "AMD", "META", "MSFT", "AMZN", "SPX"]

print(f"{'Symbol':<8}{'Spot':>10}{'Net GEX':>18}{'Flip':>10}{'Dist%':>8}"
      f"{'Regime':>10}{'Conf':>10}{'Vanna':>8}{'VRP z':>8}")
for sym in SYMBOLS:
    g = requests.get(f"{BASE}/v1/exposure/gex/{sym}", headers=HEADERS).json()
    v = requests.get(f"{BASE}/v1/exposure/vex/{sym}", headers=HEADERS).json()
    vrp = requests.get(f"{BASE}/v1/vrp/{sym}", headers=HEADERS).json()
    reg = classify_regime(g, v)
    z = vrp["vrp"]["z_score"]
    dist = reg["dist_to_flip"]
    flip = g["gamma_flip"]
    print(f"{sym:<8}{g['underlying_price']:>10.2f}{g['net_gex']:>18,.0f}"
          f"{(f'{flip:.2f}' if flip else '-'):>10}"
          f"{(f'{dist:+.2f}' if dist is not None else '-'):>8}"
          f"{reg['regime']:>10}{reg['confidence']:>10}"
          f"{('yes' if reg['vanna_aligned'] else 'no'):>8}"
          f"{(f'{z:+.2f}' if z is not None else '-'):>8}")
