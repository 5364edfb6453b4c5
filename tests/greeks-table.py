#!/usr/bin/env python3
"""gex greeks as a table against Python's own rendering of the same rows (independent truth).

gex writes the greeks table (its default format) in blocks of 2,048 contracts on --jobs threads
and aligns the columns over every block (src/render/render-greeks.c, render-table.c). This
script reads the same command's CSV, whose numbers read back to the very doubles, and renders
the table with Python's formatting: thousands separators ("{:,.2f}"), "%.6g", strikes with
their trailing zeros dropped, "-" for an empty cell, names and units right-aligned over
numbers and left-aligned over texts, two spaces between columns, the last column unpadded.
Every line after the title must be the same, on 1, 2, 3 and 7 threads, for the SPX index
listed in full (gen-chain --big: 51,886 contracts, 26 blocks), the same without the IV of
every fifth row read with --iv file (rows of "-"), a filter that leaves out contracts inside
every block, and the sample; then, on 1 and 2 threads, every real chain in ../shared/chains
(their roots, expired contracts and contracts without an IV; skipped, saying so, when
../shared is absent).

Usage: greeks-table.py GEX GEN_CHAIN SOURCE_ROOT [SHARED_DIR]
"""
import csv
import io
import os
import subprocess
import sys
import tempfile

gex, gen, root = sys.argv[1:4]
shared = sys.argv[4] if len(sys.argv) > 4 else os.path.join(root, "..", "shared")
NOW = {  # the file without a quote instant of its own: its latest trade (../shared's README)
    "yfinance_spy_2026-02-11_intraday.csv": "2026-02-11T16:19:00Z",
}

# name: (unit, style); the styles of src/render/render-greeks.c's columns
COLUMNS = [
    ("underlying", None, "text"),
    ("option_symbol", None, "text"),
    ("expiration", None, "text"),
    ("strike", "USD", "strike"),
    ("type", None, "text"),
    ("T", "years", "sig"),
    ("iv", "fraction", "sig"),
    ("iv_source", None, "text"),
    ("spot", "USD", "price"),
    ("delta", "per $1", "sig"),
    ("gamma", "per $1/$1", "sig"),
    ("vega", "per 1.00 vol", "sig"),
    ("vanna", "per 1.00 vol", "sig"),
    ("charm", "per year", "sig"),
    ("open_interest", "contracts", "count"),
    ("gex", "USD/1%", "money"),  # the default unit's (gex__unit_short)
    ("dex", "USD", "money"),
    ("vex", "USD/vol pt", "money"),
    ("chex", "USD/day", "money"),
    ("status", None, "text"),
]


def grouped(v, decimals):
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and set(text[1:]) <= set("0.,"):
        text = text[1:]  # gex drops the sign of a value that rounds to 0
    return text


def cell(text, style):
    if text == "":
        return "-"
    if style == "text":
        return text
    v = float(text)
    if abs(v) >= 1e15:
        raise SystemExit(f"FAIL: {v} is beyond the grouped range this check renders")
    if v == 0:
        v = 0.0  # no "-0"
    if style == "strike":
        s = grouped(v, 3)
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    if style in ("money", "count"):
        return grouped(v, 0)
    if style == "price":
        return grouped(v, 2)
    return "%.6g" % v


def table(csv_text):
    rows = list(csv.reader(io.StringIO(csv_text)))
    names = [c[0] for c in COLUMNS]
    if rows[0] != names:
        raise SystemExit(f"FAIL: CSV header {rows[0]}")
    units = [c[1] for c in COLUMNS]
    body = [[cell(r[j], COLUMNS[j][2]) for j in range(len(COLUMNS))] for r in rows[1:]]
    width = []
    for j, (name, _, _) in enumerate(COLUMNS):
        w = max(len(name), len(units[j] or ""))
        for r in body:
            w = max(w, len(r[j]))
        width.append(w)
    last = len(COLUMNS) - 1

    def line(cells, head):
        out = ""
        for j, s in enumerate(cells):
            left = COLUMNS[j][2] == "text"
            if j > 0 and not (head and left and j == last and s == ""):
                out += "  "
            if left:
                out += s if j == last else s.ljust(width[j])
            else:
                out += s.rjust(width[j])
        return out

    lines = [line(names, True), line([u or "" for u in units], True)]
    lines += [line(r, False) for r in body]
    return "\n".join(lines) + "\n"


def run(args):
    p = subprocess.run([gex, "greeks", *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: gex greeks {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


def main():
    failed = 0
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        index = os.path.join(tmp, "index.csv")
        subprocess.run([gen, "--big", "-o", index], check=True, capture_output=True)
        no_iv = os.path.join(tmp, "no-iv.csv")
        with open(index) as f, open(no_iv, "w") as g:
            for i, text in enumerate(f):
                if i > 0 and (i + 1) % 5 == 0:
                    fields = text.split(",")
                    fields[8] = ""
                    text = ",".join(fields)
                g.write(text)
        sample = os.path.join(root, "data", "sample-spx.csv")
        many = ("1", "2", "3", "7")
        cases = [([index], many), ([index, "--min-oi", "500"], many),
                 ([no_iv, "--iv", "file"], many), ([sample], many)]
        chains = os.path.join(shared, "chains")
        if os.path.isdir(chains):
            for name in sorted(os.listdir(chains)):
                if name.endswith((".csv", ".json", ".dat")):
                    now = ["--now", NOW[name]] if name in NOW else []
                    cases.append(([*now, os.path.join(chains, name)], ("1", "2")))
        else:
            print(f"skipped: ../shared absent ({chains}): generated chains and the sample only")
        for case, threads in cases:
            csv_text = run(["--format", "csv", *case])
            for jobs in threads:
                got = run(["--jobs", jobs, *case])
                head, sep, rest = got.partition("\n\n")  # the title lines, then the table
                if not sep:
                    raise SystemExit(f"FAIL: gex greeks {' '.join(case)}: no title")
                want = table(csv_text)
                runs += 1
                if rest != want:
                    a, b = rest.split("\n"), want.split("\n")
                    k = next(i for i in range(min(len(a), len(b)) + 1)
                             if i >= len(a) or i >= len(b) or a[i] != b[i])
                    print(f"FAIL: gex greeks --jobs {jobs} {' '.join(case)}: line {k + 1}:\n"
                          f"  gex:    {a[k] if k < len(a) else '(none)'!r}\n"
                          f"  python: {b[k] if k < len(b) else '(none)'!r}", file=sys.stderr)
                    failed = 1
                    break  # the other threads' tables of this case add nothing
        rows = run(["--format", "csv", sample]).count("\n") - 1
        if rows < 3000:
            raise SystemExit(f"FAIL: the sample gave {rows} rows: a check of nothing")
    if failed:
        return 1
    print(f"greeks-table: {runs} tables of {len(cases)} chains on 1 to 7 threads, each Python's "
          "rendering of its CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
