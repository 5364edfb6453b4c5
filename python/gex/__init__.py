"""gex: dealer Greek exposure from option chain files, over libgex (the gex command's library).

    import gex
    chain = gex.read("data/sample-spx.csv").prepare()      # r 0.045, q 0.013, IV auto
    a = gex.analyze(chain)                                  # unit pct, no filters
    a.totals["net_gex"], a.levels["gamma_flip"], a.regime["confidence"]
    a.strikes()                                             # per-strike DataFrame

Units and conventions (as gex(1) says them):
- GEX: unit "pct" (default) USD per 1% spot move; "point" USD per $1 move; "shares" shares per
  $1 move. DEX: USD delta notional. VEX: USD of delta per 1 vol point. CHEX: USD of delta per
  calendar day. USD stands for the file's currency (Chain.currency: INR for an NSE download,
  a CSV's currency column's code), which strikes and spots are in too.
- Dealers are long calls and short puts (SPEC 1.5): call GEX positive, put GEX negative.
- Times are UTC seconds since 1970 (quote_time) and dates days since 1970-01-01 in the raw
  columns; tables show them as numpy datetime64. T is in years (ACT/365, SPEC 1.1).
- Rates r and q are continuously compounded fractions (0.045 = 4.5%); volatilities fractions.
- Per-contract greeks are per share: delta, gamma (per $1), vega (per 1.00 of vol), vanna
  (d delta / d sigma), charm (d delta / d t per year).

Every failure of gex is a gex.Error (a ValueError) whose str() is what the gex command prints
after "gex: ", with attributes status (the library's name of the status, gex_strerror's:
"invalid argument", "no quote instant", "nothing usable", ...), file, line and text; what to do
names the package's keywords where the command names its options ("pass spot=..." for "pass
--spot"). Reads, preparation, analysis, the
profile, the hedging estimate, documents and the vectorised Black-Scholes release the GIL:
threads run them in parallel. Chains and analyses are immutable once made.
"""
from __future__ import annotations

import datetime as _dt
import json as _json
import numbers as _numbers
import operator as _operator
import os as _os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _gex

__all__ = ["Error", "Chain", "Analysis", "read", "read_snapshots", "analyze", "greeks",
           "implied_vol", "snapshot", "history", "history_dask", "file_snapshots",
           "history_rows", "__version__"]

Error = _gex.Error
__version__: str = _gex.version

try:  # pandas is optional: tables are dicts of numpy arrays without it
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised where pandas is absent
    _pd = None

Table = Any  # a pandas.DataFrame, or a dict of numpy arrays when pandas is not importable

_EPOCH = np.datetime64("1970-01-01", "D")

_STRIKE_FIELDS = ("strike", "call_gex", "put_gex", "net_gex", "call_dex", "put_dex", "net_dex",
                  "call_vex", "put_vex", "net_vex", "call_chex", "put_chex", "net_chex",
                  "call_oi", "put_oi", "call_volume", "put_volume")
_EXPIRY_FIELDS = ("net_gex", "net_dex", "net_vex", "net_chex", "call_gex", "put_gex",
                  "gross_gex", "contracts", "used", "call_oi", "put_oi")
_CONTRACT_STATUS = ("ok", "expired", "no_iv", "below_intrinsic", "above_max", "not_converged",
                    "greeks_overflow")
_CHAIN_COLUMNS = ("underlying_id", "root_id", "expiration", "settlement", "strike", "type",
                  "bid", "ask", "last", "file_iv", "open_interest", "volume", "multiplier",
                  "spot", "vendor_delta", "vendor_gamma", "line", "T", "iv", "iv_source",
                  "status")


# The command line's bounds (gex/chain.h, src/cli/options.c), so that a value it refuses is
# refused here too (a ValueError naming the parameter) rather than read as "none".
_PRICE_MIN, _PRICE_MAX, _MULTIPLIER_MAX = 1e-6, 1e7, 1e6
_JOBS_MAX = 1024  # --jobs (CLI_MAX_JOBS)


def _number(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: {value!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return v


def _override(name: str, value: Any, low: float, high: float) -> float:
    """A read override: 0 for the file's, else a number in [low, high] (--spot, --multiplier)."""
    v = _number(name, value)
    if v != 0.0 and not low <= v <= high:
        raise ValueError(f"{name}: {value!r} must be 0 (the file's) or a number from {low:g} to "
                         f"{high:g}")
    return v


def _whole(name: str, value: Any, low: int, high: Optional[int], what: str) -> int:
    """A whole number (int, numpy integer) in [low, high] (high None: no upper bound); what
    names the unit for the message."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: {value!r} is not a whole number")
    try:
        v = _operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: {value!r} is not a whole number") from None
    if high is None and v < low:
        raise ValueError(f"{name}: {value!r} must be a whole number of {what}, at least {low}")
    if high is not None and not low <= v <= high:
        raise ValueError(f"{name}: {value!r} must be a whole number of {what} from {low} to "
                         f"{high}")
    return v


def _read_overrides(multiplier: Any, spot: Any) -> Tuple[float, float]:
    """read()'s multiplier and spot: 0 for the file's, else within the command's bounds."""
    return (_override("multiplier", multiplier, 1e-300, _MULTIPLIER_MAX),
            _override("spot", spot, _PRICE_MIN, _PRICE_MAX))


def _at_least_zero(name: str, value: Any) -> float:
    v = _number(name, value)
    if v < 0:
        raise ValueError(f"{name}: {value!r} must not be negative")
    return v


def _table(columns: Dict[str, np.ndarray], index: Optional[str] = None) -> Table:
    if _pd is None:
        return columns
    df = _pd.DataFrame(columns, copy=False)
    return df


def _day(name: str, d: Union[str, int, _dt.date], zero_dte: bool = False) -> int:
    """Days since 1970-01-01 of a date given as a datetime.date, 'YYYY-MM-DD', a numpy
    datetime64 or a whole number (int, numpy integer); name is the parameter's, for the
    message, and zero_dte whether it also takes '0dte' (said in the message)."""
    what = (f"{name}: a date is a datetime.date, 'YYYY-MM-DD', a numpy datetime64 or days since "
            "1970-01-01")
    if isinstance(d, bool):
        raise TypeError(f"{what}, not {d!r}")
    if isinstance(d, np.datetime64):
        if np.isnat(d):
            raise ValueError(f"{name}: NaT is not a date")
        d = int(d.astype("datetime64[D]").astype(np.int64))
    if isinstance(d, _numbers.Integral):
        v = _operator.index(d)
        if not -2**31 <= v < 2**31:
            raise ValueError(f"{name}: {v}: days since 1970-01-01 out of range")
        return v
    if isinstance(d, _dt.datetime):
        d = d.date()
    if isinstance(d, str):
        try:
            d = _dt.date.fromisoformat(d)
        except ValueError:
            also = " (or '0dte')" if zero_dte else ""
            raise ValueError(f"{name}: '{d}' is not a date YYYY-MM-DD{also}") from None
    if isinstance(d, _dt.date):
        return (d - _dt.date(1970, 1, 1)).days
    raise TypeError(f"{what}, not {d!r}")


def _dates(name: str, values: Any) -> Tuple[List[int], bool]:
    """The days of a date or a list of dates (parameter name), and whether '0dte' (the quote
    date) was among them."""
    if values is None:
        return [], False
    # one date (a numpy array has __index__ too: its elements are the dates)
    if isinstance(values, (str, _dt.date, np.datetime64, _numbers.Integral)):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise TypeError(f"{name}: a date or a list of dates, not {values!r}") from None
    days, zero = [], False
    for v in values:
        if isinstance(v, str) and v.lower() == "0dte":
            zero = True
        else:
            days.append(_day(name, v, zero_dte=True))
    return days, zero


class Chain:
    """An option chain read by gex: one contract per element of its columns.

    Attributes: path (the name in messages), n (contracts), symbols (the underlyings in
    order), spot (of the first underlying; None when the file gives none), currency (of its
    prices and strikes, an ISO 4217 code: "USD" unless the file says otherwise, "INR" for an NSE
    download), quote_time (the file's quote instant, a UTC datetime or None; prepare(now=...)
    keeps it: the instant a chain was prepared at is its Analysis's quote_time), prepared,
    rate and div (the carry it was prepared with, or None),
    read_report and prepare_report (dicts: what the reader skipped and why, where the IVs came
    from; read_report's bad_quote_times, time_note and time_note_line say why a chain has no
    quote instant). Columns: chain["strike"] or chain.column(name), numpy arrays over the chain's memory
    (read-only, no copy): underlying_id, root_id (indexes into chain.symbol_table), expiration
    (days since 1970-01-01), settlement (UTC seconds), strike, type (0 call, 1 put), bid, ask,
    last, file_iv (fraction; NaN when absent), open_interest, volume, multiplier, spot,
    vendor_delta, vendor_gamma, line (source line), and after prepare() T (years), iv (the
    volatility used, 0 when excluded), iv_source (0 none, 1 file, 2 mid), status (0 ok, then
    expired, no_iv, below_intrinsic, above_max, not_converged, greeks_overflow).
    """

    __slots__ = ("_h", "_info")

    def __init__(self, handle: Any) -> None:
        self._h = handle
        self._info = _gex.chain_info(handle)

    @property
    def path(self) -> str:
        return self._info["path"]

    @property
    def n(self) -> int:
        return self._info["n"]

    def __len__(self) -> int:
        return self._info["n"]

    @property
    def symbols(self) -> List[str]:
        return list(self._info["symbols"])

    @property
    def symbol_table(self) -> List[str]:
        return _gex.chain_column(self._h, "symbols")[0]

    @property
    def spot(self) -> Optional[float]:
        if self.n == 0:
            return None
        s = float(self.column("spot")[0])
        return s if s > 0 else None

    @property
    def currency(self) -> str:
        return self._info["currency"]

    @property
    def quote_time(self) -> Optional[_dt.datetime]:
        t = self._info["quote_time"]
        return None if t is None else _dt.datetime.fromtimestamp(t, _dt.timezone.utc)

    @property
    def prepared(self) -> bool:
        return self._info["prepared"]

    @property
    def rate(self) -> Optional[float]:
        return self._info["rate"] if self.prepared else None

    @property
    def div(self) -> Optional[float]:
        return self._info["div"] if self.prepared else None

    @property
    def read_report(self) -> Dict[str, Any]:
        return self._info["read"]

    @property
    def prepare_report(self) -> Optional[Dict[str, Any]]:
        return self._info["prepare"]

    @property
    def columns(self) -> Tuple[str, ...]:
        return _CHAIN_COLUMNS

    def column(self, name: str) -> np.ndarray:
        """One column as a read-only numpy array over the chain's memory (no copy)."""
        buf, dtype = _gex.chain_column(self._h, name)
        return np.frombuffer(buf, dtype=dtype)

    __getitem__ = column

    def to_frame(self) -> Table:
        """Every column (underlying and root as symbol strings, expiration as datetime64), as a
        table of its own, yours to change: every column is a copy, none the chain's read-only
        memory (chain.column() and chain[name] give those, without a copy)."""
        cols = {name: self.column(name).copy() for name in _CHAIN_COLUMNS}
        table = np.array(self.symbol_table, dtype=object)
        cols["underlying"] = table[cols.pop("underlying_id")] if self.n else table[:0]
        cols["root"] = table[cols.pop("root_id")] if self.n else table[:0]
        cols["expiration"] = _EPOCH + cols["expiration"].astype("timedelta64[D]")
        return _table(cols)

    def prepare(self, rate: float = 0.045, div: float = 0.013,
                now: Union[None, str, int, float, _dt.datetime] = None,
                iv_source: str = "auto", carry: str = "parity") -> "Chain":
        """A new chain, prepared (SPEC 1.1, 1.4): time to expiry T from the quote instant,
        the implied volatility used and a status per contract. This chain is left as it was.

        rate, div: r and q, continuously compounded fractions (--rate, --div).
        now: the quote instant (--now): None for the file's; a timezone-aware datetime; a naive
             datetime or a text in --now's forms, read as New York time when it has no zone;
             or UTC seconds (int, numpy integer or finite float, rounded down, read as --now
             @SECONDS reads them; ValueError naming now for NaN, an infinity or a count the
             command refuses).
        iv_source: "auto" (the file's IV in [0.001, 5], else solved from the mid), "file", "mid".
        carry: "parity" (each expiration's r and q from put-call parity on the mids, as the
             command's default --carry parity; an expiration without a fit keeps rate and
             div) or "flat" (rate and div for every contract) (SPEC 1.2).
        """
        rate, div = _number("rate", rate), _number("div", div)  # finite, as --rate and --div
        return Chain(_gex.prepare(self._h, _instant(now, "now"), float(rate), float(div),
                                  iv_source, carry))

    def select(self, symbol: str) -> "Chain":
        """A new chain of one underlying's contracts (a file of several; gex.analyze takes
        one underlying), prepared if this one is."""
        return Chain(_gex.select(self._h, str(symbol)))

    def __repr__(self) -> str:
        return (f"<gex.Chain {self.path!r}: {self.n} contracts of {', '.join(self.symbols)}"
                f"{', prepared' if self.prepared else ''}>")


def read(source: Union[str, bytes, bytearray, memoryview, "_os.PathLike[str]", Any], *,
         name: Optional[str] = None, format: str = "auto", strict: bool = False,
         symbol: Optional[str] = None, multiplier: float = 0.0, spot: float = 0.0,
         settle: Optional[Dict[str, str]] = None, threads: int = 1, at: Any = None,
         expiration_of_file: Any = None) -> Chain:
    """Reads a chain (SPEC 2): a path (str or os.PathLike), the file's bytes (bytes,
    bytearray, memoryview; name is then what messages call it, "<bytes>" by default), or a
    pandas DataFrame with the long CSV's columns and aliases (written once as CSV text and read
    as such; "<DataFrame>" in messages).

    format: "auto" (detected from the content), or one of --input-format's: "long-csv",
            "cboe-csv", "cboe-json", "schwab-json", "tradier-json", "polygon-json", "opc-json",
            "ibkr-json", "barchart-csv", "nse-csv", "deribit-csv", "thinkorswim-csv",
            "cboe-legacy", "optionsdx", "optionmetrics-csv".
    strict: the first bad row is an error instead of skipped and counted (--strict).
    symbol: keep one underlying of a file that holds several (--symbol).
    multiplier: shares per contract, > 0 (at most 1e6) overrides the file's (0, the default:
            the file's, else 100).
    spot: > 0 (1e-6 to 1e7) overrides the file's spot (--spot); 0, the default: the file's.
    A value the command line refuses raises ValueError naming the parameter.
    settle: {"SPX": "am", ...}: settlement style per option root (--settle ROOT=am|pm).
    threads: threads reading one large CSV (--jobs: a whole number from 1 to 1024); the result
        is the same for any number.
    at: of a file of several snapshots (SPEC 2.9), the one quoted within 30 s of this instant
        (--at), in prepare()'s forms of now: an aware datetime, a naive datetime or a text in
        --at's forms (New York time without a zone), or UTC seconds. A file of several read
        without it is refused, listing their instants; read_snapshots() reads them all.
    expiration_of_file: the expiration of a layout that leaves it to the file's name (Barchart,
        NSE) when the file has another name (--expiration-of-file): a datetime.date,
        'YYYY-MM-DD', a numpy datetime64 or days since 1970-01-01; None, the default: from the
        file's name.
    Raises gex.Error with the file, the line and what to do, as the gex command prints it.
    """
    if _pd is not None and isinstance(source, _pd.DataFrame):
        # a DataFrame in the long CSV's columns (the same aliases): written once as CSV text
        source = source.to_csv(index=False).encode()
        name = name or "<DataFrame>"
    overrides = []
    for root, style in (settle or {}).items():
        if style not in ("am", "pm"):
            raise ValueError(f"settle: {root}={style}: the style is am or pm")
        overrides.append((str(root), style == "am"))
    sym = None if symbol is None else str(symbol)
    when = _instant(at, "at")
    multiplier, spot = _read_overrides(multiplier, spot)
    threads = _whole("threads", threads, 1, _JOBS_MAX, "threads (as --jobs)")
    day = _file_expiration(expiration_of_file)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Chain(_gex.read(source, False, _os.fsencode(name or "<bytes>"), format, strict, sym,
                               float(multiplier), float(spot), overrides, int(threads), when,
                               False, day))
    path = _os.fspath(source)
    if isinstance(path, bytes):
        path = _os.fsdecode(path)
    # the names as bytes: one that is not UTF-8 is read (os.fsdecode's str), as the command does
    return Chain(_gex.read(path, True, _os.fsencode(name or path), format, strict, sym,
                           float(multiplier), float(spot), overrides, int(threads), when, False,
                           day))


_LAST_DAY = (_dt.date(9999, 12, 31) - _dt.date(1970, 1, 1)).days


def _file_expiration(d: Any) -> int:
    """expiration_of_file as the library takes it: days since 1970-01-01, 0 for None (from
    the file's name); 1970-01-01 itself is refused, as --expiration-of-file refuses it."""
    if d is None:
        return 0
    day = _day("expiration_of_file", d)
    if day == 0:
        raise ValueError("expiration_of_file: 1970-01-01 is not an expiration")
    if not 0 < day <= _LAST_DAY:  # a count such as 20260618 is no day of ours: said, not read
        raise ValueError(f"expiration_of_file: {d!r} is not a date from 1970-01-02 to "
                         "9999-12-31 (a datetime.date or 'YYYY-MM-DD'; a whole number is "
                         "days since 1970-01-01)")
    return day


def read_snapshots(path: Union[str, "_os.PathLike[str]"], *, format: str = "auto",
                   strict: bool = False, symbol: Optional[str] = None, multiplier: float = 0.0,
                   spot: float = 0.0, settle: Optional[Dict[str, str]] = None,
                   threads: int = 1, expiration_of_file: Any = None) -> List[Chain]:
    """Every snapshot of a file (SPEC 2.9: rows captured at instants 30 s or more apart), each
    its own Chain, in the order of their quote instants: what read(path, at=t) gives for each
    (gex_chain_read_snapshots). A file of one snapshot gives one Chain, read once. The options
    are read()'s; each chain's read_report is read(path, at=t)'s: the file's rows and skipped
    rows, its own contracts, and the warnings of the file's rows then its own. Raises gex.Error
    as read() does, and as read(path, at=t) would for a snapshot it refuses (no spot in its
    rows, no open interest)."""
    return [Chain(h) for h in _snapshots(path, 1, format, strict, symbol, multiplier, spot,
                                         settle, threads, expiration_of_file)]


def _snapshots(path: Union[str, "_os.PathLike[str]"], mode: int, format: str, strict: bool,
               symbol: Optional[str], multiplier: float, spot: float,
               settle: Optional[Dict[str, str]], threads: int,
               expiration_of_file: Any = None) -> List[Any]:
    """read_snapshots' handles; mode 1 raises a snapshot's refusal, 2 puts its gex.Error in
    its place (history goes on with the file's other snapshots, as the command does)."""
    overrides = []
    for root, style in (settle or {}).items():
        if style not in ("am", "pm"):
            raise ValueError(f"settle: {root}={style}: the style is am or pm")
        overrides.append((str(root), style == "am"))
    name = _os.fspath(path)
    if isinstance(name, bytes):
        name = _os.fsdecode(name)
    sym = None if symbol is None else str(symbol)
    multiplier, spot = _read_overrides(multiplier, spot)
    threads = _whole("threads", threads, 1, _JOBS_MAX, "threads (as --jobs)")
    day = _file_expiration(expiration_of_file)
    return _gex.read(name, True, _os.fsencode(name), format, strict, sym, float(multiplier),
                     float(spot), overrides, int(threads), None, mode, day)


def _read_snapshots_apart(path: Union[str, "_os.PathLike[str]"], *, format: str = "auto",
                          strict: bool = False, symbol: Optional[str] = None,
                          multiplier: float = 0.0, spot: float = 0.0,
                          settle: Optional[Dict[str, str]] = None, threads: int = 1,
                          expiration_of_file: Any = None) -> List[Union[Chain, Exception]]:
    """read_snapshots, each snapshot refused (no spot, no open interest) given as its gex.Error
    in its place instead of raised."""
    return [h if isinstance(h, Exception) else Chain(h)
            for h in _snapshots(path, 2, format, strict, symbol, multiplier, spot, settle,
                                threads, expiration_of_file)]


def _instant(t: Any, what: str) -> Union[None, int, str]:
    """An instant argument (what: "now", "at") as the library takes it, in --now's forms: None;
    UTC seconds for an aware datetime; "@SECONDS" for a number (an int, a numpy integer or a
    finite float, rounded down), read with --now's bounds; text, read as New York time when it
    has no zone, for a naive datetime or a text."""
    if t is None or isinstance(t, str):
        return t
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            return t.strftime("%Y-%m-%d %H:%M:%S")
        return f"@{int(t.timestamp() // 1)}"  # read as --now @SECONDS, with its bounds
    if isinstance(t, bool):
        raise TypeError(f"{what}: a datetime, a text, or UTC seconds")
    if hasattr(t, "__index__"):  # int, numpy integers
        v = _operator.index(t)
    elif isinstance(t, (float, np.floating)):
        if not np.isfinite(t):
            raise ValueError(f"{what}: {t!r} is not a finite number of UTC seconds")
        v = int(t // 1)
    else:
        raise TypeError(f"{what}: a datetime, a text, or UTC seconds")
    # as --now @SECONDS: the library reads the count with the command's bounds and words
    return f"@{v}"


class Analysis:
    """One underlying's analysis (gex/analysis.h), built by gex.analyze().

    Attributes: chain, symbol, spot, quote_time (UTC datetime), rate, div, unit, flip_method,
    exercise, greeks; totals (dict: net_gex, net_dex, net_vex, net_chex, call_gex, put_gex,
    gross_gex in the analysis's units; contracts, used, filtered, excluded by status; american
    and american_refused, the used contracts priced American and those the model refused (two
    exercise boundaries), and greeks_from_file and greeks_file_missing, the used contracts whose
    delta and gamma are the file's and those that kept the model's); levels (dict of SPEC 1.6
    levels, each a strike/spot or None: gamma_flip, max_positive_gamma, max_negative_gamma,
    call_wall, put_wall, highest_oi_strike, zero_dte_magnet, resistance, support,
    abs_gamma_strike; None when no contract was used); regime (SPEC 1.7: regime +1/-1/0,
    vanna_aligned, dist_to_flip in percent of spot, confidence, meaning, vendor_regime);
    zero_dte (net_gex, pct_of_total_gex, expiration as a date; None without 0DTE contracts);
    hedging (computed on each access: {"down": ..., "up": ...} for a -1% and +1% move, each
    shares, notional_usd and direction "buy", "sell" or "none").
    """

    __slots__ = ("_h", "_info", "chain")

    def __init__(self, handle: Any, chain: Chain) -> None:
        self._h = handle
        self._info = _gex.analysis_info(handle)
        self.chain = chain

    symbol = property(lambda self: self._info["symbol"])
    spot = property(lambda self: self._info["spot"])
    rate = property(lambda self: self._info["rate"])
    div = property(lambda self: self._info["div"])
    unit = property(lambda self: self._info["unit"])
    flip_method = property(lambda self: self._info["flip_method"])
    exercise = property(lambda self: self._info["exercise"])
    greeks = property(lambda self: self._info["greeks"])
    totals = property(lambda self: dict(self._info["totals"]))
    levels = property(lambda self: None if self._info["levels"] is None
                      else dict(self._info["levels"]))
    regime = property(lambda self: dict(self._info["regime"]))

    @property
    def quote_time(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self._info["quote_time"], _dt.timezone.utc)

    @property
    def zero_dte(self) -> Optional[Dict[str, Any]]:
        z = self._info["zero_dte"]
        if z is None:
            return None
        z = dict(z)
        z["expiration"] = _dt.date(1970, 1, 1) + _dt.timedelta(days=z["expiration"])
        return z

    @property
    def hedging(self) -> Dict[str, Dict[str, Any]]:
        down, up = _gex.analysis_hedging(self._h)
        return {"down": down, "up": up}

    def strikes(self) -> Table:
        """Per-strike table, ascending strike: strike, call/put/net of gex, dex, vex, chex, and
        call/put open interest and volume (a table of its own: yours to change)."""
        buf, rows = _gex.analysis_strikes(self._h)
        a = np.frombuffer(buf, dtype=np.float64).reshape(rows, len(_STRIKE_FIELDS)).copy()
        if _pd is not None:
            return _pd.DataFrame(a, columns=list(_STRIKE_FIELDS), copy=False)
        return {k: a[:, i] for i, k in enumerate(_STRIKE_FIELDS)}

    def by_expiration(self) -> Table:
        """Per-expiration table, ascending date, every expiration of the chain as gex
        expirations lists them: expiration (datetime64[D]) and its totals (net_gex, net_dex,
        net_vex, net_chex, call_gex, put_gex, gross_gex), contracts, used and call/put open
        interest of its used contracts; an expiration none of whose contracts is used (expired,
        filtered, or without an IV) has used 0 and zeros (a table of its own: yours to
        change)."""
        dates, values, rows = _gex.analysis_expirations(self._h)
        a = np.frombuffer(values, dtype=np.float64).reshape(rows, len(_EXPIRY_FIELDS)).copy()
        cols: Dict[str, np.ndarray] = {
            "expiration": _EPOCH + np.frombuffer(dates, dtype=np.int32).astype("timedelta64[D]")}
        for i, k in enumerate(_EXPIRY_FIELDS):
            cols[k] = a[:, i].astype(np.int64) if k in ("contracts", "used") else a[:, i]
        return _table(cols)

    def contracts(self) -> Table:
        """Per-contract table aligned with the chain: strike, expiration, type, T, iv, status
        and the greeks per share (delta, gamma, vega, vanna, charm) and exposures (gex, dex,
        vex, chex, in the analysis's units), included (0/1: entered the exposures). The greeks
        and exposures are NaN where the contract did not enter them (filtered out, or excluded
        by its status), and iv where its status is not ok: unknown, as the command's null, not
        0. A table of its own, yours to change: every column is a copy, none the chain's."""
        c = self.chain
        # copies, not the chain's read-only columns: the table is the caller's to change
        status = c.column("status").copy()
        cols: Dict[str, np.ndarray] = {
            "strike": c.column("strike").copy(),
            "expiration": _EPOCH + c.column("expiration").astype("timedelta64[D]"),
            "type": c.column("type").copy(),
            "T": c.column("T").copy(),
            "iv": np.where(status == 0, c.column("iv"), np.nan),
            "status": status,
            "open_interest": c.column("open_interest").copy(),
        }
        arrays = _gex.analysis_contracts(self._h)
        included = np.frombuffer(arrays["included"], dtype=np.uint8)
        for k, buf in arrays.items():
            cols[k] = (included.copy() if k == "included"
                       else np.where(included == 1, np.frombuffer(buf, dtype=np.float64), np.nan))
        return _table(cols)

    def profile(self, lo: Optional[float] = None, hi: Optional[float] = None,
                n: int = 81) -> Table:
        """P(x): the net GEX (the analysis's unit) recomputed at n spots from lo to hi
        (default the spot -20% .. +20%, as gex profile), the command's grid
        (gex_profile_spots): the same spots and values as its document."""
        lo = self.spot * 0.8 if lo is None else _number("lo", lo)
        hi = self.spot * 1.2 if hi is None else _number("hi", hi)
        if not 0 < lo < hi:
            raise ValueError(f"lo, hi: {lo!r}, {hi!r}: spots with 0 < lo < hi")
        n = _whole("n", n, 2, 100000, "spots")
        xs, ps = _gex.analysis_profile(self._h, lo, hi, int(n))
        return _table({"spot": np.frombuffer(xs, dtype=np.float64).copy(),
                       "net_gex": np.frombuffer(ps, dtype=np.float64).copy()})

    def document(self, name: str = "summary", range_pct: float = 20.0,
                 points: int = 81) -> Dict[str, Any]:
        """The JSON document `gex NAME --format json` prints, as a dict (the vendor's shapes
        and gex's meta): greeks, gex, dex, vex, chex, exposure, levels, summary, profile
        (range_pct and points as --range, --points), expirations."""
        return _json.loads(self.document_text(name, range_pct, points))

    def document_text(self, name: str = "summary", range_pct: float = 20.0,
                      points: int = 81) -> str:
        """The same document as the exact text the command prints."""
        range_pct = _number("range_pct", range_pct)
        if not 0 < range_pct < 100:
            raise ValueError(f"range_pct: {range_pct!r} must be above 0 and below 100 (percent, "
                             "as --range)")
        points = _whole("points", points, 2, 100000, "spots (as --points)")
        return _gex.analysis_document(self._h, name, float(range_pct), int(points))

    def __repr__(self) -> str:
        t = self.totals
        return (f"<gex.Analysis {self.symbol} spot {self.spot:g}: net GEX {t['net_gex']:.6g} "
                f"({self.unit}), {t['used']} of {t['contracts']} contracts used>")


def analyze(chain: Chain, *, unit: str = "pct",
            expirations: Union[None, str, _dt.date, Sequence[Union[str, _dt.date, int]]] = None,
            exclude_expirations: Union[None, str, _dt.date,
                                       Sequence[Union[str, _dt.date, int]]] = None,
            max_dte: Optional[int] = None, min_oi: float = 0.0, min_bid: float = 0.0,
            max_delta: float = 0.0, flip_method: str = "profile", exercise: str = "european",
            greeks: str = "model") -> Analysis:
    """Analyses a prepared chain of one underlying (gex_analysis_new), with the command line's
    options: unit "pct" | "point" | "shares" (--gex-unit); expirations: dates to keep
    ('YYYY-MM-DD', datetime.date, numpy datetime64, days since 1970-01-01, or '0dte' for the
    quote date; a list or a numpy array of them; --expiration);
    exclude_expirations (--exclude-expiration); max_dte: calendar days (--max-dte); min_oi
    (--min-oi); min_bid (--min-bid, 0: none); max_delta: |delta| limit in (0, 1] (--max-delta,
    0 or 1: none); flip_method "profile" | "strike" (--flip-method); exercise "european" | "auto" |
    "american" (--exercise: the exposures' delta and gamma from the American model for no
    contract, for the roots American by style, or for all; SPEC 1.8); greeks "model" | "file"
    (--greeks: the file's own delta and gamma columns where it has both).

    An analysis whose filters leave no contract is still made (totals["used"] == 0, levels
    None), as the library makes it. A chain whose every contract has no open interest (one
    underlying of a file of several, taken by select) raises gex.Error, as every command refuses
    it: its exposures would print as zeros where they are unknown. The chain is kept alive by
    the analysis.
    """
    if not isinstance(chain, Chain):
        raise TypeError("analyze: expected a gex.Chain (gex.read(...).prepare())")
    if max_dte is not None:
        max_dte = _whole("max_dte", max_dte, 0, 100000, "days")
    min_oi = _at_least_zero("min_oi", min_oi)
    min_bid = _at_least_zero("min_bid", min_bid)
    max_delta = _number("max_delta", max_delta)
    if not 0 <= max_delta <= 1:
        raise ValueError(f"max_delta: {max_delta!r} must be from 0 to 1 (0 or 1: no limit)")
    _gex.check_open_interest(chain._h)
    keep, zero = _dates("expirations", expirations)
    drop, drop_zero = _dates("exclude_expirations", exclude_expirations)
    h = _gex.analyze(chain._h, unit, keep, zero, drop, drop_zero,
                     -1 if max_dte is None else int(max_dte), float(min_oi), float(min_bid),
                     float(max_delta), flip_method, exercise, greeks)
    return Analysis(h, chain)


def _broadcast(arrays: Sequence[Any], types: Any) -> Tuple[int, Tuple[np.ndarray, ...], Tuple[int, ...]]:
    arrs = [np.asarray(a, dtype=np.float64) for a in arrays]
    t = np.asarray(types)
    if t.dtype.kind in "US":
        lower = np.char.lower(t.astype(str))
        bad = ~np.isin(lower, ["c", "call", "p", "put"])
        if bad.any():
            raise ValueError("type: 'call'/'c' or 'put'/'p' (or 0 call, 1 put)")
        t = np.isin(lower, ["p", "put"]).astype(np.uint8)
    else:
        if not np.isin(t, [0, 1]).all():
            raise ValueError("type: 0 (call) or 1 (put), or 'call'/'put'")
        t = t.astype(np.uint8)
    out = np.broadcast_arrays(*arrs, t)
    shape = out[0].shape
    flat = tuple(np.ascontiguousarray(a).reshape(-1) for a in out)
    return int(np.prod(shape, dtype=np.int64)), flat, shape


def greeks(S: Any, K: Any, T: Any, r: Any = 0.045, q: Any = 0.013, sigma: Any = 0.2,
           type: Any = "call", *, price: bool = False) -> Dict[str, np.ndarray]:
    """Black-Scholes-Merton greeks per share, vectorised with numpy broadcasting
    (gex_bs_greeks_batch): S spot, K strike (currency), T years, r and q continuously
    compounded fractions, sigma a fraction (0.2 = 20%), type "call"/"put" (or 0/1).

    Returns a dict of arrays of the broadcast shape: delta, gamma (per $1), vega (per 1.00 of
    vol), vanna (d delta / d sigma), charm (d delta / d t, per year), price when price=True,
    and status (0 ok, 1 bad input, 2 overflow); the greeks are NaN where status is not 0.
    """
    n, (s, k, t, rr, qq, sig, ty), shape = _broadcast((S, K, T, r, q, sigma), type)
    out = {name: np.empty(n) for name in ("delta", "gamma", "vega", "vanna", "charm")}
    p = np.empty(n) if price else None
    status = np.empty(n, dtype=np.uint8)
    _gex.greeks(n, s, k, t, rr, qq, sig, ty, p, out["delta"], out["gamma"], out["vega"],
                out["vanna"], out["charm"], status)
    if p is not None:
        out["price"] = p
    bad = status != 0
    result = {}
    for name, v in out.items():
        if bad.any():
            v[bad] = np.nan
        result[name] = v.reshape(shape)
    result["status"] = status.reshape(shape)
    return result


def implied_vol(price: Any, S: Any, K: Any, T: Any, r: Any = 0.045, q: Any = 0.013,
                type: Any = "call") -> Tuple[np.ndarray, np.ndarray]:
    """Implied volatility (fraction) from an option's price per share, vectorised with numpy
    broadcasting (gex_bs_implied_vol_batch). Returns (sigma, status): status 0 ok, 1 no quote,
    2 below intrinsic, 3 above the no-arbitrage maximum, 4 not converged, 5 bad input; sigma is
    NaN where status is not 0."""
    n, (p, s, k, t, rr, qq, ty), shape = _broadcast((price, S, K, T, r, q), type)
    sigma = np.empty(n)
    status = np.empty(n, dtype=np.uint8)
    _gex.implied_vol(n, p, s, k, t, rr, qq, ty, sigma, status)
    sigma[status != 0] = np.nan
    return sigma.reshape(shape), status.reshape(shape)


def snapshot(analysis: Analysis) -> Dict[str, Any]:
    """The snapshot of an analysis for gex history (gex_snapshot_from_analysis, SPEC 6): a
    dict of symbol, currency, quote_time (UTC seconds), spot, net_gex, net_dex, net_vex, net_chex (the
    analysis's units), zero_dte_pct, call_oi, put_oi (contracts the filters keep, not
    expired), and the levels gamma_flip, call_wall, put_wall, max_positive_gamma,
    max_negative_gamma, atm_iv, put_wing_iv_25d, call_wing_iv_25d (percent at 30 days), None
    when absent. An analysis that used no contract raises the gex.Error gex history gives it
    (nothing usable): its exposures and open interest are unknown, not zeros."""
    if not isinstance(analysis, Analysis):
        raise TypeError("snapshot: expected a gex.Analysis")
    return _gex.snapshot(analysis._h)


# gex history on one process or on a Dask cluster (gex/_history.py).
from ._history import file_snapshots, history, history_dask  # noqa: E402
from ._history import rows as history_rows  # noqa: E402
