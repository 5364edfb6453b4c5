#!/usr/bin/env python3
"""Compares two text files, numbers within a relative tolerance, everything else exactly but
for the width of runs of blanks (table columns widen with the digits printed). A number printed
with fewer than 15 significant digits on both sides (a table's 7,483.26, a strike's 0.0009) must
also keep its form: the same digits after the point, exponent and grouping, so that a change in
how gex prints it (0.0009000 against 0.0009) is a difference; only the full-precision numbers,
whose last digits the two builds compute apart, are compared by value alone.

Usage: tests/numdiff.py EXPECTED ACTUAL [REL]   (REL default 1e-9)
The golden outputs print computed values with all 17 significant digits; the release build's
vectorised greeks (libmvec) and the sanitizer build's scalar path agree to 1e-12 relative
(gex/bs.h), not bit for bit, so golden numbers are compared with a tolerance far above that
and far below any difference that matters. Exit 0 when equal, 1 otherwise (with the first
difference on stdout).
"""
import re
import sys

# A table's integers group their digits by thousands ("34,048,869,054,392"): one number. A
# comma not followed by exactly three digits (a CSV's separator) ends it.
NUM = re.compile(r"-?\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def split(text):
    parts, last = [], 0
    for m in NUM.finditer(text):
        parts.append(("t", text[last:m.start()]))
        parts.append(("n", m.group()))
        last = m.end()
    parts.append(("t", text[last:]))
    return parts


def significant(v):
    """The significant digits of a number's text (leading zeros not counted)."""
    mantissa = re.split(r"[eE]", v)[0].replace(",", "").replace("-", "").replace(".", "")
    return len(mantissa.lstrip("0"))


def form(v):
    """What a number's text says of its printing: digits after the point, exponent, grouping."""
    mantissa = re.split(r"[eE]", v)[0]
    point = mantissa.find(".")
    return (len(mantissa) - point - 1 if point >= 0 else 0, bool(re.search(r"[eE]", v)),
            "," in v)


def main():
    rel = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-9
    with open(sys.argv[1]) as f:
        a = split(f.read())
    with open(sys.argv[2]) as f:
        b = split(f.read())
    if len(a) != len(b):
        print("numdiff: the texts differ in shape")
        return 1
    for (ka, va), (kb, vb) in zip(a, b):
        if ka != kb:
            print("numdiff: %r versus %r" % (va, vb))
            return 1
        if ka == "t" or va == vb:
            # runs of blanks compare equal: column widths follow the digits printed
            if re.sub(r"[ \t]+", " ", va) != re.sub(r"[ \t]+", " ", vb):
                print("numdiff: %r versus %r" % (va, vb))
                return 1
            continue
        x, y = float(va.replace(",", "")), float(vb.replace(",", ""))
        short = significant(va) < 15 and significant(vb) < 15
        if abs(x - y) > rel * max(abs(x), abs(y)) or (short and form(va) != form(vb)):
            print("numdiff: %s versus %s" % (va, vb))
            return 1
    return 0


sys.exit(main())
