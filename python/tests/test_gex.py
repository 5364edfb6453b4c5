"""The package against the gex program: the same documents, figures and tables on the sample,
every real chain of ../shared/chains (skipped when absent) and generated chains; bad input
raises with the message the program prints; two threads analysing at once agree; the
vectorised Black-Scholes against closed forms written here."""
import datetime
import json
import math
import os
import subprocess
import threading

import numpy as np
import pytest

import gex

DOCS = ["summary", "levels", "gex", "dex", "vex", "chex", "exposure", "expirations", "profile",
        "greeks"]


def cli(exe, *args):
    """(exit status, stdout, stderr) of the gex program."""
    p = subprocess.run([exe, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def said(text):
    """The program's messages as the package says them: the options they name as its keywords
    ("pass --spot" is "pass spot=...": gex.Error's words, tested in test_error_keywords)."""
    return "\n".join(gex._gex.python_words(line) for line in text.splitlines())


def cli_json(exe, *args):
    rc, out, err = cli(exe, *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def check_against_cli(exe, path, cli_args=(), read_kw=None, prep_kw=None, an_kw=None,
                      docs=DOCS):
    """Every document equal to the program's, and the package's own figures and tables equal
    to the fields of the program's documents."""
    a = gex.analyze(gex.read(path, **(read_kw or {})).prepare(**(prep_kw or {})),
                    **(an_kw or {}))
    for doc in docs:
        want = cli_json(exe, doc, path, *cli_args)
        assert a.document(doc) == want, f"{doc} document differs on {path}"
    summary = cli_json(exe, "summary", path, *cli_args)
    t = a.totals
    for k in ("net_gex", "net_dex", "net_vex", "net_chex"):
        assert t[k] == summary["exposures"][k]
    assert a.spot == summary["underlying_price"]
    assert a.levels["gamma_flip"] == summary["gamma_flip"]
    assert a.regime["vendor_regime"] == summary["regime"]
    assert a.regime["confidence"] == summary["classifier"]["confidence"]
    # a.hedging is gex's full revaluation (SPEC 1.7), beside the vendor's linear estimate.
    h = a.hedging
    full = summary["hedging_full_revaluation"]
    assert h["down"]["shares"] == full["spot_down_1pct"]["dealer_shares_to_trade"]
    assert h["up"]["direction"] == full["spot_up_1pct"]["direction"]
    assert t["used"] == summary["meta"]["contracts"]["used"]
    z = summary["zero_dte"]
    if z["expiration"] is None:  # the document's zeros: no 0DTE contract
        assert a.zero_dte is None and z["net_gex"] == 0
    else:
        assert a.zero_dte["net_gex"] == z["net_gex"]
        assert a.zero_dte["expiration"].isoformat() == z["expiration"]
    levels = cli_json(exe, "levels", path, *cli_args)
    for k in ("call_wall", "put_wall", "max_positive_gamma", "max_negative_gamma"):
        assert a.levels[k] == levels["levels"][k] if "levels" in levels else True
    # the per-strike table against the program's gex and exposure documents
    s = a.strikes()
    rows = cli_json(exe, "gex", path, *cli_args)["strikes"]
    assert len(s["strike"]) == len(rows)
    for col in ("strike", "call_gex", "put_gex", "net_gex", "call_oi", "put_oi"):
        assert list(np.asarray(s[col])) == [r[col] for r in rows], col
    # the per-expiration table against the expirations document's GEX
    e = a.by_expiration()
    exp_doc = cli_json(exe, "expirations", path, *cli_args)
    used = {r["expiration"]: r for r in exp_doc["expirations"] if r.get("net_gex") is not None}
    dates = [str(d)[:10] for d in np.asarray(e["expiration"])]
    for d, g in zip(dates, np.asarray(e["net_gex"])):
        if d in used:
            assert g == pytest.approx(used[d]["net_gex"], rel=1e-12, abs=1e-6)
    # the profile against the profile document (default range and points)
    p = a.profile()
    prof = cli_json(exe, "profile", path, *cli_args)
    pts = prof["profile"] if "profile" in prof else prof["points"]
    assert len(pts) == len(p["spot"])
    return a


def test_version(gex_exe):
    assert cli(gex_exe, "--version")[1].strip() == "gex " + gex.__version__


def test_sample(gex_exe, root):
    a = check_against_cli(gex_exe, os.path.join(root, "data", "sample-spx.csv"))
    assert a.symbol == "SPX" and a.totals["used"] == 3626


def test_sample_options(gex_exe, root):
    path = os.path.join(root, "data", "sample-spx.csv")
    check_against_cli(
        gex_exe, path,
        ["--gex-unit", "point", "--flip-method", "strike", "--max-dte", "30", "--min-oi", "10",
         "--rate", "0.05", "--div", "0.01", "--exclude-expiration", "0dte"],
        prep_kw={"rate": 0.05, "div": 0.01},
        an_kw={"unit": "point", "flip_method": "strike", "max_dte": 30, "min_oi": 10,
               "exclude_expirations": "0dte"},
        docs=["summary", "gex", "levels", "expirations"])


def test_exercise_and_file_greeks(gex_exe, root):
    """--exercise and --greeks (SPEC 1.8, 1.5): the package's documents equal the program's,
    and its totals count the contracts priced American and those taking the file's greeks as
    the program's meta does. XYZ's root is American by style; its CBOE layout has the greeks
    columns."""
    path = os.path.join(root, "tests", "data", "cli-inputs", "xyz-cboe-252.csv")
    docs = ["summary", "gex", "exposure", "greeks"]
    for exercise in ("auto", "american"):
        a = check_against_cli(gex_exe, path, ["--exercise", exercise],
                              an_kw={"exercise": exercise}, docs=docs)
        meta = cli_json(gex_exe, "summary", path, "--exercise", exercise)["meta"]["contracts"]
        assert a.exercise == exercise
        assert a.totals["american"] == meta["exercise"]["american"] > 0
        assert a.totals["american_refused"] == meta["exercise"]["refused"]
    eu = gex.analyze(gex.read(path).prepare())
    am = gex.analyze(gex.read(path).prepare(), exercise="auto")
    assert eu.exercise == "european" and eu.totals["american"] == 0
    assert am.totals["net_gex"] != eu.totals["net_gex"]  # the puts' early exercise
    a = check_against_cli(gex_exe, path, ["--greeks", "file"], an_kw={"greeks": "file"},
                          docs=docs)
    meta = cli_json(gex_exe, "summary", path, "--greeks", "file")["meta"]["contracts"]["greeks"]
    assert a.greeks == "file"
    assert a.totals["greeks_from_file"] == meta["from_file"] > 0
    assert a.totals["greeks_file_missing"] == meta["missing_in_file"]
    for kw, text in (({"exercise": "bermudan"}, "exercise: 'bermudan' is not one of european, "
                                                "auto, american"),
                     ({"greeks": "vendor"}, "greeks: 'vendor' is not one of model, file")):
        with pytest.raises(ValueError) as e:
            gex.analyze(gex.read(path).prepare(), **kw)
        assert str(e.value) == text


def test_bytes_equal_path(root):
    path = os.path.join(root, "data", "sample-spx.csv")
    with open(path, "rb") as f:
        data = f.read()
    a = gex.analyze(gex.read(data, name=path).prepare())
    b = gex.analyze(gex.read(path).prepare())
    assert a.document_text("exposure") == b.document_text("exposure")


def real_chains():
    d = os.path.join(os.environ.get("GEX_SHARED", os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared")), "chains")
    if not os.path.isdir(d):
        return [pytest.param(None, marks=pytest.mark.skip(reason="skipped: ../shared absent"))]
    return sorted(os.path.join(d, f) for f in os.listdir(d) if not f.endswith(".md"))


@pytest.mark.parametrize("path", real_chains())
def test_real_chain(gex_exe, path):
    """The program's summary on the file: when it succeeds, the package's documents and figures
    equal its own; when it fails, the package raises with the same message."""
    rc, out, err = cli(gex_exe, "summary", path, "--format", "json")
    if rc == 0:
        check_against_cli(gex_exe, path, docs=["summary", "gex", "exposure", "expirations"])
    else:
        with pytest.raises(gex.Error) as e:
            gex.analyze(gex.read(path).prepare())
        assert "gex: " + str(e.value) == said(err.strip()).splitlines()[-1]


def test_generated(gex_exe, gen_chain, tmp_path):
    path = str(tmp_path / "gen.csv")
    subprocess.run([gen_chain, "--seed", "7", "-o", path], check=True)
    check_against_cli(gex_exe, path)
    nov = str(tmp_path / "gen-noiv.csv")
    subprocess.run([gen_chain, "--seed", "8", "--no-iv", "-o", nov], check=True)
    check_against_cli(gex_exe, nov, ["--iv-source", "mid"], prep_kw={"iv_source": "mid"},
                      docs=["summary", "exposure"])


BAD = [
    ("missing.csv", None, []),
    ("bad.csv", b"strike,type\n1,x\n", []),
    ("strict.csv", b"underlying,expiration,strike,type,bid,ask,iv,open_interest,spot,quote_time\n"
     b"SPX,2026-12-18,7000,C,10,11,0.2,5,7000,2026-11-18T19:30:00Z\n"
     b"SPX,2026-12-18,abc,C,10,11,0.2,5,7000,2026-11-18T19:30:00Z\n", ["--strict"]),
    ("empty.csv", b"", []),
    ("nospot.csv", b"underlying,expiration,strike,type,bid,ask,iv,open_interest\n"
     b"SPX,2026-12-18,7000,C,10,11,0.2,5\n", ["--now", "2026-11-18T19:30:00Z"]),
]


@pytest.mark.parametrize("name,data,args", BAD, ids=[b[0] for b in BAD])
def test_bad_input_same_message(gex_exe, tmp_path, name, data, args):
    path = str(tmp_path / name)
    if data is not None:
        with open(path, "wb") as f:
            f.write(data)
    rc, _, err = cli(gex_exe, "summary", path, *args)
    assert rc != 0
    with pytest.raises(gex.Error) as e:
        c = gex.read(path, strict="--strict" in args)
        p = c.prepare(now="2026-11-18T19:30:00Z" if "--now" in args else None)
        gex.analyze(p)
    line = said(err.strip()).splitlines()[-1]
    assert line == "gex: " + str(e.value)
    assert isinstance(e.value, ValueError) and e.value.file == path


def test_prepare_underlying_without_spot_same_message(gex_exe, root, tmp_path):
    """A file of two underlyings, the second without a spot: prepare() refuses it at that
    underlying's first row with the command's words (which say how to read it alone), not
    "pass spot=...": gex screen's, which prepares each underlying and names it (a one-file
    command asks for --symbol first, before preparing either), in the package's words."""
    with open(os.path.join(root, "data", "sample-spx.csv")) as f:
        lines = f.read().splitlines()[:200]
    other = []
    for line in lines[1:]:
        cells = line.split(",")
        cells[0], cells[11] = "XYZ", ""  # underlying, underlying_price
        other.append(",".join(cells))
    path = str(tmp_path / "two.csv")
    with open(path, "w") as f:
        f.write("\n".join(lines + other) + "\n")
    rc, _, err = cli(gex_exe, "summary", path)
    assert rc == 2 and "choose one with --symbol" in err
    rc, _, err = cli(gex_exe, "screen", path)
    assert rc == 3
    with pytest.raises(gex.Error) as e:
        gex.read(path).prepare()
    assert [said(x) for x in err.splitlines() if ": XYZ: " in x] == [
        f"gex: {path}:201: XYZ: {e.value.text}"]
    assert e.value.line == 201 and 'symbol="XYZ", spot=PRICE' in e.value.text
    assert gex.read(path).select("SPX").prepare().n == 199  # the other is read alone


WORDS = [
    ("pass --spot", "pass spot=..."),
    ("fix the row, or read without --strict to skip bad rows",
     "fix the row, or read without strict=True to skip bad rows"),
    ("pass --symbol XYZ --spot PRICE to read it alone",
     'pass symbol="XYZ", spot=PRICE to read it alone'),
    ("pass --now TIME (for example --now 2024-03-22T16:00-04:00)",
     'pass now=TIME (for example now="2024-03-22T16:00-04:00")'),
    ("at the rate 800 (check --rate and --div)", "at the rate 800 (check rate=... and div=...)"),
    ("not JSON: drop --input-format cboe-json (the layout", 'not JSON: drop format="cboe-json" (the layout'),
    ("pass --input-format if the file is a CSV", "pass format=... if the file is a CSV"),
    ("(--carry parity: fewer than 3 strikes", '(carry="parity": fewer than 3 strikes'),
    ("pass --now-from-mtime to date it", "pass now_from_mtime=True to date it"),
    ("pass --at with one of these instants", "pass at=... with one of these instants"),
    ("pass --multiplier N", "pass multiplier=N"),
    ("bad --settle root", "bad settle root"),
    # a value of the file's, said of the command line, and options the package has no keyword of
    ('the date "--now" cannot be read; pass --now', 'the date "--now" cannot be read; pass now=...'),
    ("(gex_chain_set_spot; --spot on the command line)",
     "(gex_chain_set_spot; --spot on the command line)"),
    ("pass --expiration-of-file YYYY-MM-DD", "pass expiration_of_file=YYYY-MM-DD"),
    ("gex --help lists the formats", "gex --help lists the formats"),
]


@pytest.mark.parametrize("text,words", WORDS)
def test_error_keywords(text, words):
    """gex.Error says what to do with the package's keywords, not the command line's options
    (libgex's texts name the options): each form the texts take."""
    assert gex._gex.python_words(text) == words


def test_errors_name_keywords(root, tmp_path):
    """The errors of gex.read, prepare and file_snapshots name the keywords to pass."""
    bad = tmp_path / "strict.csv"
    bad.write_bytes(BAD[2][1])
    with pytest.raises(gex.Error) as e:
        gex.read(str(bad), strict=True)
    assert str(e.value).endswith("read without strict=True to skip bad rows")
    assert e.value.text.endswith("read without strict=True to skip bad rows")
    nospot = tmp_path / "nospot.csv"
    nospot.write_bytes(BAD[4][1])
    with pytest.raises(gex.Error) as e:
        gex.read(str(nospot)).prepare(now="2026-11-18T19:30:00Z")
    assert str(e.value).endswith("; pass spot=...")
    notime = tmp_path / "notime.csv"
    notime.write_bytes(BAD[4][1].replace(b"open_interest\n", b"open_interest,spot\n")
                       .replace(b",5\n", b",5,7000\n"))
    with pytest.raises(gex.Error) as e:
        gex.read(str(notime)).prepare()
    assert str(e.value).endswith("; pass now=...")
    with pytest.raises(gex.Error) as e:
        gex.file_snapshots(str(notime))
    assert "pass now_from_mtime=True to date it" in str(e.value)
    assert "--" not in str(e.value)


def test_bad_now():
    with pytest.raises(gex.Error) as e:
        gex.read(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                              "sample-spx.csv")).prepare(now="yesterday-ish")
    assert "now: 'yesterday-ish'" in str(e.value)


def test_threads(gen_chain, tmp_path):
    """Two threads analysing the full index chain at once give what one thread gives."""
    path = str(tmp_path / "big.csv")
    subprocess.run([gen_chain, "--big", "-o", path], check=True)
    ref = gex.analyze(gex.read(path).prepare()).document_text("exposure")
    results = [None, None]

    def work(i):
        a = gex.analyze(gex.read(path).prepare())
        results[i] = (a.document_text("exposure"), np.asarray(a.strikes()["net_gex"]).copy())

    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results[0][0] == ref and results[1][0] == ref
    assert np.array_equal(results[0][1], results[1][1])


def test_columns_are_views(root):
    c = gex.read(os.path.join(root, "data", "sample-spx.csv")).prepare()
    k = c["strike"]
    assert not k.flags.writeable and k.dtype == np.float64 and len(k) == c.n
    with pytest.raises(ValueError):
        k[0] = 1.0
    a = gex.analyze(c)
    s = a.strikes()
    del a, c  # the table keeps the analysis's memory alive
    assert np.isfinite(np.asarray(s["net_gex"])).all()


def norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def bs_closed(S, K, T, r, q, sigma, put):
    d1 = (math.log(S / K) + (r - q + sigma * sigma / 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    pdf = math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)
    if put:
        price = K * math.exp(-r * T) * norm_cdf(-d2) - S * math.exp(-q * T) * norm_cdf(-d1)
        delta = -math.exp(-q * T) * norm_cdf(-d1)
    else:
        price = S * math.exp(-q * T) * norm_cdf(d1) - K * math.exp(-r * T) * norm_cdf(d2)
        delta = math.exp(-q * T) * norm_cdf(d1)
    gamma = math.exp(-q * T) * pdf / (S * sigma * math.sqrt(T))
    vega = S * math.exp(-q * T) * pdf * math.sqrt(T)
    return price, delta, gamma, vega


def test_greeks_closed_form():
    S = np.array([[90.0], [100.0], [130.0]])
    K = np.array([80.0, 100.0, 125.0, 160.0])
    g = gex.greeks(S, K, 0.75, 0.03, 0.01, 0.25, "put", price=True)
    assert g["delta"].shape == (3, 4) and (g["status"] == 0).all()
    for i in range(3):
        for j in range(4):
            p, d, ga, v = bs_closed(S[i, 0], K[j], 0.75, 0.03, 0.01, 0.25, True)
            assert g["price"][i, j] == pytest.approx(p, rel=1e-10, abs=1e-12)
            assert g["delta"][i, j] == pytest.approx(d, rel=1e-10, abs=1e-12)
            assert g["gamma"][i, j] == pytest.approx(ga, rel=1e-10, abs=1e-14)
            assert g["vega"][i, j] == pytest.approx(v, rel=1e-10, abs=1e-12)
    bad = gex.greeks(100.0, [100.0, -1.0], 0.5, sigma=0.2)
    assert list(bad["status"]) == [0, 1] and math.isnan(bad["delta"][1])


def test_implied_vol_round_trip():
    sig = np.array([0.05, 0.2, 0.8, 1.5])
    K = np.array([[90.0], [100.0], [115.0]])
    price = gex.greeks(100.0, K, 0.4, 0.04, 0.0, sig, "call", price=True)["price"]
    iv, st = gex.implied_vol(price, 100.0, K, 0.4, 0.04, 0.0, "call")
    ok = st == 0
    assert ok.sum() >= 10
    assert np.allclose(iv[ok], np.broadcast_to(sig, iv.shape)[ok], rtol=1e-8)
    iv2, st2 = gex.implied_vol(0.0, 100.0, 100.0, 0.5)
    assert st2 != 0 and math.isnan(iv2)


def test_dataframe_and_select(root):
    pd = pytest.importorskip("pandas")
    path = os.path.join(root, "data", "sample-spx.csv")
    df = pd.read_csv(path)
    a = gex.analyze(gex.read(df).prepare())
    b = gex.analyze(gex.read(path).prepare())
    assert a.totals == b.totals and a.levels == b.levels
    two = pd.concat([df, df.assign(underlying="XSP", underlying_price=df["underlying_price"] / 10,
                                   strike=df["strike"] / 10)]) if "underlying" in df else None
    if two is None:
        pytest.skip("the sample has no underlying column")
    c = gex.read(two).prepare()
    assert c.symbols == ["SPX", "XSP"]
    with pytest.raises(gex.Error, match="2 or more underlyings"):
        gex.analyze(c)
    spx = gex.analyze(c.select("SPX"))
    assert spx.totals["net_gex"] == b.totals["net_gex"]
    with pytest.raises(gex.Error, match="no underlying 'NDX'"):
        c.select("NDX")


def test_analyze_refuses_underlying_without_open_interest(gex_exe, tmp_path):
    """One underlying of a file of several whose contracts all have zero open interest: the
    program refuses it (--symbol), and so does gex.analyze of the package's select, with the
    program's message, rather than print its exposures as zeros; the other underlying is
    analysed as the program analyses it."""
    rows = ["underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
            "quote_time"]
    for u, oi in (("ABC", 100), ("XYZ", 0)):
        for k in range(90, 111, 5):
            rows += [f"{u},2026-12-18,{k},{t},1.0,1.2,0.25,{oi},100,2026-12-04T20:00:00Z"
                     for t in "CP"]
    path = tmp_path / "two.csv"
    path.write_text("\n".join(rows) + "\n")
    c = gex.read(str(path)).prepare()
    rc, _, err = cli(gex_exe, "summary", "--symbol", "XYZ", str(path))
    assert rc == 3 and "XYZ whose 10 contracts all have zero open interest" in err
    rc, _, err = cli(gex_exe, "screen", str(path))  # the same chain as select's, refused
    with pytest.raises(gex.Error) as e:
        gex.analyze(c.select("XYZ"))
    assert rc == 3 and f"gex: {path}: XYZ: " + str(e.value)[len(f"{path}: "):] in \
        err.splitlines(), (str(e.value), err)
    abc = gex.analyze(c.select("ABC"))
    assert abc.totals["net_dex"] == cli_json(gex_exe, "summary", "--symbol", "ABC",
                                             str(path))["exposures"]["net_dex"] != 0


def test_expiration_of_file(root, tmp_path):
    """A Barchart download under another name than Barchart's gives no expiration: the error
    names expiration_of_file, which reads it as --expiration-of-file does (the same contracts
    as the file under its own name)."""
    own = os.path.join(root, "tests", "data", "formats",
                       "gpre-options-exp-2026-06-18-monthly-show-all-stacked-04-14-2026.csv")
    renamed = tmp_path / "gpre-options-monthly.csv"  # the symbol, not the expiration
    renamed.write_bytes(open(own, "rb").read())
    with pytest.raises(gex.Error, match="expiration_of_file=") as e:
        gex.read(renamed)
    assert "--expiration-of-file" not in str(e.value)
    want = gex.read(own)
    for day in ("2026-06-18", datetime.date(2026, 6, 18), np.datetime64("2026-06-18")):
        got = gex.read(renamed, expiration_of_file=day)
        assert got.n == want.n and got.symbols == want.symbols
        assert list(got.column("expiration")) == list(want.column("expiration"))
    snaps = gex.file_snapshots(renamed, expiration_of_file="2026-06-18")
    assert snaps[0]["net_gex"] == gex.file_snapshots(own)[0]["net_gex"]
    with pytest.raises(ValueError, match="expiration_of_file"):
        gex.read(renamed, expiration_of_file="18/06/2026")
    with pytest.raises(ValueError, match="1970-01-01 is not an expiration"):
        gex.read(renamed, expiration_of_file=0)
    # a yyyymmdd count is no day of ours (it would be the year 57,000): said, not read
    with pytest.raises(ValueError, match="not a date from 1970-01-02 to 9999-12-31"):
        gex.read(renamed, expiration_of_file=20260618)
    with pytest.raises(ValueError) as e:
        gex.read(renamed, expiration_of_file="0dte")
    assert "0dte" not in str(e.value).split(":", 1)[1].replace("'0dte'", "", 1)


def test_instants_outside_zone_rules(root):
    """now= and at= outside 1883-11-18 17:00 UTC .. 9999 are refused in every form, an aware
    datetime and UTC seconds as a text or a naive datetime (New York kept local mean time
    before, which gex does not model)."""
    c = gex.read(os.path.join(root, "data", "sample-spx.csv"))
    utc = datetime.timezone.utc
    for now in (datetime.datetime(1800, 1, 1, 15, tzinfo=utc), "1800-01-01 10:00",
                datetime.datetime(1800, 1, 1, 10), -5364608400,
                datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(
                    datetime.timedelta(hours=-5)))):
        with pytest.raises((gex.Error, ValueError), match="outside the range|past the year 9999"):
            c.prepare(now=now)
    assert c.prepare(now=datetime.datetime(1883, 11, 18, 17, tzinfo=utc)).prepare_report[
        "quote_time"] == -2717650800
    with pytest.raises(ValueError, match="outside the range"):
        gex._gex.prepare(c._h, -2717650801, 0.045, 0.013, "auto", "parity")


def test_currency_of_chain_and_documents(root):
    """A chain's currency names every unit: the dollar for a CBOE chain, the rupee for an NSE
    download; a CSV's currency column names it (SPEC 1.5, 2.1)."""
    spx = gex.read(os.path.join(root, "data", "sample-spx.csv"))
    assert spx.currency == "USD"
    nse = gex.read(os.path.join(root, "tests", "data", "formats",
                                "option-chain-ED-NIFTY-30-Dec-2025.csv"), spot=26000.0)
    assert nse.currency == "INR"
    a = gex.analyze(nse.prepare(now="2025-12-19T04:00:00"))
    units = a.document("levels")["meta"]["units"]
    assert units["strike"] == "INR" and units["gex"] == "INR per 1% spot move"
    assert gex.snapshot(a)["currency"] == "INR"
    assert a.chain.currency == "INR"
    eur = ("underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
           "quote_time,currency\n"
           "DAX,2026-12-18,20000,C,10,11,0.2,100,20000,2026-11-20T15:00:00Z,eur\n")
    assert gex.read(eur.encode()).currency == "EUR"
    with pytest.raises(gex.Error, match="currency CHF differs from the EUR"):
        gex.read((eur + "DAX,2026-12-18,20100,C,10,11,0.2,100,20000,"
                  "2026-11-20T15:00:00Z,CHF\n").encode())


def test_bad_option_values_refused(root):
    """A value the command line refuses is refused here, naming the parameter, never read as
    "none" (a spot of -5 was the file's spot, max_dte=-5 no limit)."""
    path = os.path.join(root, "data", "sample-spx.csv")
    for kw, word in ((dict(spot=-5), "spot"), (dict(spot=float("nan")), "spot"),
                     (dict(multiplier=-5), "multiplier"), (dict(multiplier=float("nan")),
                                                           "multiplier"),
                     (dict(spot=1e8), "spot")):
        with pytest.raises(ValueError, match=word):
            gex.read(path, **kw)
    with pytest.raises(ValueError, match="format: 'nope' is not one of .*schwab-json"):
        gex.read(path, format="nope")
    p = gex.read(path).prepare()
    for kw, word in ((dict(max_dte=-5), "max_dte"), (dict(min_oi=-5), "min_oi"),
                     (dict(min_bid=-1), "min_bid"), (dict(max_delta=2), "max_delta"),
                     (dict(min_oi=float("nan")), "min_oi"), (dict(expirations=[2**40]),
                                                              "out of range")):
        with pytest.raises(ValueError, match=word):
            gex.analyze(p, **kw)
    a = gex.analyze(p, max_dte=np.int64(30))  # a numpy integer is a whole number
    for kw, word in ((dict(range_pct=-5), "range_pct"), (dict(range_pct=0), "range_pct"),
                     (dict(points=0), "points"), (dict(points=1), "points")):
        with pytest.raises(ValueError, match=word):
            a.document("profile", **kw)
    with pytest.raises(ValueError, match="n: "):
        a.profile(n=0)
    with pytest.raises(ValueError, match="lo, hi"):
        a.profile(lo=7500, hi=7400)


def test_bad_threads_and_instants_refused(root, gex_exe):
    """threads (--jobs: a whole number from 1 to 1024) and history's jobs are refused out of
    range, naming the parameter, as the command refuses them; an instant that is not a finite
    number of seconds, or beyond the library's, names its parameter; a numpy integer is one."""
    path = os.path.join(root, "data", "sample-spx.csv")
    for bad in (0, -5, 10**6):
        with pytest.raises(ValueError, match=r"threads: .* from 1 to 1024"):
            gex.read(path, threads=bad)
        with pytest.raises(ValueError, match="threads: "):
            gex.read_snapshots(path, threads=bad)
    with pytest.raises(TypeError, match="threads: 2.5 is not a whole number"):
        gex.read(path, threads=2.5)
    rc, _, err = cli(gex_exe, "summary", "--jobs", "0", path)
    assert rc == 2 and "--jobs" in err
    for bad in (0, -1):
        with pytest.raises(ValueError, match=r"jobs: .* from 1 to 1024"):
            gex.history(path, jobs=bad)
    assert gex.read(path, threads=np.int64(2)).n == gex.read(path).n
    c = gex.read(path)
    for kw, word in ((dict(now=float("nan")), "now: nan is not a finite"),
                     (dict(now=float("-inf")), "now: -inf is not a finite"),
                     (dict(now=2**70), "now: '@1180591620717411303424': the number of seconds "
                                       "is too large"),
                     (dict(now=1e300), "now: '@1000000000000000052504760255204420248704468581")):
        with pytest.raises(ValueError, match=word):
            c.prepare(**kw)
    for bad in (float("inf"), -2**64):
        with pytest.raises(ValueError, match="at: "):
            gex.read(path, at=bad)
    t = 1795030200  # the sample's quote instant
    want = gex.analyze(c.prepare(now=t)).document_text("summary")
    for now in (np.int64(t), np.uint32(t), np.float64(t) + 0.5):
        p = c.prepare(now=now)
        assert p.quote_time.timestamp() == t
        assert gex.analyze(p).document_text("summary") == want


def test_whole_numbers_named(root, tmp_path):
    """Every public whole-number argument refuses a float or a bool with a TypeError, and a
    value out of its range with a ValueError, each naming the argument; history_dask's
    files_per_task of 0 or less was taken as 1. Dates as days since 1970-01-01 take numpy
    integers and name their argument."""
    path = os.path.join(root, "data", "sample-spx.csv")
    c = gex.read(path).prepare()
    a = gex.analyze(c)
    for call, name in ((lambda v: gex.read(path, threads=v), "threads"),
                       (lambda v: gex.read_snapshots(path, threads=v), "threads"),
                       (lambda v: gex.history(path, jobs=v), "jobs"),
                       (lambda v: gex.analyze(c, max_dte=v), "max_dte"),
                       (lambda v: a.profile(n=v), "n"),
                       (lambda v: a.document("profile", points=v), "points")):
        for bad in (2.0, True):
            with pytest.raises(TypeError, match=f"^{name}: {bad!r} is not a whole number"):
                call(bad)
    pytest.importorskip("dask", reason="skipped: dask is not importable (python3-dask)")
    absent = str(tmp_path / "absent")  # refused before any file is listed
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"^files_per_task: {bad} must be a whole number "
                                             "of files, at least 1"):
            gex.history_dask(absent, files_per_task=bad)
    for bad in (2.0, True, "8"):
        with pytest.raises(TypeError, match="^files_per_task: "):
            gex.history_dask(absent, files_per_task=bad)
    day = (datetime.date(2026, 11, 20) - datetime.date(1970, 1, 1)).days
    want = gex.analyze(c, expirations="2026-11-20").totals
    assert want["used"] > 0
    # a numpy array is a list of dates (of strings, of datetime64 as pandas' unique() gives,
    # of days), not one date
    for v in (day, np.int64(day), [np.int32(day)], np.array(["2026-11-20"]),
              np.array(["2026-11-20"], dtype="datetime64[ns]"), np.datetime64("2026-11-20"),
              np.array([day])):
        assert gex.analyze(c, expirations=v).totals == want
    assert (gex.analyze(c, exclude_expirations=np.array(["2026-11-20"])).totals["used"]
            == c.n - want["used"])
    for kw in (dict(expirations=float(day)), dict(expirations=[float(day)]),
               dict(exclude_expirations=True)):
        with pytest.raises(TypeError, match=f"^{next(iter(kw))}: "):
            gex.analyze(c, **kw)


def test_profile_grid_is_the_commands(gex_exe, root):
    """Analysis.profile()'s spots and net GEX are exactly those of `gex profile` (one grid for
    both, gex_profile_spots), at the default 81 points of +-20% and at other ranges."""
    path = os.path.join(root, "data", "sample-spx.csv")
    a = gex.analyze(gex.read(path).prepare())
    for range_pct, points in ((20, 81), (45, 81), (7.5, 13)):
        doc = cli_json(gex_exe, "profile", path, "--range", str(range_pct), "--points",
                       str(points))["profile"]
        lo, hi = a.spot * (1 - range_pct / 100), a.spot * (1 + range_pct / 100)
        t = a.profile() if range_pct == 20 else a.profile(lo, hi, points)
        spot = np.asarray(t["spot"])
        assert spot.tolist() == [r["x"] for r in doc]
        assert np.asarray(t["net_gex"]).tolist() == [r["net_gex"] for r in doc]


def test_tables_are_yours_to_change(root):
    """Every column of every table of an analysis is writable (copies, as the documentation
    says), with pandas and without: contracts()' strike, type, T, status and open_interest were
    the chain's read-only columns."""
    c = gex.read(os.path.join(root, "data", "sample-spx.csv")).prepare()
    a = gex.analyze(c)
    for name in ("strikes", "by_expiration", "contracts", "profile"):
        t = getattr(a, name)()
        for k in (t.columns if not isinstance(t, dict) else t):
            v = np.asarray(t[k]) if not isinstance(t, dict) else t[k]
            assert v.flags.writeable, f"{name}()[{k!r}] is read-only"
            if not isinstance(t, dict):
                t.loc[0, k] = t.loc[1, k]
    t = a.contracts()
    if not isinstance(t, dict):
        t.loc[0, "strike"] = 1.0
        assert t.loc[0, "strike"] == 1.0
    assert c["strike"][0] != 1.0  # the chain is left as it was


def test_chain_frame_is_yours_to_change(root):
    """Chain.to_frame() is a table of its own (copies, as its docstring says): an in-place edit
    of a column works and leaves the chain alone, whose columns stay read-only views; the
    frame's columns were the chain's read-only memory ("assignment destination is read-only")."""
    c = gex.read(os.path.join(root, "data", "sample-spx.csv")).prepare()
    strike0, oi = c["strike"][0], c["open_interest"].copy()
    t = c.to_frame()
    for k in (t.columns if not isinstance(t, dict) else t):
        v = np.asarray(t[k]) if not isinstance(t, dict) else t[k]
        assert v.dtype == object or v.flags.writeable, f"to_frame()[{k!r}] is read-only"
    if isinstance(t, dict):
        t["strike"][0] = 1.0
        t["open_interest"] *= 2
    else:
        t.loc[0, "strike"] = 1.0
        t["open_interest"] *= 2
    assert t["strike"][0] == 1.0
    assert np.array_equal(np.asarray(t["open_interest"]), oi * 2)
    assert c["strike"][0] == strike0 and np.array_equal(c["open_interest"], oi)
    assert not c["strike"].flags.writeable  # the zero-copy columns are as documented


def test_tables_are_the_commands(gex_exe, root):
    """contracts(): NaN where a contract did not enter the exposures (the command's null), not
    0; by_expiration(): every expiration, as gex expirations lists them; the tables are the
    caller's to change; a document of nothing usable is refused as the command refuses it."""
    path = os.path.join(root, "data", "sample-spx.csv")
    p = gex.read(path).prepare()
    a = gex.analyze(p, max_dte=0)
    c = a.contracts()
    col = (lambda k: np.asarray(c[k])) if not isinstance(c, dict) else (lambda k: c[k])
    out = col("included") == 0
    assert out.any() and (~out).any()
    for k in ("delta", "gamma", "gex", "dex"):
        assert np.isnan(col(k)[out]).all() and not np.isnan(col(k)[~out]).any()
    assert np.isnan(col("iv")[col("status") != 0]).all()
    doc = cli_json(gex_exe, "expirations", path, "--max-dte", "0")
    rows = a.by_expiration()
    n = len(rows) if not isinstance(rows, dict) else len(rows["used"])
    assert n == len(doc["expirations"]) and n > 1
    if not isinstance(rows, dict):
        s = a.strikes()
        s.loc[s.strike < 0, "net_gex"] = 0.0  # writable
        s["net_gex"] += 1.0
        rows.at[0, "net_gex"] = 1.0
        a.profile()["net_gex"] += 1.0
    # nothing usable: a quote instant after every expiration
    late = gex.analyze(gex.read(path).prepare(now="2030-01-02 10:00"))
    rc, _, err = cli(gex_exe, "summary", "--now", "2030-01-02 10:00", path)
    assert rc == 3 and "nothing usable" in err
    with pytest.raises(gex.Error, match="nothing usable"):
        late.document("summary")
    assert late.document("expirations")["expirations"]  # what the command prints for it
