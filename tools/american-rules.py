#!/usr/bin/env python3
"""Writes src/american-rules.c: the theta quadrature rules of the American pricer's light and
default schemes (src/american.c's theta_rule: Gauss-Legendre on [0, pi/2] for
u = tau sin^2 theta), as constant tables, so that a price does not spend a fifth of its time
finding Gauss-Legendre nodes. The nodes are found as src/american.c finds them at run time (Newton on P_n from
Tricomi's guess, A&S 22.16.6), in doubles; tests/test-american.c holds every table against the
run-time rule.

    tools/american-rules.py > src/american-rules.c && tools/format
"""
import math
import sys

SIZES = (12, 16, 24, 48, 64, 128)  # the l and p of the light, default and wide schemes, and AM_NEAR_POINTS


def legendre(n, z):
    p0, p1 = 1.0, z
    for j in range(2, n + 1):
        p0, p1 = p1, ((2 * j - 1) * z * p1 - (j - 1) * p0) / j
    return p1, n * (z * p1 - p0) / (z * z - 1)


def rule(n):
    x, w = [0.0] * n, [0.0] * n
    for i in range((n + 1) // 2):
        z = math.cos(math.pi * (i + 0.75) / (n + 0.5))
        for _ in range(4):
            p, dp = legendre(n, z)
            z -= p / dp
        _, dp = legendre(n, z)
        wi = 2 / ((1 - z * z) * dp * dp)
        x[i], w[i], x[n - 1 - i], w[n - 1 - i] = z, wi, -z, wi
    if n % 2 == 1:
        x[n // 2] = 0.0
    s, c, ww, ws = [], [], [], []
    for i in range(n):
        th = math.pi / 4 * (1 + x[i])
        s.append(math.sin(th))
        c.append(math.cos(th))
        ww.append(math.pi / 4 * w[i] * 2 * s[-1] * c[-1])
        ws.append(math.pi / 4 * w[i] * 2 * s[-1])
    return s, c, ww, ws


def array(name, values):
    body = ",\n    ".join(", ".join(repr(v) for v in values[i:i + 3])
                          for i in range(0, len(values), 3))
    return f"static const double {name}[] = {{\n    {body}}};\n"


def main():
    out = sys.stdout
    out.write("/*\n * The theta quadrature rules of the American pricer's schemes, as "
              "constants\n * (written by tools/american-rules.py; do not edit).\n */\n"
              "#include \"american-internal.h\"\n\n")
    for n in SIZES:
        for name, values in zip(("s", "c", "w", "ws"), rule(n)):
            out.write(array(f"rule{n}_{name}", values))
        out.write("\n")
    out.write("const gex__am_rule_table gex__am_rule_tables[] = {\n")
    for n in SIZES:
        out.write(f"    {{{n}, rule{n}_s, rule{n}_c, rule{n}_w, rule{n}_ws}},\n")
    out.write("};\n")
    out.write("const int gex__am_rule_table_count =\n"
              "    (int)(sizeof gex__am_rule_tables / sizeof gex__am_rule_tables[0]);\n")


if __name__ == "__main__":
    main()
