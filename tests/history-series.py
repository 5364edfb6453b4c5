#!/usr/bin/env python3
"""gex history over a generated folder of daily files (bench/gen-chain --days), against an
independent computation of the series measures in Python (numpy when installed, else the
standard library's statistics module: neither shares code with gex), and the store (its refusal
of a corrupt store, of another schema's and of a database of other tables included),
duplicate, bad-file and undated-file behaviour of README "History".

The closes: the last snapshot of each New York date (here one a day, 15:45). RV_N: sample
standard deviation of the last N log returns, times sqrt(252), in percent. vrp_N = atm_iv - RV_N;
variance_risk_premium = (atm_iv/100)^2 - (rv_20d/100)^2; z-score and percentile of vrp_20d over
the previous (up to) 60 trading days that have one, null below 5 (SPEC 6.3).

Tolerance: 1e-9 relative (and 1e-9 absolute near zero): the two sides sum the same returns in
different orders and formulas (one-pass here, two-pass in gex), a few ulps of each return.

Usage: history-series.py GEX GEN_CHAIN [SHARED_DIR]
"""

import csv
import datetime
import io
import json
import math
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

try:
    import numpy

    def stdev(x):
        return float(numpy.std(numpy.array(x, dtype=float), ddof=1))

    def mean(x):
        return float(numpy.mean(numpy.array(x, dtype=float)))

    SOURCE = "numpy"
except ImportError:  # the standard library's, exact rational arithmetic inside
    import statistics

    def stdev(x):
        return statistics.stdev(x)

    def mean(x):
        return statistics.fmean(x)

    SOURCE = "statistics"

DAYS = 64
SYMBOLS = "SPX,SPY,QQQ"
WINDOWS = (5, 10, 20, 30)
REL = 1e-9

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(a, b, what):
    if a is None or b is None:
        check(a is None and b is None, f"{what}: {a} vs {b}")
        return
    check(abs(a - b) <= REL * max(1.0, abs(a), abs(b)), f"{what}: gex {a!r}, truth {b!r}")


def num(s):
    return None if s == "" else float(s)


def run(gex, args, expect=(0,)):
    p = subprocess.run([gex] + args, capture_output=True, text=True)
    check(p.returncode in expect, f"gex {' '.join(args)}: exit {p.returncode}, stderr {p.stderr}")
    return p


def rows_of(gex, args, expect=(0,)):
    p = run(gex, ["history", "--format", "csv"] + args, expect)
    check("nan" not in p.stdout.lower() and "inf" not in p.stdout.lower(), "nan or inf in output")
    return list(csv.DictReader(io.StringIO(p.stdout))), p


def meta_of(gex, args, expect=(0,)):
    p = run(gex, ["history", "--format", "json"] + args, expect)
    return json.loads(p.stdout)["meta"], p


def check_series(rows):
    by = {}
    for r in rows:
        by.setdefault(r["symbol"], []).append(r)
    check(sorted(by) == sorted(SYMBOLS.split(",")), f"symbols {sorted(by)}")
    for sym, series in by.items():
        check(len(series) == DAYS, f"{sym}: {len(series)} rows, not {DAYS}")
        spots = [float(r["spot"]) for r in series]
        vrp20 = []
        for i, r in enumerate(series):
            rets = [math.log(spots[j] / spots[j - 1]) for j in range(1, i + 1)]
            atm = num(r["atm_iv"])
            check(atm is not None and 3 < atm < 80, f"{sym} {r['as_of']}: atm_iv {atm}")
            for n in WINDOWS:
                rv = 100 * stdev(rets[-n:]) * math.sqrt(252) if i >= n else None
                close(num(r[f"rv_{n}d"]), rv, f"{sym} {r['as_of']} rv_{n}d")
                close(num(r[f"vrp_{n}d"]), None if rv is None else atm - rv,
                      f"{sym} {r['as_of']} vrp_{n}d")
            rv20 = num(r["rv_20d"])
            close(num(r["variance_risk_premium"]),
                  None if rv20 is None else (atm / 100) ** 2 - (rv20 / 100) ** 2,
                  f"{sym} {r['as_of']} variance_risk_premium")
            v = num(r["vrp_20d"])
            prior = [x for x in vrp20[-60:] if x is not None]
            check(int(r["history_days"]) == len(prior), f"{sym} {r['as_of']} history_days")
            if v is not None and len(prior) >= 5:
                close(num(r["z_score"]), (v - mean(prior)) / stdev(prior), f"{sym} z_score")
                close(num(r["percentile"]), 100 * sum(x <= v for x in prior) / len(prior),
                      f"{sym} percentile")
            else:
                check(r["z_score"] == "" and r["percentile"] == "", f"{sym} z-score too early")
            vrp20.append(v)
            if i == 0:
                check(r["call_oi_change"] == "", f"{sym}: first call_oi_change")
            else:
                close(num(r["call_oi_change"]),
                      float(r["call_oi"]) - float(series[i - 1]["call_oi"]), f"{sym} oi change")
                close(num(r["put_oi_change"]),
                      float(r["put_oi"]) - float(series[i - 1]["put_oi"]), f"{sym} oi change")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    gex, gen = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else None
    tmp = tempfile.mkdtemp(prefix="gex-history.")
    try:
        d = os.path.join(tmp, "chains")
        os.mkdir(d)
        subprocess.run([gen, "--days", str(DAYS), "--dir", d, "--symbols", SYMBOLS,
                        "--start", "2025-03-03"], check=True, capture_output=True)
        n_files = DAYS * len(SYMBOLS.split(","))

        # A cold run: every file read; rows in time order, then the measures.
        meta, _ = meta_of(gex, [d, "--jobs", "2"])
        check(meta["files_read"] == n_files and meta["files_from_store"] == 0, f"cold {meta}")
        check(os.path.exists(os.path.join(d, ".gex-history.sqlite")), "store not created")
        rows, _ = rows_of(gex, [d])
        check(len(rows) == n_files, f"{len(rows)} rows, not {n_files}")
        times = [r["as_of"] for r in rows]
        check(times == sorted(times), "rows not in time order")
        check_series(rows)

        # Warm: nothing read, the same bytes; a touched file is read again, alone.
        meta, _ = meta_of(gex, [d])
        check(meta["files_read"] == 0 and meta["files_from_store"] == n_files, f"warm {meta}")
        warm, _ = rows_of(gex, [d, "--jobs", "1"])
        check(warm == rows, "the store's rows differ from the files'")
        os.utime(os.path.join(d, "SPY_2025-03-05.csv"))
        meta, _ = meta_of(gex, [d])
        check(meta["files_read"] == 1, f"after touching one file: {meta}")
        # The store keys files by their canonical path (the folder's realpath and the name, or
        # the file's own for a symbolic link): the same files reached through a link to the
        # folder, a relative path with "..", or links to the files are all found in it.
        link = os.path.join(tmp, "linked")
        os.symlink(d, link)
        meta, _ = meta_of(gex, [link + "/", "--db", os.path.join(d, ".gex-history.sqlite")])
        check(meta["files_read"] == 0 and meta["files_from_store"] == n_files,
              f"through a link to the folder: {meta}")
        rel = os.path.relpath(d, os.getcwd())
        one = os.path.join(rel, "..", "chains", "SPX_2025-03-10.csv")
        flink = os.path.join(tmp, "spx-link.csv")
        os.symlink(os.path.join(d, "SPX_2025-03-10.csv"), flink)
        meta, _ = meta_of(gex, [one, flink, "--db", os.path.join(d, ".gex-history.sqlite")])
        check(meta["files_read"] == 0 and meta["files_from_store"] == 2,
              f"a relative path with '..' and a link to a file: {meta}")
        os.remove(flink)
        os.remove(link)
        # Other options, other snapshots: not taken from the store.
        meta, _ = meta_of(gex, [d, "--min-oi", "10"])
        check(meta["files_read"] == n_files, f"--min-oi: {meta}")

        # --symbol, --from, --to: rows selected after the measures, which stay those of the
        # whole series.
        sel, _ = rows_of(gex, [d, "--symbol", "qqq", "--from", "2025-04-01", "--to",
                               "2025-04-30"])
        want = [r for r in rows if r["symbol"] == "QQQ" and "2025-04-01" <= r["as_of"][:10]
                <= "2025-04-30"]
        check(sel == want and len(sel) == 22, f"--symbol/--from/--to: {len(sel)} rows")

        # --symbol selects the rows and messages, never what the store keeps: a file of two
        # underlyings read for one is stored whole, and the other is then taken from the store.
        both = os.path.join(tmp, "both")
        os.mkdir(both)
        with open(os.path.join(both, "SPX_SPY.csv"), "w") as g:
            for k, name in enumerate(["SPX_2025-03-10.csv", "SPY_2025-03-10.csv"]):
                with open(os.path.join(d, name)) as f:
                    g.writelines(f.readlines()[k:])  # the header once
        one, _ = rows_of(gex, [both, "--symbol", "spx"])
        check([r["symbol"] for r in one] == ["SPX"], f"--symbol spx of two: {one}")
        meta, _ = meta_of(gex, [both, "--symbol", "SPY"])
        check(meta["files_read"] == 0 and meta["files_from_store"] == 1,
              f"the other underlying not taken from the store: {meta}")
        # and says what a read of it for SPY says (SPY's warnings, not SPX's)
        other, p = rows_of(gex, [both, "--symbol", "SPY"])
        _, fresh = rows_of(gex, [both, "--symbol", "SPY", "--no-db"])
        check([r["symbol"] for r in other] == ["SPY"] and p.stderr == fresh.stderr and
              "warning: SPX" not in p.stderr, f"--symbol SPY from the store: {other} {p.stderr}")
        _, p = rows_of(gex, [both, "--symbol", "NDX"], expect=(3,))
        check("no file read holds NDX" in p.stderr, f"an unknown --symbol: {p.stderr}")

        # A file of two snapshots (SPEC 2.9): a row each, kept in the store; --at reads one, and
        # is part of the store's key (a run without it is not answered from --at's).
        snaps = os.path.join(tmp, "snaps")
        os.mkdir(snaps)
        with open(os.path.join(d, "SPY_2025-03-10.csv")) as f:
            lines = f.readlines()
        late = lines[1].rstrip("\n").rsplit(",", 1)[1]
        early = (datetime.datetime.fromisoformat(late.replace("Z", "+00:00")) -
                 datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(os.path.join(snaps, "SPY_two.csv"), "w") as g:
            g.writelines(lines)
            g.writelines(line.replace(late, early) for line in lines[1:])
        at, _ = rows_of(gex, [snaps, "--at", early])
        check([r["as_of"] for r in at] == [early], f"--at: {[r['as_of'] for r in at]}")
        two, _ = rows_of(gex, [snaps])
        check([r["as_of"] for r in two] == [early, late], f"two snapshots: {two}")
        meta, _ = meta_of(gex, [snaps])
        check(meta["files_read"] == 0 and meta["files_from_store"] == 1, f"warm snapshots: {meta}")

        # A duplicate: the same underlying and instant in a newer file wins, with a warning.
        dup = os.path.join(d, "SPX_copy.csv")
        shutil.copy(os.path.join(d, "SPX_2025-03-10.csv"), dup)
        later = os.stat(os.path.join(d, "SPX_2025-03-10.csv")).st_mtime + 60
        os.utime(dup, (later, later))
        dr, p = rows_of(gex, [d])
        check(len(dr) == n_files, "a duplicate added a row")
        check("SPX_2025-03-10.csv" in p.stderr and "SPX_copy.csv" in p.stderr, "no warning")
        check([r["file"] for r in dr if r["as_of"].startswith("2025-03-10") and
               r["symbol"] == "SPX"] == [dup], "the newer file did not win")
        os.remove(dup)

        # Every option that changes the numbers keys the store: after a run with a filter, a
        # run without it (and the filter's again) gives what --no-db gives, never the other
        # run's snapshots (--min-bid, --max-delta and --exclude-expiration were left out).
        for opts in (["--min-bid", "5"], ["--max-delta", "0.5"], ["--exclude-expiration", "0dte"]):
            with_opt, _ = rows_of(gex, [d] + opts)
            plain, _ = rows_of(gex, [d])
            check(plain == rows_of(gex, [d, "--no-db"])[0],
                  f"after {' '.join(opts)} the store answered the run without it")
            check(with_opt == rows_of(gex, [d, "--no-db"] + opts)[0],
                  f"{' '.join(opts)}: the store's rows differ from --no-db's")
            check(with_opt != plain, f"{' '.join(opts)} changed nothing: not a test")

        # Snapshot rows deleted from the store by hand (the manual points to sqlite3 and
        # pandas), or their table dropped: those files are read again, never answered with no
        # rows.
        base, _ = rows_of(gex, [d])
        db = os.path.join(d, ".gex-history.sqlite")
        for sql, what in (("DELETE FROM gex_snapshots WHERE rowid % 3 = 0",
                           "rows deleted from the store went missing from the output"),
                          ("DROP TABLE gex_snapshots",
                           "a dropped snapshot table emptied the output")):
            con = sqlite3.connect(db)
            con.execute(sql)
            con.commit()
            con.close()
            again, _ = rows_of(gex, [d])
            check(again == base, what)

        # The same file named twice (its folder and itself): one snapshot, no warning of a
        # newer file.
        one = os.path.join(d, sorted(x for x in os.listdir(d) if x.endswith(".csv"))[0])
        twice, p = rows_of(gex, [d, one])
        check(twice == base and "newer file" not in p.stderr,
              f"a file named twice was a duplicate of itself: {p.stderr.strip()}")

        # A file that cannot be read: said with its path, the others go on, exit status 3.
        bad = os.path.join(d, "SPY_bad.csv")
        with open(bad, "w") as f:
            f.write("not,a,chain\n1,2,3\n")
        br, p = rows_of(gex, [d], expect=(3,))
        check(len(br) == n_files and bad in p.stderr, "a bad file stopped the others")
        # and the history chart of the others is drawn and kept (-o), with exit status 3
        chart = os.path.join(tmp, "with-bad.svg")
        p = run(gex, ["plot", "--kind", "history", "--symbol", "SPX", "-o", chart, d],
                expect=(3,))
        check(os.path.exists(chart) and bad in p.stderr and "wrote" in p.stderr,
              f"the history chart beside a bad file was not kept: {p.stderr.strip()}")
        if os.path.exists(chart):
            with open(chart) as f:
                check(f.read().rstrip().endswith("</svg>"), "the kept chart is not whole")
        os.remove(bad)

        # A file without a quote instant: refused, unless --now-from-mtime dates it.
        undated = os.path.join(tmp, "undated")
        os.mkdir(undated)
        src = os.path.join(d, "SPY_2025-03-05.csv")
        with open(src) as f, open(os.path.join(undated, "SPY.csv"), "w") as g:
            for line in f:
                g.write(line.rsplit(",", 1)[0] + "\n")
        stamp = 1741291200  # 2025-03-06T20:00:00Z
        os.utime(os.path.join(undated, "SPY.csv"), (stamp, stamp))
        _, p = rows_of(gex, [undated, "--no-db"], expect=(3,))
        check("--now-from-mtime" in p.stderr, "undated file not refused")
        ur, _ = rows_of(gex, [undated, "--no-db", "--now-from-mtime"])
        check(len(ur) == 1 and ur[0]["as_of"] == "2025-03-06T20:00:00Z", f"mtime: {ur}")

        # gex plot --kind history: one underlying's chart from the same rows.
        svg = os.path.join(tmp, "spx.svg")
        p = run(gex, ["plot", "--kind", "history", "-o", svg, d], expect=(2,))
        check("--symbol" in p.stderr, "plot history over several underlyings not refused")
        run(gex, ["plot", "--kind", "history", "--symbol", "SPX", "-o", svg, d])
        with open(svg) as f:
            check("<svg" in f.read(), "plot --kind history wrote no SVG")

        # A store of another schema, and an SQLite database of other tables, are errors that
        # say so (exit status 4), never rows, and are left as they were.
        newer = os.path.join(tmp, "newer.sqlite")
        shutil.copy(os.path.join(d, ".gex-history.sqlite"), newer)
        con = sqlite3.connect(newer)
        con.execute("UPDATE gex_meta SET value = '9' WHERE key = 'schema'")
        con.commit()
        con.close()
        other = os.path.join(tmp, "other.sqlite")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE prices (day TEXT, close REAL)")
        con.commit()
        con.close()
        for path, words in ((newer, "has schema 9, this gex reads schema 4"),
                            (other, "not a gex history store")):
            with open(path, "rb") as f:
                before = f.read()
            p = run(gex, ["history", "--db", path, d], expect=(4,))
            with open(path, "rb") as f:
                check(f.read() == before, f"{path} was changed")
            check(words in p.stderr and p.stdout == "", f"{path}: {p.stderr.strip()}")

        # --db naming a folder says so (not SQLite's "unable to open database file"); --db
        # naming a chain file says it is not a store and never advises moving it away.
        p = run(gex, ["history", "--db", tmp, d], expect=(4,))
        check("--db names a folder" in p.stderr and p.stdout == "", f"--db a folder: {p.stderr}")
        chain = os.path.join(d, "SPX_2025-03-10.csv")
        with open(chain, "rb") as f:
            before = f.read()
        p = run(gex, ["history", "--db", chain, d], expect=(4,))
        with open(chain, "rb") as f:
            check(f.read() == before, "--db a chain: the chain was changed")
        check("not an SQLite database, so not a gex history store" in p.stderr and
              "move it away" not in p.stderr and p.stdout == "", f"--db a chain: {p.stderr}")

        # A store the disk refuses to write (a file size limit of 512 bytes, below the journal's
        # first page, stands for a full disk): rolled back with one warning naming the store
        # and what to do, the rows printed as --no-db prints them, exit status 0, the store as
        # it was and usable.
        full = os.path.join(tmp, "full.sqlite")
        run(gex, ["history", "--db", full, one])

        def limited():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

        p = subprocess.run([gex, "history", "--format", "csv", "--db", full, d],
                           capture_output=True, text=True, preexec_fn=limited)
        nodb, _ = rows_of(gex, [d, "--no-db"])
        check(p.returncode == 0 and list(csv.DictReader(io.StringIO(p.stdout))) == nodb,
              f"a store the disk refuses: exit {p.returncode}, {p.stderr}")
        check(p.stderr.count("the history store cannot be written") == 1 and
              full + ": warning:" in p.stderr and "--no-db" in p.stderr,
              f"a store the disk refuses: {p.stderr}")
        meta, _ = meta_of(gex, ["--db", full, d])
        check(meta["files_from_store"] == 1 and meta["files_read"] == n_files - 1,
              f"the refused store afterwards: {meta}")

        # A store of schema 1 (a file's snapshots keyed by underlying alone, and its options
        # key without --at) is upgraded in place and emptied, with a warning: its rows could
        # hold one snapshot of a file read with --at under a key without it. Every file is
        # read again once, then taken from the store.
        old = os.path.join(tmp, "old.sqlite")
        shutil.copy(os.path.join(d, ".gex-history.sqlite"), old)
        con = sqlite3.connect(old)
        cols = [r[1] for r in con.execute("PRAGMA table_info(gex_snapshots)")]
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'gex_snapshots'").fetchone()
        con.executescript(
            "ALTER TABLE gex_snapshots RENAME TO s2;" +
            sql[0].replace("PRIMARY KEY (file_id, symbol, quote_time)",
                           "PRIMARY KEY (file_id, symbol)") + ";" +
            f"INSERT INTO gex_snapshots SELECT {', '.join(cols)} FROM s2; DROP TABLE s2;" +
            "UPDATE gex_files SET options = replace(options, ' at=-1 ', ' ');" +
            "UPDATE gex_meta SET value = '1' WHERE key = 'schema';")
        kept = con.execute("SELECT COUNT(*) FROM gex_snapshots").fetchone()[0]
        con.close()
        check("quote_time)" in sql[0], f"schema 4's key: {sql[0]}")
        check(kept > 0, "no rows in the schema 1 store")
        p = subprocess.run([gex, "history", "--format", "json", "--db", old, d],
                           capture_output=True, text=True)
        meta = json.loads(p.stdout)["meta"]
        check(p.returncode == 0 and meta["files_read"] == n_files and
              meta["files_from_store"] == 0 and "older gex (schema 1" in p.stderr,
              f"a schema 1 store used as it was: {meta} {p.stderr}")
        con = sqlite3.connect(old)
        check(con.execute("SELECT value FROM gex_meta WHERE key = 'schema'").fetchone()[0] == "4"
              and con.execute("SELECT COUNT(*) FROM gex_snapshots").fetchone()[0] > 0 and
              con.execute("SELECT COUNT(*) FROM gex_files WHERE options NOT LIKE '% at=-1 %'")
              .fetchone()[0] == 0,
              "a schema 1 store not upgraded, or its old rows kept beside the new")
        con.close()
        meta, _ = meta_of(gex, ["--db", old, d])
        check(meta["files_read"] == 0 and meta["files_from_store"] == n_files,
              f"the upgraded store not used: {meta}")

        # A store of schema 2 (no currency: an NSE file's amounts kept as if in dollars) is
        # upgraded and emptied the same way.
        two = os.path.join(tmp, "two.sqlite")
        shutil.copy(old, two)
        con = sqlite3.connect(two)
        con.executescript("ALTER TABLE gex_snapshots DROP COLUMN currency;"
                          "UPDATE gex_meta SET value = '2' WHERE key = 'schema';")
        con.close()
        p = subprocess.run([gex, "history", "--format", "json", "--db", two, d],
                           capture_output=True, text=True)
        meta = json.loads(p.stdout)["meta"]
        check(p.returncode == 0 and meta["files_read"] == n_files and
              meta["files_from_store"] == 0 and "older gex (schema 2" in p.stderr and
              "currency" in p.stderr, f"a schema 2 store used as it was: {meta} {p.stderr}")
        con = sqlite3.connect(two)
        check(con.execute("SELECT value FROM gex_meta WHERE key = 'schema'").fetchone()[0] == "4"
              and "currency" in [r[1] for r in con.execute("PRAGMA table_info(gex_snapshots)")],
              "a schema 2 store not upgraded")
        con.close()

        # A store of schema 3 (no messages: a run from it said nothing of a file's skipped
        # rows) is upgraded and emptied the same way.
        three = os.path.join(tmp, "three.sqlite")
        shutil.copy(old, three)
        con = sqlite3.connect(three)
        con.executescript("DROP TABLE gex_messages;"
                          "UPDATE gex_meta SET value = '3' WHERE key = 'schema';")
        con.close()
        p = subprocess.run([gex, "history", "--format", "json", "--db", three, d],
                           capture_output=True, text=True)
        meta = json.loads(p.stdout)["meta"]
        check(p.returncode == 0 and meta["files_read"] == n_files and
              meta["files_from_store"] == 0 and "older gex (schema 3" in p.stderr and
              "skipped rows" in p.stderr, f"a schema 3 store used as it was: {meta} {p.stderr}")
        con = sqlite3.connect(three)
        check(con.execute("SELECT value FROM gex_meta WHERE key = 'schema'").fetchone()[0] == "4"
              and con.execute("SELECT COUNT(*) FROM gex_files").fetchone()[0] == n_files,
              "a schema 3 store not upgraded")
        con.close()

        # What the read of a file said (its skipped rows, the reader's warnings) is said again,
        # in the same order and form, by a run that takes its snapshots from the store, naming
        # the file as that run was given it; --symbol of another underlying hides it, as it
        # does on a read, and --quiet keeps its own (a run without it says the warnings).
        said = os.path.join(tmp, "said")
        os.mkdir(said)
        for name in sorted(x for x in os.listdir(d) if x.startswith("SPY_"))[:3]:
            shutil.copy(os.path.join(d, name), said)
        spoilt = os.path.join(said, sorted(os.listdir(said))[1])
        with open(spoilt) as f:
            lines = f.readlines()
        lines[3] = lines[3].replace(",C,", ",Z,", 1)
        with open(spoilt, "w") as f:
            f.writelines(lines)
        first = run(gex, ["history", "--format", "csv", said])
        check("skipped 1 of" in first.stderr and spoilt + ":4:" in first.stderr,
              f"the first run did not say the skipped row: {first.stderr!r}")
        again = run(gex, ["history", "--format", "csv", said])
        meta, _ = meta_of(gex, [said])
        check(meta["files_from_store"] == 3 and again.stderr == first.stderr and
              again.stdout == first.stdout,
              f"a run from the store said otherwise: {first.stderr!r} then {again.stderr!r}")
        dotted = run(gex, ["history", "--format", "csv", said + "/./"])
        check(dotted.stderr == first.stderr.replace(said + "/", said + "/./"),
              f"the stored message names the file as the first run did: {dotted.stderr!r}")
        other = run(gex, ["history", "--format", "csv", "--symbol", "QQQ", said], expect=(3,))
        check("skipped" not in other.stderr, f"--symbol QQQ said SPY's rows: {other.stderr!r}")
        quiet = run(gex, ["history", "--quiet", "--format", "csv", said])
        loud = "".join(x for x in first.stderr.splitlines(True) if ": warning: " not in x)
        check(quiet.stderr == loud and "skipped 1 of" in loud,
              f"--quiet said otherwise: {quiet.stderr!r}")
        again = run(gex, ["history", "--format", "csv", said])
        check(again.stderr == first.stderr, f"after --quiet: {again.stderr!r}")

        # Rows are keyed by gex's build (its version and the library's build ID), not the
        # version alone, which stays the same through changes to the numbers: rows of another
        # build of the same version are read again, never used.
        con = sqlite3.connect(old)
        keys = sorted({r[0] for r in con.execute("SELECT gex_version FROM gex_files")})
        check(len(keys) == 1 and re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{16,128}", keys[0]),
              f"the store's rows are not keyed by a build ID: {keys}")
        version = keys[0].split("+")[0] if keys else ""
        con.execute("UPDATE gex_files SET gex_version = ?", (version + "+00ff00ff00ff00ff",))
        con.commit()
        con.close()
        meta, _ = meta_of(gex, ["--db", old, d])
        check(meta["files_read"] == n_files and meta["files_from_store"] == 0,
              f"rows of another build of gex {version} used: {meta}")

        # A corrupt store is an error that says so, never rows.
        with open(os.path.join(d, ".gex-history.sqlite"), "r+b") as f:
            f.seek(0)
            f.write(b"this is not SQLite at all" * 40)
        p = run(gex, ["history", d], expect=(4,))
        check("corrupt" in p.stderr and p.stdout == "", "a corrupt store was not refused")

        # gex screen over the same folder: one row per file, with the instant and the file.
        p = run(gex, ["screen", "--format", "csv", d])
        srows = list(csv.DictReader(io.StringIO(p.stdout)))
        check(len(srows) == n_files and srows[0]["as_of"] and srows[0]["file"].startswith(d),
              "screen over a folder")

        # The real chains, where present: every file placed or refused with its reason.
        if shared and os.path.isdir(os.path.join(shared, "chains")):
            sr, p = rows_of(gex, [os.path.join(shared, "chains"), "--no-db"], expect=(0, 3))
            check(len(sr) >= 5, f"real chains: {len(sr)} rows")
        else:
            print("skipped: ../shared absent (the real chains)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"history-series: {len(failures)} failures (truth from {SOURCE})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
