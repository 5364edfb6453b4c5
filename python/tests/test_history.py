"""gex history in Python (gex.history, gex.history_dask): the rows equal the gex program's
`gex history --format json` on a generated folder of daily files (two underlyings, eight
trading days, so that the 5-day realized volatility and the open interest changes have values),
with a duplicate snapshot in a newer file and, in another test, a file gex refuses; and the Dask
run on a local cluster of two worker processes equals the single-process run. The program is the
independent reference: it computes the same rows through its own reading, threads and merge.
"""
import datetime
import importlib.util
import json
import math
import os
import shutil
import subprocess
import warnings

import pytest

import gex


def said(text):
    """The program's messages as the package says them: the options they name as its keywords
    (gex.Error's words, tested in test_gex.py's test_error_keywords)."""
    return "".join(gex._gex.python_words(line) + "\n" for line in text.splitlines())


def cli_history(exe, *args):
    """(exit status, rows, stderr in the package's words) of gex history."""
    p = subprocess.run([exe, "history", "--no-db", "--format", "json", *args],
                       capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout)["history"] if p.stdout else None, said(p.stderr)


def same(v, w):
    if v is None:
        return w is None or (isinstance(w, float) and math.isnan(w))
    return v == w


def assert_rows_equal(ref, table):
    """ref: the program's JSON rows; table: a DataFrame (or rows) of the package."""
    got = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert len(got) == len(ref)
    for r, g in zip(ref, got):
        assert list(g.keys()) == list(r.keys())
        for k, v in r.items():
            assert same(v, g[k]), (r["symbol"], r["as_of"], k, v, g[k])


@pytest.fixture(scope="module")
def days(gen_chain, tmp_path_factory):
    """Eight weekdays of SPY and QQQ files, and a copy of one SPY day under a later name,
    modified a second later: its snapshot wins over the original's (the newer file)."""
    d = tmp_path_factory.mktemp("days")
    subprocess.run([gen_chain, "--days", "8", "--dir", str(d), "--symbols", "SPY,QQQ"],
                   check=True, capture_output=True)
    src = d / "SPY_2026-01-07.csv"
    dup = d / "ZZ_copy_of_SPY_2026-01-07.csv"
    shutil.copyfile(src, dup)
    t = os.stat(src).st_mtime + 1
    os.utime(dup, (t, t))
    return str(d)


def test_history_equals_program(gex_exe, days):
    rc, ref, err = cli_history(gex_exe, days)
    assert rc == 0, err
    assert len(ref) == 16  # 8 days x 2 underlyings, the duplicate left out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = gex.history(days, jobs=2)
    assert_rows_equal(ref, table)
    # the duplicate: the same warning as the program's, and the newer file's row kept
    assert any("is also in" in str(w.message) and "ZZ_copy_of_SPY" in str(w.message)
               for w in caught)
    assert "also in" in err
    assert any(r["file"].endswith("ZZ_copy_of_SPY_2026-01-07.csv") for r in ref)
    # the measures have values from the sixth day (rv_5d) and the second (oi changes)
    assert ref[-1]["rv_5d"] is not None and ref[2]["call_oi_change"] is not None


def test_history_symbol_and_range(gex_exe, days):
    rc, ref, err = cli_history(gex_exe, days, "--symbol", "qqq", "--from", "2026-01-08",
                               "--to", "2026-01-13")
    assert rc == 0, err
    assert 0 < len(ref) < 8
    table = gex.history(days, symbol="qqq", start="2026-01-08", end="2026-01-13")
    assert_rows_equal(ref, table)


def test_history_start_after_end_refused(gex_exe, days, tmp_path):
    """start after end is refused (ValueError), as the command refuses --from after --to
    (exit 2), before any file is read; not an empty table. One day is no such range."""
    rc, _, err = cli_history(gex_exe, days, "--from", "2026-01-13", "--to", "2026-01-08")
    assert rc == 2 and "--from is after --to" in err
    with pytest.raises(ValueError, match="start '2026-01-13' is after end '2026-01-08'"):
        gex.history(days, start="2026-01-13", end="2026-01-08")
    with pytest.raises(ValueError, match="is after end"):  # before the missing file is read
        gex.history(str(tmp_path / "missing.csv"), start="2026-01-13", end="2026-01-08")
    snaps = gex.file_snapshots(os.path.join(days, sorted(os.listdir(days))[0]))
    with pytest.raises(ValueError, match="is after end"):
        gex.history_rows(snaps, start=1767800000, end=1767700000)
    rc, ref, err = cli_history(gex_exe, days, "--from", "2026-01-08", "--to", "2026-01-08")
    assert rc == 0, err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate's, said in test_history_equals_program
        table = gex.history(days, start="2026-01-08", end="2026-01-08")
    assert_rows_equal(ref, table)


def test_history_unknown_symbol_same_message(gex_exe, days):
    rc, ref, err = cli_history(gex_exe, days, "--symbol", "NOPE")
    assert rc == 3 and ref == []
    with pytest.raises(gex.Error) as e:
        gex.history(days, symbol="NOPE")
    assert "gex: " + str(e.value) in err.splitlines()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(gex.history(days, symbol="NOPE", errors="warn")) == 0
    assert any("no file read holds NOPE" in str(w.message) for w in caught)


def test_history_bad_file_same_message(gex_exe, days, tmp_path):
    d = tmp_path / "mixed"
    shutil.copytree(days, d)
    (d / "broken.csv").write_text("this is no chain\n1,2,3\n")
    rc, ref, err = cli_history(gex_exe, str(d))
    assert rc == 3
    with pytest.raises(gex.Error) as e:
        gex.history(str(d))
    assert "gex: " + str(e.value) in err.splitlines()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(str(d), errors="warn"))


def write_chain(path, blocks):
    """A long CSV of blocks (underlying, open interest, spot or "", quote instant), each the
    calls and puts of strikes 90 to 110 of one expiration."""
    rows = ["underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
            "quote_time"]
    for u, oi, spot, quoted in blocks:
        for k in range(90, 111, 5):
            for t in "CP":
                rows.append(f"{u},2026-12-18,{k},{t},1.0,1.2,0.25,{oi},{spot},{quoted}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_history_underlying_without_open_interest(gex_exe, tmp_path):
    """A file of two underlyings, one of whose contracts all have zero open interest: the
    program refuses that underlying alone (exit 3) and gives the other's row; so does the
    package with errors="warn", and errors="raise" raises the program's message."""
    path = write_chain(tmp_path / "two.csv",
                       [(u, oi, 100, "2026-12-04T20:00:00Z") for u, oi in (("ABC", 100), ("XYZ", 0))])
    rc, ref, err = cli_history(gex_exe, str(path))
    assert rc == 3 and [r["symbol"] for r in ref] == ["ABC"], err
    assert "XYZ whose 10 contracts all have zero open interest" in err
    with pytest.raises(gex.Error) as e:
        gex.history(str(path))
    assert "gex: " + str(e.value) in err.splitlines(), (str(e.value), err)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(str(path), errors="warn"))
    assert any("XYZ whose 10 contracts" in str(w.message) for w in caught)


def test_history_underlying_without_spot(gex_exe, tmp_path):
    """A file of three underlyings, the middle one's rows without a spot: the program refuses
    that underlying alone at its first row (exit 3) and gives the others' rows; so does the
    package with errors="warn", and errors="raise" raises the program's message."""
    path = write_chain(tmp_path / "three.csv",
                       [(u, 100, spot, "2026-12-04T20:00:00Z")
                        for u, spot in (("ABC", 100), ("LMN", ""), ("XYZ", 100))])
    rc, ref, err = cli_history(gex_exe, str(path))
    assert rc == 3 and [r["symbol"] for r in ref] == ["ABC", "XYZ"], err
    assert "three.csv:12: LMN: the file gives no spot price for LMN" in err
    with pytest.raises(gex.Error) as e:
        gex.history(str(path))
    assert "gex: " + str(e.value) in err.splitlines(), (str(e.value), err)
    assert e.value.line == 12
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(str(path), errors="warn"))
    assert any("no spot price for LMN" in str(w.message) for w in caught)


def test_history_nothing_usable_refused(gex_exe, tmp_path):
    """A file whose every contract has neither an IV nor a quote: its exposures are unknown,
    not zero. The program refuses it (exit 3, "nothing usable") and gives the other file's
    row; so does the package with errors="warn", and errors="raise" raises its message."""
    good = write_chain(tmp_path / "good.csv", [("ABC", 100, 100, "2026-12-03T20:00:00Z")])
    bad = tmp_path / "bad.csv"
    bad.write_text(write_chain(tmp_path / "b.tmp", [("ABC", 100, 100, "2026-12-04T20:00:00Z")])
                   .read_text().replace(",1.0,1.2,0.25,", ",0,0,0,"))
    rc, ref, err = cli_history(gex_exe, str(good), str(bad))
    assert rc == 3 and [r["as_of"] for r in ref] == ["2026-12-03T20:00:00Z"], err
    assert "nothing usable" in err
    with pytest.raises(gex.Error) as e:
        gex.history([str(good), str(bad)])
    assert "gex: " + str(e.value) in err.splitlines(), (str(e.value), err)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history([str(good), str(bad)], errors="warn"))
    assert any("nothing usable" in str(w.message) for w in caught)


def test_snapshot_of_nothing_used_refused(gex_exe, root):
    """gex.snapshot of an analysis that used no contract raises the command's gex.Error, whose
    str() is the line gex history prints after "gex: " (with the file's expirations, where
    filters left everything out), as do gex.history and the documents; no row of zeros."""
    path = os.path.join(root, "data", "sample-spx.csv")
    p = subprocess.run([gex_exe, "history", "--no-db", "--min-bid", "1e9", path],
                       capture_output=True, text=True)
    assert p.returncode == 3
    line = next(x for x in said(p.stderr).splitlines() if "nothing usable" in x)
    assert "; the file's expirations (contracts): 2026-11-18 (184), " in line
    a = gex.analyze(gex.read(path).prepare(), min_bid=1e9)
    for call in (lambda: gex.snapshot(a), lambda: gex.history(path, min_bid=1e9),
                 lambda: a.document("summary")):
        with pytest.raises(gex.Error) as e:
            call()
        assert "gex: " + str(e.value) == line
        assert e.value.status == "nothing usable" and e.value.file == path
    # nothing filtered out, everything expired: no expirations to ask for, as the command says
    late = gex.analyze(gex.read(path).prepare(now="2030-01-02 10:00"))
    p = subprocess.run([gex_exe, "summary", "--now", "2030-01-02 10:00", path],
                       capture_output=True, text=True)
    with pytest.raises(gex.Error) as e:
        gex.snapshot(late)
    assert p.returncode == 3 and said(p.stderr).strip() == "gex: " + str(e.value)


def test_history_unreadable_quote_time(gex_exe, tmp_path):
    """A file whose quote time cells cannot be read is refused at the line and value, as the
    command refuses it, with or without now_from_mtime (never dated by its modification time)."""
    path = tmp_path / "bad-time.csv"
    path.write_text(write_chain(tmp_path / "t.tmp", [("ABC", 100, 100, "yesterday")]).read_text())
    rc, ref, err = cli_history(gex_exe, "--now-from-mtime", str(path))
    assert rc == 3 and ref == [] and ':2: the date "yesterday" cannot be read' in err, err
    for mtime in (False, True):
        with pytest.raises(gex.Error) as e:
            gex.history(str(path), now_from_mtime=mtime)
        assert "gex: " + str(e.value) in err.splitlines(), (str(e.value), err)


def test_history_snapshot_refused_alone(gex_exe, tmp_path):
    """A file of two snapshots whose later one gives no spot: the program refuses that
    snapshot alone (exit 3) and gives the earlier one's row; so does the package with
    errors="warn", and errors="raise" raises the program's message. read_snapshots raises."""
    path = write_chain(tmp_path / "snaps.csv", [("ABC", 100, "100", "2026-12-04T15:00:00Z"),
                                                ("ABC", 100, "", "2026-12-04T20:00:00Z")])
    rc, ref, err = cli_history(gex_exe, str(path))
    assert rc == 3 and [r["as_of"] for r in ref] == ["2026-12-04T15:00:00Z"], err
    with pytest.raises(gex.Error) as e:
        gex.history(str(path))
    assert "gex: " + str(e.value) in err.splitlines(), (str(e.value), err)
    assert "gives no spot price for ABC" in str(e.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(str(path), errors="warn"))
    assert any("gives no spot price" in str(w.message) for w in caught)
    with pytest.raises(gex.Error):
        gex.read_snapshots(str(path))


def test_history_failures_named_in_order(gex_exe, tmp_path):
    """A file of two underlyings and two snapshots: the later gives no spot (refused), and one
    underlying of the earlier has no open interest. The program says the refused snapshot, then
    "ABC at INSTANT: ..."; the package's warnings say the same in the same order, the error it
    raises is the first, with its attributes."""
    path = write_chain(tmp_path / "order.csv", [("XYZ", 100, "100", "2026-12-04T16:00:00Z"),
                                                ("ABC", 0, "100", "2026-12-04T16:00:00Z"),
                                                ("XYZ", 100, "", "2026-12-04T18:00:00Z"),
                                                ("ABC", 100, "", "2026-12-04T18:00:00Z")])
    rc, ref, err = cli_history(gex_exe, str(path))
    said = [line for line in err.splitlines() if ": warning: " not in line]
    assert rc == 3 and len(said) == 2, err
    assert "ABC at 2026-12-04T16:00:00Z: the chain of ABC" in said[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(str(path), errors="warn"))
    assert ["gex: " + str(w.message) for w in caught] == said
    with pytest.raises(gex.Error) as e:
        gex.history(str(path))
    assert "gex: " + str(e.value) == said[0]
    assert e.value.line == 1 and e.value.text in said[0] and e.value.status


def test_error_status_is_the_librarys(root, tmp_path):
    """gex.Error.status is the library's name of the status (gex_strerror) whether the error
    comes from the C module or from the package's Python half (gex/_history.py), never a
    vocabulary of its own ("GEX_EINVAL" was)."""
    names = {gex._gex.strerror(getattr(gex._gex, k)) for k in dir(gex._gex)
             if k.startswith("E") and k.isupper()}
    assert {"invalid argument", "no quote instant", "nothing usable"} <= names
    # the C module's
    with pytest.raises(gex.Error) as e:
        gex.read(str(tmp_path / "absent.csv"))
    assert e.value.status == "input/output error"
    # the Python half's: a folder without a chain file, a file without a quote instant, quote
    # times that cannot be read, a symbol no file holds
    (tmp_path / "empty").mkdir()
    notime = os.path.join(root, "tests", "data", "cli-inputs", "notime.csv")
    bad = write_chain(tmp_path / "bad-time.csv", [("ABC", 100, 100, "yesterday")])
    good = write_chain(tmp_path / "good.csv", [("ABC", 100, 100, "2026-12-04T20:00:00Z")])
    for call, status in ((lambda: gex.history(str(tmp_path / "empty")), "invalid argument"),
                         (lambda: gex.history(notime), "no quote instant"),
                         (lambda: gex.history(str(bad)), "no quote instant"),
                         (lambda: gex.history(str(good), symbol="XYZ"), "nothing usable")):
        with pytest.raises(gex.Error) as e:
            call()
        assert e.value.status == status and e.value.status in names, (str(e.value), status)


def test_history_file_of_two_snapshots(gex_exe, days, tmp_path):
    """A file of two snapshots (SPEC 2.9: one SPY day's rows again, quoted an hour earlier):
    a row each, as the program gives them; read_snapshots and read(at=) agree with them."""
    with open(os.path.join(days, "SPY_2026-01-07.csv")) as f:
        lines = f.read().splitlines(True)
    late = lines[1].rstrip("\n").rsplit(",", 1)[1]
    t = datetime.datetime.fromisoformat(late.replace("Z", "+00:00"))
    early = (t - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    two = tmp_path / "SPY_two.csv"
    two.write_text("".join(lines + [line.replace(late, early) for line in lines[1:]]))
    rc, ref, err = cli_history(gex_exe, str(two))
    assert rc == 0, err
    assert [r["as_of"] for r in ref] == [early, late]
    assert_rows_equal(ref, gex.history(str(two)))
    # now= dates both snapshots at one instant: refused, as the command refuses --now
    with pytest.raises(ValueError) as e:
        gex.history(str(two), now=late)
    assert "the 2 snapshots of SPY read would be one" in str(e.value)
    chains = gex.read_snapshots(str(two))
    assert [c.quote_time for c in chains] == [t - datetime.timedelta(hours=1), t]
    assert [len(c) for c in chains] == [len(lines) - 1] * 2
    assert chains[0].read_report["contracts"] == len(lines) - 1
    one = gex.read(str(two), at=early)
    assert one.quote_time == chains[0].quote_time and len(one) == len(chains[0])
    assert gex.read(str(two), at=t).quote_time == t
    with pytest.raises(gex.Error) as e:
        gex.read(str(two))
    assert "2 snapshots" in str(e.value)
    with pytest.raises(gex.Error):
        gex.read(str(two), at="2020-01-01 12:00")
    with pytest.raises(gex.Error):
        gex.read(str(two), at="not a time")


def test_read_snapshots_their_own_reports(tmp_path):
    """Each snapshot's read_report is what read(at=) gives for it: its own contracts and the
    warnings about them (open interest missing in the first capture only)."""
    f = tmp_path / "two.csv"
    f.write_text("underlying,expiration,strike,type,bid,ask,iv,open_interest,spot,quote_time\n"
                 "SPY,2024-03-22,300,C,1.1,1.2,0.2,,445.5,2024-03-15 10:00:00\n"
                 "SPY,2024-03-22,300,P,1.1,1.2,0.2,,445.5,2024-03-15 10:00:00\n"
                 "SPY,2024-03-22,305,P,1.1,1.2,0.2,3,445.5,2024-03-15 10:00:00\n"
                 "SPY,2024-03-22,300,C,1.1,1.2,0.2,7,446.5,2024-03-15 11:00:00\n")
    chains = gex.read_snapshots(str(f))
    assert len(chains) == 2
    assert "2 contracts have no open interest" in chains[0].read_report["warning"]
    assert "open interest" not in chains[1].read_report["warning"]
    for c in chains:
        assert c.read_report == gex.read(str(f), at=c.quote_time).read_report


def test_history_dask_two_workers(gex_exe, days, monkeypatch):
    distributed = pytest.importorskip(
        "distributed", reason="skipped: dask.distributed is not importable "
                              "(Debian: python3-distributed)")
    rc, ref, err = cli_history(gex_exe, days)
    assert rc == 0, err
    one = gex.history(days)
    # the workers import gex as this process does (the staged package under meson test)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in [os.path.dirname(os.path.dirname(gex.__file__)),
                    os.environ.get("PYTHONPATH")] if p))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = gex.history_dask(days, client, files_per_task=3)
        # two worker processes, neither of them this one
        pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
    assert_rows_equal(ref, table)
    assert table.equals(one)


def test_history_dask_without_client(days):
    pytest.importorskip("dask", reason="skipped: dask is not importable (Debian: python3-dask)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gex.history_dask(days, files_per_task=5).equals(gex.history(days))


def test_history_rows_currency(days):
    """Rows carry each snapshot's currency; a snapshot dict without one (made before snapshots
    carried it) is in dollars; one whose currency is not a code is refused; a change of currency
    starts the series again (SPEC 1.5, 6.3)."""
    snaps = [s for f in sorted(os.listdir(days)) if f.startswith("SPY_")
             for s in gex.file_snapshots(os.path.join(days, f))]
    assert len(snaps) >= 4 and all(s["currency"] == "USD" for s in snaps)
    bare = [{k: v for k, v in s.items() if k != "currency"} for s in snaps]
    assert gex.history_rows(bare) == gex.history_rows(snaps)
    with pytest.raises(ValueError, match="currency"):
        gex.history_rows([dict(s, currency=None) for s in snaps])
    later = sorted(snaps, key=lambda s: s["quote_time"])
    switched = [dict(s, currency="EUR") if i >= 2 else s for i, s in enumerate(later)]
    rows = gex.history_rows(switched)
    assert [r["currency"] for r in rows] == ["USD", "USD"] + ["EUR"] * (len(rows) - 2)
    assert rows[1]["call_oi_change"] is not None and rows[2]["call_oi_change"] is None


def test_history_missing_file_and_snapshot_rows(gex_exe, days, tmp_path):
    """A file that does not exist is one that cannot be read: the program's message, and with
    errors="warn" the others' rows (it raised FileNotFoundError, errors= or not); history_rows
    takes gex.snapshot()'s dicts, which have no file; a measure null on every row is NaN."""
    files = sorted(os.path.join(days, f) for f in os.listdir(days) if f.startswith("SPY"))
    missing = str(tmp_path / "SPY_2026-01-01.csv")
    rc, ref, err = cli_history(gex_exe, missing, *files)
    assert rc == 3 and "cannot open the file" in err
    with pytest.raises(gex.Error) as e:
        gex.history([missing] + files)
    assert "gex: " + str(e.value) in err.splitlines()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history([missing] + files, errors="warn"))
    assert any("cannot open the file" in str(w.message) for w in caught)
    snaps = [gex.snapshot(gex.analyze(gex.read(f).prepare())) for f in files[:3]]
    rows = gex.history_rows(snaps)
    assert [r["as_of"] for r in rows] == sorted(r["as_of"] for r in rows) and len(rows) == 3
    try:
        import pandas  # noqa: F401
    except ImportError:
        return
    short = gex.history(files[:3])
    assert short["rv_5d"].dtype.kind == "f" and short["rv_5d"].isna().all()


def test_history_rows_error_names_no_file(root):
    """A series the measures refuse raises gex.Error whose file is empty, not the bytes left on
    the stack (the error was not cleared before it was filled)."""
    a = gex.analyze(gex.read(os.path.join(root, "data", "sample-spx.csv")).prepare())
    bad = dict(gex.snapshot(a), spot=float("nan"))
    for _ in range(3):
        with pytest.raises(gex.Error) as e:
            gex.history_rows([bad])
        assert e.value.file in (None, "") and str(e.value).startswith("the series measures")


def test_history_rows_long_symbols(days):
    """A symbol is held whole to an underlying's longest name, 96 bytes: two that differ in
    their last byte are two series (they were cut at 63 bytes into one); a longer one is
    refused rather than cut."""
    snaps = sorted((s for f in sorted(os.listdir(days)) if f.startswith("SPY_")
                    for s in gex.file_snapshots(os.path.join(days, f))),
                   key=lambda s: s["quote_time"])[:4]
    a, b = "L" * 95 + "A", "L" * 95 + "B"
    rows = gex.history_rows([dict(s, symbol=a if i % 2 == 0 else b)
                             for i, s in enumerate(snaps)])
    assert sorted(r["symbol"] for r in rows) == [a, a, b, b]
    assert sum(r["call_oi_change"] is None for r in rows) == 2
    with pytest.raises(ValueError, match="96 bytes"):
        gex.history_rows([dict(snaps[0], symbol="L" * 97)])


def test_history_name_not_utf8(gex_exe, days, tmp_path):
    """A file whose name is not UTF-8 is read, as the command reads it: its rows are the
    command's, its file column the name os.fsdecode gives (which opens it); a file of such a
    name that fails is that file's failure, named so, and errors="warn" leaves it out."""
    d = tmp_path / "odd"
    d.mkdir()
    odd = os.fsdecode(b"SPY_\xff_2026-01-07.csv")
    shutil.copyfile(os.path.join(days, "SPY_2026-01-07.csv"), d / odd)
    shutil.copyfile(os.path.join(days, "SPY_2026-01-08.csv"), d / "SPY_2026-01-08.csv")
    p = subprocess.run([gex_exe, "history", "--no-db", "--format", "json", str(d)],
                       capture_output=True, text=True, errors="surrogateescape")
    assert p.returncode == 0, p.stderr
    ref = json.loads(p.stdout)["history"]
    table = gex.history(str(d))
    assert list(table["file"]) == [str(d / odd), str(d / "SPY_2026-01-08.csv")]
    assert_rows_equal([dict(r, file=None) for r in ref], table.assign(file=None))
    assert gex.read(str(d / odd)).path == str(d / odd)
    if importlib.util.find_spec("dask") is not None:
        assert gex.history_dask(str(d), files_per_task=1).equals(table)
    bad = os.fsdecode(b"bad_\xff.csv")
    (d / bad).write_text("this is no chain\n1,2,3\n")
    with pytest.raises(gex.Error) as e:
        gex.history(str(d))
    assert e.value.file == str(d / bad) and str(e.value).startswith(str(d / bad) + ": not an")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert gex.history(str(d), errors="warn").equals(table)
    assert [w.message.args[0] for w in caught] == [str(e.value)]


def dask_env(monkeypatch):
    """The worker processes import gex as this process does (the staged package under meson
    test)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in [os.path.dirname(os.path.dirname(gex.__file__)),
                    os.environ.get("PYTHONPATH")] if p))


def test_history_dask_relative_paths_other_folder(gex_exe, days, tmp_path, monkeypatch):
    """Workers whose working folder is another open the files the caller names: the caller's
    chains/ holds three days, the workers' folder a chains/ of other days under the same names
    (a worker that opened the relative path read those, silently). The rows equal the
    command's run where the caller runs, and name the files as the caller does, as do the
    errors."""
    distributed = pytest.importorskip(
        "distributed", reason="skipped: dask.distributed is not importable "
                              "(Debian: python3-distributed)")
    names = sorted(n for n in os.listdir(days) if n.startswith("SPY_"))
    (tmp_path / "caller" / "chains").mkdir(parents=True)
    (tmp_path / "worker" / "chains").mkdir(parents=True)
    for mine, other in zip(names[:3], names[4:7]):
        shutil.copyfile(os.path.join(days, mine), tmp_path / "caller" / "chains" / mine)
        shutil.copyfile(os.path.join(days, other), tmp_path / "worker" / "chains" / mine)
    p = subprocess.run([gex_exe, "history", "--no-db", "--format", "json", "chains"],
                       capture_output=True, text=True, cwd=tmp_path / "caller")
    assert p.returncode == 0, p.stderr
    ref = json.loads(p.stdout)["history"]
    dask_env(monkeypatch)
    monkeypatch.chdir(tmp_path / "worker")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        monkeypatch.chdir(tmp_path / "caller")
        assert set(client.run(os.getcwd).values()) == {str(tmp_path / "worker")}
        table = gex.history_dask("chains", client, files_per_task=2)
        with pytest.raises(gex.Error) as e:
            gex.history_dask(["chains/" + names[0], "chains/missing.csv"], client)
    assert_rows_equal(ref, table)
    assert list(table["file"]) == ["chains/" + n for n in names[:3]]
    assert str(e.value).startswith("chains/missing.csv: cannot open the file")
    assert e.value.file == "chains/missing.csv"


def test_history_same_file_named_twice(gex_exe, days):
    """A folder and a file in it (spelt another way) name one file: one snapshot and no
    word, as the command; the copy under another name is still a duplicate, with its
    warning."""
    twice = [days, os.path.join(days, ".", "SPY_2026-01-08.csv")]
    rc, ref, err = cli_history(gex_exe, *twice)
    assert rc == 0, err
    assert len(ref) == 16
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history(twice))
    said = [line for line in err.splitlines() if "is also in" in line]
    assert len(said) == 1 and "ZZ_copy_of_SPY" in said[0]
    assert [str(w.message) for w in caught] == [
        line.replace("gex: ", "", 1).replace(": warning: ", ": ", 1) for line in said]


def test_history_no_paths_refused(gex_exe, tmp_path):
    """No path at all is refused as the command refuses it (exit 2); a folder without a chain
    file is a failure the command reports and goes on from (exit 3): gex.Error, or a warning
    with errors="warn", and the other files' rows."""
    p = subprocess.run([gex_exe, "history", "--no-db"], capture_output=True, text=True)
    assert p.returncode == 2 and "history needs a folder or FILEs" in p.stderr
    with pytest.raises(ValueError, match="history needs a folder or FILEs"):
        gex.history([])
    with pytest.raises(ValueError, match="history needs a folder or FILEs"):
        gex.history(iter(()))
    if importlib.util.find_spec("dask") is not None:
        with pytest.raises(ValueError, match="history needs a folder or FILEs"):
            gex.history_dask([])
    empty = tmp_path / "empty"
    empty.mkdir()
    one = write_chain(tmp_path / "one.csv", [("XYZ", 100, "100", "2026-12-04T16:00:00Z")])
    rc, ref, err = cli_history(gex_exe, str(empty), str(one))
    assert rc == 3 and len(ref) == 1
    said = [line for line in err.splitlines() if ": warning: " not in line]
    assert said == [f"gex: {empty}: the folder holds no chain file (*.csv, *.json, *.dat)"]
    with pytest.raises(gex.Error) as e:
        gex.history([str(empty), str(one)])
    assert "gex: " + str(e.value) == said[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_rows_equal(ref, gex.history([str(empty), str(one)], errors="warn"))
    assert ["gex: " + str(w.message) for w in caught] == said


def test_history_dask_standard_input_refused(days):
    """"-" would make a worker read its own standard input (the caller's, on a LocalCluster):
    refused before any task is sent, saying what to do."""
    pytest.importorskip("dask", reason="skipped: dask is not importable (Debian: python3-dask)")
    for paths in ("-", [days, "-"]):
        with pytest.raises(ValueError, match="'-' \\(standard input\\) cannot be read by a "
                                             "Dask worker: save the chain to a file"):
            gex.history_dask(paths, errors="warn")


def test_history_dask_client_without_workers(days):
    """A closed client, and a cluster without a worker (the tasks would wait for one for
    ever), are refused before any task is sent, saying so."""
    distributed = pytest.importorskip(
        "distributed", reason="skipped: dask.distributed is not importable "
                              "(Debian: python3-distributed)")
    with distributed.LocalCluster(n_workers=0, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            with pytest.raises(RuntimeError, match="the Dask cluster has no worker"):
                gex.history_dask(days, client)
        with pytest.raises(ValueError, match="the Dask client is closed, not running"):
            gex.history_dask(days, client)
