"""gex history in Python (SPEC 6): the snapshots of chain files, one per underlying, file and
quote instant, and the series measures per underlying, as the rows of ``gex history --format
json``; on the calling process (threads) or on a Dask cluster (one task per batch of files, each
computed by the package on a worker, the snapshots gathered and the series measured on the
caller).

The rows equal the command's: the same columns in the same order (symbol, currency, as_of as ISO 8601
UTC text, spot, net_gex ... file), the same values (None/NaN where the command writes null),
duplicates (one underlying at one instant in two files) resolved as the command does (the file
modified last wins, with a warning), --symbol, --from and --to applied as it applies them.
"""
from __future__ import annotations

import datetime as _dt
import os as _os
import warnings as _warnings
from concurrent.futures import ThreadPoolExecutor as _Pool
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _gex

PathLike = Union[str, "_os.PathLike[str]"]

# The columns of `gex history`, in its order (src/render/render-history.c).
COLUMNS: Tuple[str, ...] = (
    "symbol", "currency", "as_of", "spot", "net_gex", "net_dex", "net_vex", "net_chex", "gamma_flip",
    "call_wall", "put_wall", "max_positive_gamma", "max_negative_gamma", "zero_dte_pct",
    "atm_iv", "put_wing_iv_25d", "call_wing_iv_25d", "rv_5d", "rv_10d", "rv_20d", "rv_30d",
    "vrp_5d", "vrp_10d", "vrp_20d", "vrp_30d", "variance_risk_premium", "z_score",
    "percentile", "history_days", "call_oi", "put_oi", "call_oi_change", "put_oi_change",
    "file")

_TEXT_COLUMNS = ("symbol", "currency", "as_of", "file")

_CHAIN_SUFFIXES = (".csv", ".json", ".dat")
_PACKED_SUFFIXES = (".gz", ".zst", ".xz", ".bz2")


def _is_chain_name(name: str) -> bool:
    if name.startswith("."):
        return False
    low = name.lower()
    for packed in _PACKED_SUFFIXES:
        if low.endswith(packed) and len(low) > len(packed):
            low = low[: -len(packed)]
            break
    return any(low.endswith(s) and len(low) > len(s) for s in _CHAIN_SUFFIXES)


def expand(paths: Union[PathLike, Iterable[PathLike]]) -> List[str]:
    """The chain files of paths as gex history takes them: a folder stands for the regular
    files directly in it whose names end in .csv, .json or .dat (also followed by .gz, .zst, .xz
    or .bz2, any case) and do not start with a dot, in name order; a file stands for itself.
    Raises gex.Error for a folder without one, as the command refuses it."""
    out, failed = _expand_apart(paths)
    if failed:
        raise failed[0]
    return out


def _expand_apart(paths: Union[PathLike, Iterable[PathLike]]) -> Tuple[List[str], List[Exception]]:
    """expand()'s files, and the gex.Error of each folder without one apart (the command
    reports such a folder and goes on with the others)."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    out: List[str] = []
    failed: List[Exception] = []
    for p in paths:  # type: ignore[union-attr]
        path = _os.fsdecode(_os.fspath(p))
        if path != "-" and _os.path.isdir(path):
            sep = "" if path.endswith("/") else "/"
            names = sorted((n for n in _os.listdir(path) if _is_chain_name(n) and
                            _os.path.isfile(path + sep + n)), key=_os.fsencode)
            if not names:
                failed.append(_error(path, "the folder holds no chain file (*.csv, *.json, "
                                           "*.dat)"))
            out.extend(path + sep + n for n in names)
        else:
            out.append(path)
    return out, failed


def _listed(paths: Union[PathLike, Iterable[PathLike]], errors: str) -> List[str]:
    """The files of history's paths (expand()). No path at all is refused with ValueError, as
    the command refuses none; a folder without a chain file is a failure the command reports
    before it reads a file and goes on: raised (errors="raise") or warned."""
    if not (isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__")):
        paths = list(paths)  # type: ignore[arg-type]
        if not paths:
            raise ValueError("paths: history needs a folder or FILEs (the list is empty)")
    files, failed = _expand_apart(paths)
    for e in failed:
        if errors == "raise":
            raise e
        _warnings.warn(str(e), stacklevel=4)
    return files


def _error(path: Optional[str], text: str, status: int = _gex.EINVAL, line: int = 0) -> Exception:
    """A gex.Error raised here, as the module makes them: str() "PATH[:LINE]: TEXT" (TEXT alone
    without a path) and status the library's name of the status (gex_strerror)."""
    where = f"{path}:{line}" if path and line else path
    e = _gex.Error(f"{where}: {text}" if where else text)
    e.status, e.file, e.line, e.text = _gex.strerror(status), path, line, text
    return e


def _named(e: Exception, label: str) -> Exception:
    """An underlying's error named as the command names it: "FILE[:LINE]: LABEL: TEXT", LABEL
    its symbol (of a file of several underlyings) and " at INSTANT" (of several snapshots)."""
    if not label:
        return e
    file, line, text = getattr(e, "file", ""), getattr(e, "line", 0), getattr(e, "text", str(e))
    where = f"{file}:{line}" if line else file
    n = _gex.Error(f"{where}: {label}: {text}" if where else f"{label}: {text}")
    n.status, n.file, n.line, n.text = getattr(e, "status", ""), file, line, f"{label}: {text}"
    return n


def file_snapshots(path: PathLike, *, rate: float = 0.045, div: float = 0.013,
                   now: Any = None, now_from_mtime: bool = False, iv_source: str = "auto",
                   carry: str = "parity", format: str = "auto", strict: bool = False, multiplier: float = 0.0,
                   spot: float = 0.0, settle: Optional[Dict[str, str]] = None,
                   unit: str = "pct", flip_method: str = "profile", symbol: Optional[str] = None,
                   expiration_of_file: Any = None,
                   **analyze_options: Any) -> List[Dict[str, Any]]:
    """The snapshots of one chain file (gex_snapshot_from_analysis), one per underlying and
    quote instant (every snapshot of a file of several, SPEC 2.9), as dicts of plain values
    (symbol, quote_time in UTC seconds, spot, net_gex ..., call_oi, put_oi; a level without a
    value is None) plus file (the path) and mtime_ns. The file is read whole, prepared per
    underlying (rate, div, now, iv_source, carry as gex.Chain.prepare) and analysed (unit,
    flip_method and the filters of gex.analyze). symbol (any case) computes that underlying
    alone: a file without it gives none, and the others' failures are not its own (--symbol, as
    the command shows them). A file without a quote instant of its own is refused unless now or
    now_from_mtime dates it (--now, --now-from-mtime); expiration_of_file is gex.read's
    (--expiration-of-file); an underlying of a file of several whose
    contracts all have zero open interest is refused, as the command refuses it. Raises the
    gex.Error of the first underlying that fails, as the command reports the file."""
    snaps, errors = _file_parts(path, rate=rate, div=div, now=now, now_from_mtime=now_from_mtime,
                                iv_source=iv_source, carry=carry, format=format, strict=strict,
                                multiplier=multiplier, spot=spot, settle=settle, unit=unit,
                                flip_method=flip_method, symbol=symbol,
                                expiration_of_file=expiration_of_file, **analyze_options)
    if errors:
        raise errors[0]
    return snaps


def _file_parts(path: PathLike, *, rate: float = 0.045, div: float = 0.013, now: Any = None,
                now_from_mtime: bool = False, iv_source: str = "auto", carry: str = "parity",
                format: str = "auto", strict: bool = False, multiplier: float = 0.0,
                spot: float = 0.0, settle: Optional[Dict[str, str]] = None, unit: str = "pct",
                flip_method: str = "profile", symbol: Optional[str] = None,
                expiration_of_file: Any = None,
                **analyze_options: Any) -> Tuple[List[Dict[str, Any]], List[Exception]]:
    """file_snapshots' snapshots and the gex.Error of each underlying that failed, apart: as the
    command, an underlying or a snapshot that fails leaves the file's others (history's
    errors="warn" keeps them). A file that cannot be read raises."""
    from . import _read_snapshots_apart, analyze  # the package's other half (gex/__init__.py)

    name = _os.fsdecode(_os.fspath(path))
    try:
        st = _os.stat(name) if name != "-" else None
    except OSError:
        st = None  # the read below says why the file cannot be read, as the command does
    options = dict(format=format, strict=strict, multiplier=multiplier, spot=spot, settle=settle,
                   expiration_of_file=expiration_of_file)
    chains = _read_snapshots_apart(name, **options)
    out: List[Dict[str, Any]] = []
    # as the command prints them: the snapshots refused by the read, then the underlyings
    refused = [c for c in chains if isinstance(c, Exception)]
    errors: List[Exception] = []
    several = len(chains) > 1
    for chain in chains:
        if isinstance(chain, Exception):  # a snapshot refused: the others go on
            continue
        when = now
        report = chain.read_report
        if when is None and chain.quote_time is None and report.get("bad_quote_times"):
            # quote time cells that cannot be read: the reader's line and value, as the command
            # says them, with or without now_from_mtime (the file does date itself)
            raise _error(name, report["time_note"], _gex.ENOTIME, report["time_note_line"])
        if when is None and chain.quote_time is None:
            if not now_from_mtime or st is None:
                raise _error(name, "the file holds no quote instant of its own, so history "
                                   "cannot place it in time: pass now_from_mtime=True to date "
                                   "it by its modification time", _gex.ENOTIME)
            when = int(st.st_mtime)
        symbols = chain.symbols
        quoted = chain.quote_time  # an aware datetime, or None
        instant = (" at " + quoted.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                   if several and quoted is not None else "")
        for sym in symbols:
            if symbol is not None and sym.lower() != str(symbol).lower():
                continue
            label = (sym if len(symbols) > 1 or several else "") + instant
            try:
                part = chain.select(sym) if len(symbols) > 1 else chain
                if label:
                    # the read refuses a file (or a snapshot) only when all of its contracts
                    # have no open interest, or none of its underlyings gives a spot; one
                    # underlying's are checked here, as the command does
                    # (gex_chain_check_spot, gex_chain_check_open_interest)
                    _gex.check_spot(part._h)
                    _gex.check_open_interest(part._h)
                prepared = part.prepare(rate=rate, div=div, now=when, iv_source=iv_source,
                                        carry=carry)
                a = analyze(prepared, unit=unit, flip_method=flip_method, **analyze_options)
                # an analysis that used no contract is refused with the command's gex.Error
                # (nothing usable): its exposures are unknown, not zeros
                snap = _gex.snapshot(a._h)
            except _gex.Error as e:
                errors.append(_named(e, label))
                continue
            snap["file"] = name
            snap["mtime_ns"] = st.st_mtime_ns if st is not None else 0
            out.append(snap)
    return out, refused + errors


def _plain(e: Exception) -> Dict[str, Any]:
    """A gex.Error as plain values (a Dask worker sends them back): its message, status, file,
    line and text."""
    return {"message": str(e), "status": getattr(e, "status", None),
            "file": getattr(e, "file", None), "line": getattr(e, "line", 0),
            "text": getattr(e, "text", str(e))}


def _unplain(d: Dict[str, Any]) -> Exception:
    e = _gex.Error(d["message"])
    e.status, e.file, e.line, e.text = d["status"], d["file"], d["line"], d["text"]
    return e


def _renamed(e: Exception, opened: str, shown: str) -> Exception:
    """A gex.Error about the file opened as one about shown, the caller's name of it (a Dask
    worker opens the absolute path of a relative one)."""
    if opened == shown or getattr(e, "file", None) != opened:
        return e
    line, text = getattr(e, "line", 0), getattr(e, "text", str(e))
    n = _gex.Error(f"{shown}:{line}: {text}" if line else f"{shown}: {text}")
    n.status, n.file, n.line, n.text = getattr(e, "status", ""), shown, line, text
    return n


def _files_task(files: Sequence[Tuple[str, str]],
                options: Dict[str, Any]) -> List[Tuple[str, Any]]:
    """One task: of each file (the caller's name of it, the path opened), the snapshots and
    the error (_plain) of each snapshot or underlying that failed, or of the file when it could
    not be read; both name the file as the caller does."""
    results: List[Tuple[str, Any]] = []
    for shown, opened in files:
        try:
            snaps, errors = _file_parts(opened, **options)
        except _gex.Error as e:
            results.append(("error", _plain(_renamed(e, opened, shown))))
            continue
        except (OSError, UnicodeError) as e:
            # a file of its own that fails otherwise is its failure, not the run's: named, so
            # that errors="warn" leaves it out as it leaves out a file the reader refuses
            results.append(("error", _plain(_error(shown, f"cannot be read: {e}", _gex.EIO))))
            continue
        results.extend(("error", _plain(_renamed(e, opened, shown))) for e in errors)
        for snap in snaps:
            snap["file"] = shown
        results.append(("ok", snaps))
    return results


def _iso(t: int) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_of(t: Any, end: bool) -> Optional[int]:
    """A bound as --from and --to read it: a date is a New York day (its first second for
    start, its last for end); a datetime or ISO text without a zone is New York time; an aware
    one is itself; a number is UTC seconds."""
    from zoneinfo import ZoneInfo

    if t is None:
        return None
    ny = ZoneInfo("America/New_York")
    if isinstance(t, str):
        try:
            t = _dt.date.fromisoformat(t)
        except ValueError:
            t = _dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=ny)
        return int(t.timestamp() // 1)
    if isinstance(t, _dt.date):
        day = t + _dt.timedelta(days=1) if end else t
        midnight = int(_dt.datetime(day.year, day.month, day.day, tzinfo=ny).timestamp())
        return midnight - 1 if end else midnight
    if isinstance(t, (int, float)) and not isinstance(t, bool):
        return int(t // 1)
    raise TypeError("start/end: a date, a datetime, ISO 8601 text or UTC seconds")


def _bounds(start: Any, end: Any) -> Tuple[Optional[int], Optional[int]]:
    """start and end as UTC seconds (_time_of); a start after the end is refused with
    ValueError, as the command refuses --from after --to, rather than giving no rows."""
    lo, hi = _time_of(start, False), _time_of(end, True)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {start!r} is after end {end!r}: nothing can be shown (as "
                         "--from after --to)")
    return lo, hi


def _same_file(a: str, b: str) -> bool:
    """Whether two names of files are one file, as the command tells them (realpath)."""
    if not a or not b or "-" in (a, b):  # no file (gex.snapshot's), or the standard input
        return False
    return a == b or _os.path.realpath(a) == _os.path.realpath(b)


def rows(snapshots: Iterable[Dict[str, Any]], *, symbol: Optional[str] = None,
         start: Any = None, end: Any = None) -> List[Dict[str, Any]]:
    """The rows of gex history from snapshots of file_snapshots (any order, any number of
    files): symbol keeps one underlying (any case; --symbol); duplicates of one underlying at one
    instant resolved (the file modified last wins, then the later path; a warning names the file
    left out); the series measures of each underlying over its whole series
    (gex_history_metrics_compute); then start and end (UTC; --from, --to) select rows. In
    time order, then by underlying. start and end: a date (a New York day, as --from and --to
    take it), a datetime (New York time when naive), ISO 8601 text, or UTC seconds; a start
    after the end raises ValueError, as the command refuses --from after --to."""
    lo, hi = _bounds(start, end)
    # gex.snapshot(analysis) has no file: "" and a modification time of 0 (the order of two at
    # one instant is then the order they came in)
    snaps = [dict({"file": "", "mtime_ns": 0}, **s) for s in snapshots
             if symbol is None or s["symbol"].lower() == str(symbol).lower()]
    snaps.sort(key=lambda s: (s["symbol"].encode(), s["quote_time"], s["mtime_ns"],
                              _os.fsencode(s["file"])))
    kept = []
    for i, s in enumerate(snaps):
        nxt = snaps[i + 1] if i + 1 < len(snaps) else None
        if (nxt is not None and nxt["symbol"] == s["symbol"]
                and nxt["quote_time"] == s["quote_time"]):
            if _same_file(s["file"], nxt["file"]):
                continue  # the same file named twice (a folder and a file in it): no word
            _warnings.warn(f"{s['file']}: {s['symbol']} at {_iso(s['quote_time'])} is also in "
                           f"{nxt['file']}, a newer file, which wins: this file's snapshot is "
                           "left out", stacklevel=3)
            continue
        kept.append(s)
    out = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and kept[j]["symbol"] == kept[i]["symbol"]:
            j += 1
        series = kept[i:j]
        for s, m in zip(series, _gex.history_metrics(series)):
            t = s["quote_time"]
            if (lo is not None and t < lo) or (hi is not None and t > hi):
                continue
            row = dict(s)
            row.setdefault("currency", "USD")  # a snapshot made before snapshots carried it
            row.update(m)
            row["as_of"] = _iso(t)
            out.append(row)
        i = j
    out.sort(key=lambda r: (r["quote_time"], r["symbol"].encode()))
    return [{c: r[c] for c in COLUMNS} for r in out]


def _frame(rs: List[Dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised where pandas is absent
        return rs
    df = pd.DataFrame(rs, columns=list(COLUMNS))
    # a measure null on every row (a series too short for it) is NaN, as the other nulls are,
    # not a column of None
    for c in COLUMNS:
        if c not in _TEXT_COLUMNS and df[c].dtype == object:
            df[c] = df[c].astype(float)
    return df


def _batches(files: Sequence[Tuple[str, str]], size: int) -> List[List[Tuple[str, str]]]:
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


def _collect(results: Iterable[List[Tuple[str, Any]]], errors: str,
             symbol: Optional[str]) -> List[Dict[str, Any]]:
    snaps: List[Dict[str, Any]] = []
    for batch in results:
        for kind, value in batch:
            if kind == "ok":
                snaps.extend(value)
            elif errors == "raise":
                raise _unplain(value)
            else:
                _warnings.warn(value["message"], stacklevel=3)
    if symbol is not None and not snaps:
        # as the command: most likely a misspelt symbol
        text = f"no file read holds {symbol} (symbol=...); check the symbol"
        if errors == "raise":
            raise _error(None, text, _gex.EEMPTY)
        _warnings.warn(text, stacklevel=3)
    return snaps


def _one_instant(snaps: List[Dict[str, Any]], options: Dict[str, Any]) -> None:
    """As the command: now= dates every snapshot at one instant, so two of an underlying would
    be one; refused (ValueError) rather than keep either."""
    if options.get("now") is None:
        return
    seen: Dict[str, int] = {}
    for s in snaps:
        seen[s["symbol"]] = seen.get(s["symbol"], 0) + 1
    for sym, count in seen.items():
        if count > 1:
            t = next(s["quote_time"] for s in snaps if s["symbol"] == sym)
            raise ValueError(f"now= dates every snapshot at {_iso(t)}, so the {count} snapshots "
                             f"of {sym} read would be one: leave now= out (each snapshot is "
                             "dated by its own quote instant)")


def _check(errors: str) -> None:
    if errors not in ("raise", "warn"):
        raise ValueError("errors: 'raise' (the first file that fails) or 'warn' (skip it)")


def _check_client(client: Any) -> None:
    """Refuses a client that cannot run the tasks, before any is sent: a closed one
    (ValueError), a cluster without a worker (RuntimeError: the tasks would wait for one)."""
    status = str(getattr(client, "status", "running"))
    if status != "running":
        raise ValueError(f"client: the Dask client is {status}, not running: pass a client "
                         "connected to a running scheduler")
    try:
        workers = client.nthreads()
    except Exception as e:
        raise RuntimeError(f"the Dask scheduler did not answer ({type(e).__name__}: {e}): check "
                           "the cluster and run again") from e
    if not workers:
        raise RuntimeError("the Dask cluster has no worker, so no file would be read: start "
                           "workers (or scale the cluster up) and run again")


def history(paths: Union[PathLike, Iterable[PathLike]], *, symbol: Optional[str] = None,
            start: Any = None, end: Any = None, jobs: int = 1, errors: str = "raise",
            **options: Any) -> Any:
    """gex history on this process: the rows of ``gex history --format json`` for files and
    folders (expand()), as a pandas DataFrame (a list of dicts without pandas). Files are
    computed on jobs threads (the package releases the GIL; a whole number from 1 to 1024, as
    --jobs; another raises ValueError). symbol, start and end as rows();
    options as file_snapshots() (rate, div, now, now_from_mtime, iv_source, carry, unit,
    flip_method, the filters of gex.analyze, and the read options). errors: "raise" the gex.Error of the
    first file or underlying that fails, or "warn" and leave it out (as the command reports it
    and goes on: an underlying that fails leaves its file's others).
    No store is kept (the command's --db cache is its own)."""
    from . import _JOBS_MAX, _whole  # the package's other half (gex/__init__.py)

    _check(errors)
    _bounds(start, end)  # refused before any file is read, as the command refuses it
    jobs = _whole("jobs", jobs, 1, _JOBS_MAX, "threads (as --jobs)")
    options = dict(options, symbol=symbol)  # the other underlyings are not computed
    files = _listed(paths, errors)
    batches = _batches([(f, f) for f in files], 1)
    if jobs > 1 and len(batches) > 1:
        with _Pool(max_workers=int(jobs)) as pool:
            results = list(pool.map(lambda b: _files_task(b, options), batches))
    else:
        results = [_files_task(b, options) for b in batches]
    snaps = _collect(results, errors, symbol)
    _one_instant(snaps, options)
    return _frame(rows(snaps, symbol=symbol, start=start, end=end))


def history_dask(paths: Union[PathLike, Iterable[PathLike]], client: Any = None, *,
                 symbol: Optional[str] = None, start: Any = None, end: Any = None,
                 files_per_task: int = 8, errors: str = "raise", **options: Any) -> Any:
    """gex history distributed with Dask: the same rows as history() and as ``gex history
    --format json``. The files (expand(), listed here) are cut into tasks of files_per_task;
    each task runs on a worker, which computes the snapshots of its files with this package
    (read, prepare, analyze, gex_snapshot_from_analysis) and sends back plain dicts; the
    snapshots are gathered here, where the series measures are computed per underlying (they
    need the whole series, a few hundred bytes per snapshot) and the rows built.

    client: a dask.distributed.Client (Client("tcp://scheduler:8786") for a cluster); None
    takes the current default client, else runs the tasks on Dask's local threads. On a
    cluster every worker must have the package installed (the same version) and read the files
    at the same paths: shared storage (NFS, a mounted bucket) seen alike from the workers (a
    relative path is made absolute here; the rows and messages keep the caller's spelling).
    "-" (the standard input) raises ValueError; a closed client ValueError, a cluster without
    a worker RuntimeError, before any task is sent; a task the cluster loses RuntimeError,
    naming its first file.
    files_per_task: a whole number, at least 1 (another raises ValueError, a float or a bool
    TypeError, naming it). symbol, start, end, errors and options as history()."""
    import dask

    from . import _whole  # the package's other half (gex/__init__.py)

    _check(errors)
    _bounds(start, end)  # refused before any file is read, as the command refuses it
    files_per_task = _whole("files_per_task", files_per_task, 1, None, "files")
    options = dict(options, symbol=symbol)  # the other underlyings are not computed
    files = _listed(paths, errors)
    if "-" in files:
        raise ValueError("paths: '-' (standard input) cannot be read by a Dask worker: save the "
                         "chain to a file and list the file")
    # a worker opens the file the caller names, whatever its own working folder: the absolute
    # path, while the rows and messages keep the caller's name of it
    batches = _batches([(f, _os.path.abspath(f)) for f in files], files_per_task)
    if client is None:
        try:
            from distributed import default_client
            client = default_client()
        except (ImportError, ValueError):
            client = None
    if client is not None:
        _check_client(client)
        futures = client.map(_files_task, batches, options=options, pure=False)
        try:
            results = client.gather(futures)
        except Exception as e:  # the files' own failures come back as values: the cluster's
            failed = next((k for k, f in enumerate(futures) if f.status != "finished"), 0)
            first, n = batches[failed][0][0], len(batches[failed])
            which = f"this file and the {n - 1} after it" if n > 1 else "this file"
            raise RuntimeError(f"{first}: the Dask task of {which} failed ({type(e).__name__}: "
                               f"{e}): check the cluster (its workers and their logs) and run "
                               "again") from e
    else:
        tasks = [dask.delayed(_files_task)(b, options) for b in batches]
        results = dask.compute(*tasks)
    snaps = _collect(results, errors, symbol)
    _one_instant(snaps, options)
    return _frame(rows(snaps, symbol=symbol, start=start, end=end))
