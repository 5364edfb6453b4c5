#!/usr/bin/env python3
"""gex screen --sort COLUMN against Python's own sort of the same rows (independent truth).

The rule (doc/manual.md, screen): the rows sorted by the column, ascending, or descending with
a leading '-'; rows without a value (an empty cell: no gamma flip, no wall) last in either
direction; equal keys in the input order. Texts (symbol, currency, file) compare byte by byte,
as_of by its instant (ISO-8601 UTC, one width: as text), label by net GEX (its sign names it),
confidence low < moderate < high, vanna_aligned false < true, every other column by its
number, which the CSV writes in a form that reads back to the very double.

Inputs: a generated market of 60 underlyings (gen-chain --market), the several-underlying
file of the CLI tests and the sample, so that a symbol comes from two files, some rows have
no gamma flip, and confidence and vanna_aligned hold ties. Each of the 14 columns is sorted
both ways, on 1 and 2 threads, and every row must be where Python puts it.

Usage: screen-sort.py GEX GEN_CHAIN SOURCE_ROOT
"""
import csv
import io
import os
import subprocess
import sys
import tempfile

gex, gen, root = sys.argv[1:4]

CONFIDENCE = {"low": 0, "moderate": 1, "high": 2}
TEXT = {"symbol", "currency", "file", "as_of"}


def screen(files, *args):
    out = subprocess.run([gex, "screen", "--format", "csv", "--quiet", *args, *files],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit("FAIL: gex screen %s: status %d: %s" % (" ".join(args), out.returncode,
                                                        out.stderr.strip()))
    rows = list(csv.reader(io.StringIO(out.stdout)))
    return rows[0], rows[1:]


def key(column, row, header):
    """(has, value) of a row's cell in the column: has 0 for an empty cell."""
    if column == "label":
        cell = row[header.index("net_gex")]
    else:
        cell = row[header.index(column)]
    if cell == "":
        return 0, None
    if column in TEXT:
        return 1, cell.encode()
    if column == "confidence":
        return 1, CONFIDENCE.get(cell, 0)
    if column == "vanna_aligned":
        return 1, 1 if cell == "true" else 0
    return 1, float(cell)


def python_sort(rows, header, column, descending):
    """The rows with a value sorted stably (Python's sort keeps equal keys in order in both
    directions), then those without, in input order."""
    have = [r for r in rows if key(column, r, header)[0]]
    lack = [r for r in rows if not key(column, r, header)[0]]
    return sorted(have, key=lambda r: key(column, r, header)[1], reverse=descending) + lack


def main():
    with tempfile.TemporaryDirectory() as tmp:
        market = os.path.join(tmp, "market.csv")
        subprocess.run([gen, "--market", "--underlyings", "60", "-o", market], check=True,
                       capture_output=True)
        files = [market, os.path.join(root, "tests", "data", "cli-inputs", "multi.csv"),
                 os.path.join(root, "data", "sample-spx.csv")]
        header, rows = screen(files, "--jobs", "1")
        missing = sum(1 for r in rows if r[header.index("gamma_flip")] == "")
        symbols = [r[0] for r in rows]
        if len(rows) < 60 or missing == 0 or len(set(symbols)) == len(symbols):
            sys.exit("FAIL: the inputs lack what the check needs: %d rows, %d without a flip, "
                     "%d repeated symbols" % (len(rows), missing, len(symbols) - len(set(symbols))))
        failed = 0
        checks = 0
        for column in header:
            for descending in (False, True):
                want = python_sort(rows, header, column, descending)
                for jobs in ("1", "2"):
                    name = ("-" if descending else "") + column
                    got_header, got = screen(files, "--sort", name, "--jobs", jobs)
                    checks += 1
                    if got_header != header or got != want:
                        failed += 1
                        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                                  min(len(got), len(want)))
                        print("FAIL: --sort %s --jobs %s: row %d is %s, Python puts %s there"
                              % (name, jobs, at + 1, got[at][:2] if at < len(got) else None,
                                 want[at][:2] if at < len(want) else None))
        print("%d sorts of %d rows (%d without a gamma flip), each as Python sorts them"
              % (checks - failed, len(rows), missing))
        return 1 if failed else 0


sys.exit(main())
