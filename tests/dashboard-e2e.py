#!/usr/bin/env python3
"""The browser dashboard end to end (SPEC 5.6): gex serve on the real chains of ../shared, the
page loaded in headless Chromium driven over the DevTools protocol (--remote-debugging-pipe,
standard library only), and the numbers the page shows compared with the command line's:
the summary and the levels for SPX, a bar read by the keyboard and one read by hovering, the
min OI and expiration filters, another symbol picked, a heatmap cell against gex gex
--expiration, the heatmap's spot line, the number formats, a symbol without data and a filter
that leaves nothing (both said plainly), the phone width, an address whose '#' part cannot be
decoded, a symbol gex serve cannot answer for, a folder with an unreadable file and one that
cannot be read (each said in words), and the static routes' headers (content types, ETag and
304, 405, 404, CSP).
A screenshot of each view is kept under the build folder (dashboard-e2e/).

Usage: dashboard-e2e.py GEX SHARED_DIR OUT_DIR. Skips (exit 77), saying so, without chromium or
../shared."""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SKIP = 77


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


# --- gex ---

def cli_json(gex, *args):
    out = subprocess.run([gex, *args, "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"gex {' '.join(args)}: exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def start_serve(gex, folder):
    p = subprocess.Popen([gex, "serve", "--port", "0", folder], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = p.stderr.readline()
        m = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, int(m.group(1))
    p.kill()
    fail("gex serve did not print its port")


def get(port, path, headers=None, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


# --- Chromium over the DevTools protocol (a pipe: fd 3 in, fd 4 out, NUL-separated JSON) ---

class Browser:
    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # The browser reads on fd 3 and writes on fd 4: a shell puts the pipes there.
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(
            ["sh", "-c", f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', "sh", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(to_chrome_r, from_chrome_w))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self.read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    fail(f"DevTools {method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def read(self, deadline):
        import select
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                fail("Chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                fail("Chromium closed its pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def open(self, width, height, mobile=False):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        att = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                        session=False)
        self.session = att["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(m)
        self.viewport(width, height, mobile)

    def viewport(self, width, height, mobile=False):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            fail(f"page script {expr!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            # The document may still be the previous one, or not parsed yet.
            v = self.eval(f"(()=>{{try{{return ({expr})}}catch(e){{return false}}}})()")
            if v:
                return v
            time.sleep(0.1)
        st = self.eval("document.getElementById('status').textContent")
        msg = self.eval("document.getElementById('message').textContent")
        fail(f"timed out waiting for {what}; status: {st!r}, message: {msg!r}")

    def key(self, key, code=None, vk=0):
        for t in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": t, "key": key, "code": code or key,
                                                 "windowsVirtualKeyCode": vk})

    def mouse(self, x, y):
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def shot(self, path, selector=None):
        params = {"format": "png", "captureBeyondViewport": True}
        if selector:
            r = self.eval(f"(()=>{{const b=document.querySelector('{selector}').getBoundingClientRect();"
                          f"return [b.left+scrollX,b.top+scrollY,b.width,b.height]}})()")
            params["clip"] = {"x": r[0], "y": r[1], "width": r[2], "height": r[3], "scale": 1}
        else:
            h = self.eval("document.documentElement.scrollHeight")
            w = self.eval("document.documentElement.scrollWidth")
            params["clip"] = {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}
        import base64
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        print(f"screenshot: {path}")

    def errors(self, answers=r"4\d\d"):
        out = []
        for e in self.events:
            if e.get("method") == "Runtime.exceptionThrown":
                out.append(e["params"]["exceptionDetails"].get("text", "exception"))
            if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error":
                entry = e["params"]["entry"]
                # A 404 the page asks for on purpose (an endpoint this gex lacks, a symbol
                # without data) is logged by Chromium as a failed load: not an error of the page.
                if entry.get("source") == "network" and re.search(r"status of " + answers, entry["text"]):
                    continue
                out.append(entry["text"])
        return out

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=10)
        except SystemExit:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- what the page shows, read back ---

def short_value(text):
    """'23.042 B (USD ...)' or '-0.621' -> (value, half a unit of its last digit)."""
    m = re.match(r"(-?[\d.]+)(?: ([KMBT])\b)?", text)
    if not m:
        fail(f"not a short amount: {text!r}")
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, None: 1}[m.group(2)]
    decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
    return float(m.group(1)) * scale, 0.5 * scale * 10 ** -decimals


def money(s):
    return float(s.replace(",", ""))


def price(v):
    return "n/a" if v is None else f"{v:,.2f}"


def bar_numbers(text):
    m = re.match(r"Strike ([\d,.]+): calls (-?[\d,]+), puts (-?[\d,]+), net (-?[\d,]+)", text)
    if not m:
        fail(f"not a bar readout: {text!r}")
    return [money(g) for g in m.groups()]


def check_bar(text, rows, what):
    strike, call, put, net = bar_numbers(text)
    row = next((r for r in rows if abs(r["strike"] - strike) < 0.005), None)
    check(row is not None, f"{what}: strike {strike} is one of the command line's")
    for name, shown in (("call_gex", call), ("put_gex", put), ("net_gex", net)):
        check(abs(row[name] - shown) <= 0.5,
              f"{what}: {name} at {strike} shown {shown:.0f}, command line {row[name]:.2f}")


def check_summary(b, summary, what):
    shown = b.eval("Object.fromEntries([...document.querySelectorAll('#summary dd')].map(d=>[d.dataset.key,d.textContent]))")
    check(shown["gamma_flip"] == price(summary["gamma_flip"]),
          f"{what}: flip {shown['gamma_flip']} = command line {summary['gamma_flip']}")
    check(shown["spot"] == price(summary["underlying_price"]), f"{what}: spot {shown['spot']}")
    for key in ("net_gex", "net_dex", "net_vex", "net_chex"):
        v, half = short_value(shown[key])
        cli = summary["exposures"][key]
        check(abs(v - cli) <= half * 1.0001, f"{what}: {key} {shown[key]!r} = command line {cli}")


def check_levels(b, levels, what):
    rows = b.eval("Object.fromEntries([...document.querySelectorAll('#levels tbody tr')].map(t=>[t.dataset.key,t.cells[1].textContent]))")
    for key, v in levels["levels"].items():
        check(rows.get(key) == price(v), f"{what}: level {key} {rows.get(key)} = command line {v}")
    g = levels["meta"].get("gex_levels", {})
    for key in ("resistance", "support"):
        if key in g:
            check(rows.get(key) == price(g[key]), f"{what}: {key} {rows.get(key)}")


def check_formats(b):
    """The page's number formats (SPEC 5.6), called in the page itself."""
    cases = [
        # Totals: three decimals below 1,000 too, the unit chosen after rounding, no "-0".
        ("fmtShort(-0.6207)", "-0.621"), ("fmtShort(0.5)", "0.500"), ("fmtShort(999.9994)", "999.999"),
        ("fmtShort(999.9996)", "1.000 K"), ("fmtShort(999999.9)", "1.000 M"),
        ("fmtShort(-999999999.7)", "-1.000 B"), ("fmtShort(23042123456)", "23.042 B"),
        ("fmtShort(-0.0001)", "0.000"), ("fmtShort(-0)", "0.000"), ("fmtShort(NaN)", "n/a"),
        # Axis ticks: as many decimals as tell each tick's value.
        ("tickLabels([0, 0.5, 1, 1.5, 2]).join()", "0,0.5,1,1.5,2"),
        ("tickLabels([-0.002, -0.001, 0, 0.001]).join()", "-0.002,-0.001,0,0.001"),
        ("tickLabels([-1500, 0, 1500, 3000]).join()", "-1.5 K,0,1.5 K,3 K"),
        ("tickLabels([0, 2e8, 4e8, 6e8, 8e8, 1e9]).join()", "0,200 M,400 M,600 M,800 M,1 B"),
        ("tickLabels([-4e9, -2e9, 0]).join()", "-4 B,-2 B,0"),
        # Whole dollars: half away from zero.
        ("fmtInt(-2.5)", "-3"), ("fmtInt(2.5)", "3"), ("fmtInt(-1234567.5)", "-1,234,568"),
        ("fmtInt(-0.4)", "0"), ("fmtInt(-2.4)", "-2"),
        # Prices and percentages: two decimals, no "-0.00".
        ("fmtPrice(-0.004)", "0.00"), ("fmtPrice(-0)", "0.00"), ("fmtPrice(-0.006)", "-0.01"),
        ("fmtPrice(4489.495)", "4,489.50"), ("fmtPrice(-1234.5678)", "-1,234.57"),
        ("fmtPct(-0.0037)", "0.00%"), ("fmtPct(-0)", "0.00%"), ("fmtPct(-0.0051)", "-0.01%"),
        ("fmtPct(-0.3701)", "-0.37%"), ("fmtPct(Infinity)", "n/a"),
    ]
    for expr, want in cases:
        got = b.eval(expr)
        check(got == want, f"{expr} = {want!r} (got {got!r})")


def check_heatmap_spot(b, hm):
    """The heatmap's spot line: at the middle of a strike's row (where its label is) when the
    spot is that strike, linear between two rows' middles. The page draws spot +- 10% (its
    Strikes control's default), highest strike on top."""
    check(b.eval("document.getElementById('range').value") == "10", "the heatmap draws spot +- 10%")
    spot = hm["underlying_price"]
    lo, hi = spot * (1 - 10 / 100), spot * (1 + 10 / 100)
    ks = [k for k in hm["strikes"] if lo <= k <= hi] or hm["strikes"]
    # Home selects the top row (the highest strike): its rectangle gives the rows' top and height.
    b.eval("document.getElementById('heatmap').focus()")
    b.key("Home", vk=36)
    g = b.eval("(()=>{const s=document.querySelector('#heatmap rect.sel');const l=document.querySelector('#heatmap line.spot');"
               "return {top:+s.getAttribute('y'),ch:+s.getAttribute('height'),y:l?+l.getAttribute('y1'):null}})()")
    check(b.eval("document.getElementById('heatmap-readout').textContent").startswith(f"Strike {price(ks[-1])},"),
          "Home selects the heatmap's top row")
    check(g["y"] is not None, "the heatmap draws the spot line")
    k = max(i for i in range(len(ks)) if ks[i] <= spot)
    frac = (spot - ks[k]) / (ks[k + 1] - ks[k]) if k + 1 < len(ks) else 0
    mid = g["top"] + (len(ks) - 1 - k) * g["ch"] + g["ch"] / 2
    want = mid - frac * g["ch"]
    check(abs(g["y"] - want) < 0.01,
          f"the spot line {spot} is at y {g['y']:.2f}, {frac:.3f} of a row above strike {ks[k]}'s middle ({want:.2f})")


def loaded(b, symbol, marker=""):
    b.wait(f"(()=>{{const s=document.getElementById('status').textContent;"
           f"return !document.body.hasAttribute('aria-busy') && s.startsWith('{symbol} at') && s.includes({json.dumps(marker)})}})()",
           f"{symbol} loaded {marker}")


def set_control(b, cid, value):
    b.eval(f"(()=>{{const e=document.getElementById('{cid}');e.value={json.dumps(value)};"
           f"e.dispatchEvent(new Event('change'));}})()")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    gex, shared, out_dir = sys.argv[1:]
    chains = os.path.join(shared, "chains")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("skipped: chromium absent (apt-get install chromium)")
        sys.exit(SKIP)
    if not os.path.isdir(chains):
        print("skipped: ../shared absent")
        sys.exit(SKIP)
    os.makedirs(out_dir, exist_ok=True)
    serve, gex_port = start_serve(gex, chains)
    tmp = tempfile.mkdtemp(prefix="gex-dashboard-")
    try:
        # The static routes.
        st, h, body = get(gex_port, "/")
        check(st == 200 and h["content-type"] == "text/html; charset=utf-8", "/ is the page, text/html")
        check("script-src 'self'" in h.get("content-security-policy", ""), "/ has a self-only CSP")
        check(b"https://" not in body and b"http://" not in body, "the page names no other host")
        for name, ctype in (("app.js", "text/javascript; charset=utf-8"),
                            ("app.css", "text/css; charset=utf-8"), ("icon.svg", "image/svg+xml")):
            st, h, body = get(gex_port, "/assets/" + name)
            check(st == 200 and h["content-type"] == ctype and len(body) > 100, f"/assets/{name}: {ctype}")
            check(h["cache-control"] == "no-cache" and re.fullmatch(r'"[0-9a-f]{16}"', h["etag"]),
                  f"/assets/{name}: ETag and no-cache")
            check(b"//cdn" not in body and b"https://" not in body, f"/assets/{name} loads nothing from elsewhere")
            st2, _, body2 = get(gex_port, "/assets/" + name, {"If-None-Match": h["etag"]})
            check(st2 == 304 and body2 == b"", f"/assets/{name}: 304 on its ETag")
        st, h, body = get(gex_port, "/", method="POST")
        check(st == 405 and h.get("allow") == "GET, HEAD", "POST / is 405 with Allow")
        st, h, body = get(gex_port, "/assets/missing.js")
        check(st == 404 and json.loads(body)["error"] == "not_found", "an unknown asset is 404")

        port = gex_port
        check(get(gex_port, "/v1/symbols")[0] == 200, "/v1/symbols answers: the symbol picker's list")
        has_heatmap = get(gex_port, "/v1/exposure/heatmap/SPX")[0] == 200

        # The command line's numbers for the file gex serve answers SPX from.
        _, h, _ = get(gex_port, "/v1/exposure/summary/SPX")
        spx = os.path.join(chains, h["x-gex-file"])
        summary = cli_json(gex, "summary", spx)
        levels = cli_json(gex, "levels", spx)
        rows = cli_json(gex, "gex", spx)["strikes"]

        b = Browser(exe, os.path.join(tmp, "profile"))
        try:
            b.open(1280, 900)
            b.send("Page.navigate", {"url": f"http://127.0.0.1:{port}/#SPX"})
            loaded(b, "SPX")
            check(b.eval("document.getElementById('symbol').value") == "SPX", "the picker shows SPX")
            check_formats(b)
            check_summary(b, summary, "SPX")
            check_levels(b, levels, "SPX")
            b.shot(os.path.join(out_dir, "page.png"))
            b.shot(os.path.join(out_dir, "regime.png"), "#summary-view")
            b.shot(os.path.join(out_dir, "levels.png"), "#levels-view")

            # A bar by the keyboard: focus the chart, Home, then three to the right.
            b.eval("document.getElementById('bars').focus()")
            b.key("Home", vk=36)
            for _ in range(3):
                b.key("ArrowRight", vk=39)
            check_bar(b.eval("document.getElementById('bars-readout').textContent"), rows, "keyboard bar")
            # A bar by hovering the middle of the chart; the tooltip says the same.
            r = b.eval("(()=>{const r=document.querySelector('#bars svg').getBoundingClientRect();return [r.left,r.top,r.width,r.height]})()")
            b.mouse(r[0] + r[2] * 0.55, r[1] + r[3] / 2)
            hover = b.eval("document.getElementById('bars-readout').textContent")
            check_bar(hover, rows, "hovered bar")
            check(b.eval("document.getElementById('tooltip').hidden") is False and
                  b.eval("document.getElementById('tooltip').textContent") == hover, "the tooltip shows the bar's numbers")
            b.shot(os.path.join(out_dir, "bars.png"), "#bars-view")
            has_profile = get(gex_port, "/v1/exposure/profile/SPX")[0] == 200
            check(b.eval("!document.getElementById('profile-view').hidden") == has_profile,
                  f"the profile panel is shown exactly when /v1/exposure/profile answers ({has_profile})")
            if has_profile:
                # The profile's points against gex profile (its defaults, as the page's).
                prof = cli_json(gex, "profile", spx)["profile"]
                b.eval("document.getElementById('profile').focus()")
                b.key("Home", vk=36)
                for step in range(3):
                    t = b.eval("document.getElementById('profile-readout').textContent")
                    m = re.match(r"Spot at ([\d,.]+): net GEX (-?[\d,]+)", t)
                    check(m is not None, f"a profile readout: {t!r}")
                    want = prof[step * 10]
                    check(abs(money(m.group(1)) - want["x"]) <= 0.005 and abs(money(m.group(2)) - want["net_gex"]) <= 0.5,
                          f"profile point {step * 10}: {t!r} = gex profile {want['x']:.2f} {want['net_gex']:.2f}")
                    for _ in range(10):
                        b.key("ArrowRight", vk=39)
                b.shot(os.path.join(out_dir, "profile.png"), "#profile-view")
            check(b.eval("!document.getElementById('heatmap-view').hidden") == has_heatmap,
                  f"the heatmap panel is shown exactly when /v1/exposure/heatmap answers ({has_heatmap})")
            if has_heatmap:
                b.shot(os.path.join(out_dir, "heatmap.png"), "#heatmap-view")
                check_heatmap_spot(b, json.loads(get(gex_port, "/v1/exposure/heatmap/SPX")[2]))
            # The real chains hold SPX on two days: the panel over time is shown.
            check(get(gex_port, "/v1/history/SPX")[0] == 200, "/v1/history/SPX answers")
            check(not b.eval("document.getElementById('history-view').hidden"),
                  "the panel over time is shown for SPX, held on two days")
            b.shot(os.path.join(out_dir, "history.png"), "#history-view")

            # The min OI filter, typed with the keyboard, then Tab: the page and
            # gex summary --min-oi agree.
            b.eval("document.getElementById('min-oi').focus()")
            b.send("Input.insertText", {"text": "500"})
            b.key("Tab", vk=9)
            loaded(b, "SPX", "open interest ≥ 500")
            check_summary(b, cli_json(gex, "summary", "--min-oi", "500", spx), "SPX min OI 500")
            check_levels(b, cli_json(gex, "levels", "--min-oi", "500", spx), "SPX min OI 500")
            rows500 = cli_json(gex, "gex", "--min-oi", "500", spx)["strikes"]
            b.eval("document.getElementById('bars').focus()")
            b.key("End", vk=35)
            check_bar(b.eval("document.getElementById('bars-readout').textContent"), rows500, "min OI 500 bar")

            # The expiration filter: the third expiration listed.
            exp = b.eval("document.getElementById('expiration').options[4]?.value || document.getElementById('expiration').options[2]?.value || ''")
            check(bool(exp) or not has_heatmap, "the expiration filter lists the heatmap's expirations")
            if exp:
                set_control(b, "expiration", exp)
                loaded(b, "SPX", f"expiration {exp}")
                check_summary(b, cli_json(gex, "summary", "--min-oi", "500", "--expiration", exp, spx),
                              f"SPX expiration {exp}")
                b.shot(os.path.join(out_dir, "filtered.png"))
                if has_heatmap:
                    # A heatmap cell against gex gex --expiration for that one date.
                    b.eval("document.getElementById('heatmap').focus()")
                    b.key("Home", vk=36)
                    cells = 0
                    for _ in range(40):
                        b.key("ArrowDown", vk=40)
                        t = b.eval("document.getElementById('heatmap-readout').textContent")
                        m = re.match(r"Strike ([\d,.]+), expiration (\S+) .*net GEX (-?[\d,]+)", t)
                        if not m:
                            continue
                        k, e, v = money(m.group(1)), m.group(2), money(m.group(3))
                        one = cli_json(gex, "gex", "--min-oi", "500", "--expiration", e, spx)["strikes"]
                        row = next(r for r in one if abs(r["strike"] - k) < 0.005)
                        check(abs(row["net_gex"] - v) <= 0.5,
                              f"heatmap cell {k} {e}: {v:.0f} = gex gex --expiration {row['net_gex']:.2f}")
                        cells += 1
                        break
                    check(cells == 1, "a heatmap cell was read")

            # Another symbol from the picker: its filters reset.
            set_control(b, "min-oi", "")
            set_control(b, "symbol", "SPY")
            loaded(b, "SPY")
            _, h, _ = get(gex_port, "/v1/exposure/summary/SPY")
            spy = os.path.join(chains, h["x-gex-file"])
            check_summary(b, cli_json(gex, "summary", spy), "SPY")
            check_levels(b, cli_json(gex, "levels", spy), "SPY")
            b.shot(os.path.join(out_dir, "spy.png"))

            # A filter that leaves nothing: said plainly, no chart.
            set_control(b, "min-oi", "100000000")
            b.wait("!document.getElementById('message').hidden", "the message of an empty filter")
            msg = b.eval("document.getElementById('message').textContent")
            check("SPY" in msg and b.eval("document.getElementById('views').hidden"),
                  f"a filter that leaves nothing says so: {msg!r}")
            set_control(b, "min-oi", "")
            loaded(b, "SPY")

            # A symbol without data (typed in the address): said plainly.
            b.eval("location.hash='#NODATA'")
            b.wait("document.getElementById('message').textContent.includes('No data for NODATA')",
                   "the message of a symbol without data")
            check(b.eval("document.getElementById('views').hidden"), "no chart for a symbol without data")
            b.shot(os.path.join(out_dir, "no-data.png"))

            # A phone: the page fits its width.
            b.viewport(390, 844, mobile=True)
            b.eval("location.hash='#SPX'")
            loaded(b, "SPX")
            sw = b.eval("document.documentElement.scrollWidth")
            check(sw <= 390, f"at a phone's 390 px the page is {sw} px wide (no sideways scroll)")
            b.shot(os.path.join(out_dir, "phone.png"))
            errs = b.errors()
            check(not errs, f"no script error or CSP violation in the console {errs}")
            b.events.clear()
            b.viewport(1280, 900)

            # A folder with a file gex cannot read: the status line counts it (meta.files_left_out
            # of /v1/symbols), also after the symbol is loaded.
            odd = os.path.join(tmp, "odd")
            os.makedirs(odd)
            _, h, _ = get(gex_port, "/v1/exposure/summary/QQQ")
            shutil.copy(os.path.join(chains, h["x-gex-file"]), odd)
            with open(os.path.join(odd, "junk.csv"), "w") as f:
                f.write("hello,world\n1,2\n")
            serve2, port2 = start_serve(gex, odd)
            try:
                b.send("Page.navigate", {"url": f"http://127.0.0.1:{port2}/#QQQ"})
                loaded(b, "QQQ", "1 file in the folder is no chain gex reads")
                b.shot(os.path.join(out_dir, "left-out.png"))
            finally:
                serve2.terminate()
                serve2.wait(timeout=10)

            # An address whose '#' part is not valid percent-encoding: said in words, no blank
            # page, whether opened so or changed to it.
            msg_is = "document.getElementById('message').textContent.includes({})"
            b.send("Page.navigate", {"url": f"http://127.0.0.1:{port}/#%"})
            b.wait(msg_is.format(json.dumps("The address's symbol cannot be read")),
                   "the message of an address #% that cannot be read")
            b.eval("location.hash='#SPX'")
            loaded(b, "SPX")
            b.eval("location.hash='#%E0%A4%A'")
            b.wait(msg_is.format(json.dumps('"#%E0%A4%A" is not valid percent-encoding')),
                   "the message of an address #%E0%A4%A that cannot be read")
            check(b.eval("document.getElementById('views').hidden"), "no chart for an address that cannot be read")
            b.eval("location.hash='#SPX'")
            loaded(b, "SPX")

            # A symbol gex serve cannot answer for ("/" reaches it as a path separator, more
            # than 15 characters): refused in words before any request, not "no such endpoint".
            for bad in ("BRK%2FB", "ABCDEFGHIJKLMNOP"):
                b.eval(f"location.hash='#{bad}'")
                b.wait(msg_is.format(json.dumps("is not a symbol gex serves")),
                       f"the message of the symbol #{bad}")
                msg = b.eval("document.getElementById('message').textContent")
                check("no such endpoint" not in msg and b.eval("document.getElementById('views').hidden"),
                      f"#{bad} is refused in words: {msg!r}")
                b.eval("location.hash='#SPX'")
                loaded(b, "SPX")

            # A folder that cannot be read (removed after gex serve started): /v1/symbols answers
            # 500, and the page says so; the text field is for a gex without /v1/symbols (404).
            gone = os.path.join(tmp, "gone")
            os.makedirs(gone)
            serve3, port3 = start_serve(gex, gone)
            try:
                os.rmdir(gone)
                check(get(port3, "/v1/symbols")[0] == 500, "/v1/symbols of a removed folder is 500")
                b.send("Page.navigate", {"url": f"http://127.0.0.1:{port3}/"})
                b.wait("document.getElementById('message').textContent.includes('cannot be read')",
                       "the message of a folder that cannot be read")
                time.sleep(0.5)
                msg = b.eval("document.getElementById('message').textContent")
                check("could not be listed" in msg and "Type a symbol" not in msg,
                      f"a folder that cannot be read is said in words: {msg!r}")
                check(b.eval("document.getElementById('symbol-text').hidden"),
                      "no text field where /v1/symbols answers 500")
                b.shot(os.path.join(out_dir, "folder-unreadable.png"))
            finally:
                serve3.terminate()
                serve3.wait(timeout=10)

            # The folder that cannot be read answers 500 on purpose.
            errs = b.errors(answers=r"(4\d\d|500)")
            check(not errs, f"no script error on the odd folders and addresses {errs}")
        finally:
            b.close()
    finally:
        serve.terminate()
        serve.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("dashboard-e2e: all checks passed")


if __name__ == "__main__":
    main()
