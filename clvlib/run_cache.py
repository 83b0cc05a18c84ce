"""The run cache: a re-run reuses the loaded tables and the model fits of an earlier run.

It lives in the user's cache folder, ``~/.cache/clvlib/<client>/`` (``$XDG_CACHE_HOME`` is
respected, ``$CLVLIB_CACHE_DIR`` replaces ``~/.cache/clvlib``; ``cache_root``): never under
``data/raw`` and never under the reports, so a zipped ``reports/<client>/`` carries no copy of
the client's data. It is safe to delete at any time: a missing, half-written or unreadable entry
only means a cold run. Layout (``.cache`` = ``cache_root``)::

    .cache/<load key>/load/audit.duckdb   the loaded, validated tables (canonical columns)
    .cache/<load key>/load/state.json     row accounting, window, the day it was loaded
    .cache/<load key>/fits/<key>.pkl      results kept by ``remembered``
    .cache/<load key>/queries/<key>.pkl   query results kept by ``QueryMemo``
    .cache/.tmp-<pid>-<random>/           an entry being written (renamed into place)

**The load key** (``load_key``) is the sha256 of every source file's bytes, of the parts of
``client.yml`` that loading and validation read (``LOAD_PARTS``: the sources with their column
mappings, CSV dialect, return flags and sheets; the observation window; the funnel's step
names), of the loading code (``clvlib/data``, ``clvlib/config.py``), of the clvlib, DuckDB,
ibis and pandas versions and ``SCHEMA_VERSION``. Economics, texts, locale, retention settings …
(``OTHER_PARTS``) are not in it, so a re-run after changing them reuses the load. A database
source cannot be checksummed cheaply: a client with one is never cached (``load_key`` is None).

**The fit memo** (``remembered``) keys a result by the load key, the code of the whole clvlib
package, the numeric libraries' versions, a name and the settings it depends on.

**The query memo** (``QueryMemo``, used by ``clvlib.backends.fetch``) keys a DuckDB result by
the load key, the query's SQL text and the DuckDB and ibis versions — only for queries that read
nothing but the run's canonical tables, so the text and the load key determine the result (a
query over a frame a step made, over a temporary table or with random numbers is never kept).
A re-run after an economics change thus skips the queries of steps II–V that do not depend on
it, and gets the very same rows.

**Bounds:** the newest ``KEEP_LOADS`` load keys per client are kept with their fits and query
results, the newest ``KEEP_FITS`` fits (at most ``KEEP_FIT_BYTES``, 2 GiB) and ``KEEP_QUERIES``
query results (at most ``KEEP_QUERY_BYTES``) per load key (newest = last written or used);
older ones are deleted when a run stores a new one. A load entry is about the
size of the loaded tables in DuckDB (a run hard-links it into its ``_work/``: no second copy).
``CLVLIB_NO_CACHE=1`` (or ``clv-audit run --no-cache``) neither reads nor writes the cache.

**Days and engines:** rows dated after the day of loading are excluded (``future_date``), so a
load with such rows is reused on that day only. Other backends (``pyspark``, ``url``) get the
tables from DuckDB on every run: the cache keeps the DuckDB database and each run, cold or
warm, publishes it to the engine again.

The cache holds a copy of the client's data (as the run's ``_work/`` does while a run lasts):
delete ``~/.cache/clvlib/<client>/`` when the engagement ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import pickle
import secrets
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import clvlib

T = TypeVar("T")

#: bump when the layout or the content of an entry changes: older entries are then never read
SCHEMA_VERSION = 1
CACHE_DIR = ".cache"
#: replaces ``$XDG_CACHE_HOME/clvlib`` (``~/.cache/clvlib``) as the folder of every client's cache
CACHE_ENV = "CLVLIB_CACHE_DIR"
NO_CACHE_ENV = "CLVLIB_NO_CACHE"
#: load keys kept per client (each with its fits): the current data and two earlier versions
KEEP_LOADS = 3
#: fits kept per load key (one audit stores a few; each economics or horizon change a few more)
KEEP_FITS = 64
#: … and at most this many bytes of them (per-customer results of a large client are big)
KEEP_FIT_BYTES = 2 * 2**30
#: query results kept per load key (a whole audit makes about a hundred memoisable queries) …
KEEP_QUERIES = 1024
#: … and at most this many bytes of them
KEEP_QUERY_BYTES = 2 * 2**30
LOAD_DIR, FITS_DIR, QUERIES_DIR, STATE = "load", "fits", "queries", "state.json"
DATABASE = "audit.duckdb"
#: ``client.yml`` keys that loading and validation read (``clvlib.data``): part of the load key
LOAD_PARTS = ("sources", "observation_start", "observation_end", "funnel.steps")
#: keys that do not change the loaded tables (a test checks every key is in one of the two)
OTHER_PARTS = (
    "client",
    "currency",
    "locale",
    "prepared_by",
    "holdout_weeks",
    "economics",
    "funnel.cart_step",
    "funnel.cart_recovery_rate",
    "funnel.cart_step_source",
    "retention",
    "communication",
    "saturation",
    "scenarios",
    "channels",
    "backend",  # the tables are loaded into DuckDB and published to the backend on every run
    "privacy",
    "base_dir",
    "config_path",
    "config_hash",
)
FIT_MAGIC = b"clvfit1\n"


def enabled() -> bool:
    """False when ``$CLVLIB_NO_CACHE`` is set (``1``; empty, ``0``, ``false``, ``no`` mean on)."""
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("", "0", "false", "no", "off")


def cache_base() -> Path:
    """The folder of every client's cache: ``$CLVLIB_CACHE_DIR``, else ``$XDG_CACHE_HOME/clvlib``,
    else ``~/.cache/clvlib`` — outside the reports (which are handed over) and ``data/raw``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    xdg = Path(os.environ.get("XDG_CACHE_HOME") or "").expanduser()
    if not xdg.is_absolute():  # unset, or relative, which the XDG spec says to ignore
        xdg = Path.home() / ".cache"
    return xdg / "clvlib"


def pin_cache_base() -> None:
    """Make a relative ``$CLVLIB_CACHE_DIR`` absolute, from this process's working folder.

    A run's notebook kernels inherit the runner's environment but work in ``notebooks/``: with
    ``CLVLIB_CACHE_DIR=cache`` they looked for the model fits in ``notebooks/cache``, never
    found the ones the runner's folder held and left a stray cache beside the notebooks."""
    value = os.environ.get(CACHE_ENV)
    if value and not Path(value).expanduser().is_absolute():
        os.environ[CACHE_ENV] = str(Path(value).expanduser().resolve())


def cache_root(client_dir: Path) -> Path:
    """The cache of one client, ``cache_base() / <client>`` (``client_dir`` holds its runs:
    ``<out>/<client>``; clients of the same folder name share it, entries are keyed by content)."""
    return cache_base() / Path(client_dir).name


# -- keys ----------------------------------------------------------------------------------------
def canonical_json(value: Any) -> str:
    """Sorted, compact JSON; dates, paths and numpy scalars as JSON values (TypeError for
    anything else that JSON cannot hold)."""

    def extra(v: Any) -> Any:
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        if isinstance(v, Path):
            return str(v)
        if hasattr(v, "item") and callable(v.item):  # numpy scalar
            return v.item()
        if isinstance(v, (set, frozenset)):
            return sorted(v)
        raise TypeError(f"{type(v).__name__} is not JSON-able: give settings as plain values")

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=extra)  # fmt: skip


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def code_fingerprint(*parts: str) -> str:
    """sha256 of the ``.py`` files under ``parts`` of the clvlib package (paths relative to
    it, e.g. ``"data"``, ``"config.py"``; none: the whole package), names and bytes."""
    package = Path(clvlib.__file__).resolve().parent
    roots = [package / p for p in parts] or [package]
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def load_inputs(config) -> dict[str, Any] | None:
    """What the load key hashes (see the module docstring); None when a source is a database
    (its content cannot be checksummed cheaply, so it is never cached)."""
    import duckdb
    import ibis
    import pandas

    present = config.sources.present()
    if any(source.is_database for source in present.values()):
        return None
    return {
        "schema": SCHEMA_VERSION,
        "clvlib": clvlib.__version__,
        "libraries": [duckdb.__version__, ibis.__version__, pandas.__version__],
        "code": code_fingerprint("data", "config.py"),
        "sources": config.sources.model_dump(mode="json"),
        "paths": {table: str(config.source_path(table)) for table in present},
        "files": {table: file_sha256(config.source_path(table)) for table in present},
        "observation_start": config.observation_start,
        "observation_end": config.observation_end,
        "funnel_steps": list(config.funnel.steps),
    }


def load_key(config) -> str | None:
    """The load key of ``config`` and its source files (None: a database source)."""
    inputs = load_inputs(config)
    return None if inputs is None else _sha256(canonical_json(inputs))


def fit_key(data_key: str, name: str, settings: Mapping[str, Any]) -> str:
    """The key of a remembered result: data, code, numeric libraries, name and settings."""
    import numpy
    import pandas
    import scipy

    return _sha256(
        canonical_json(
            {
                "schema": SCHEMA_VERSION,
                "data": data_key,
                "code": code_fingerprint(),
                "python": sys.version,
                "libraries": [numpy.__version__, scipy.__version__, pandas.__version__],
                "name": name,
                "settings": dict(settings),
            }
        )
    )


# -- the loaded tables ----------------------------------------------------------------------------
def file_signatures(config) -> dict[str, list[int]]:
    """Size and modification time (ns) of each source file: a file that changes while it is
    loaded (a new export copied over it) is not cached under the checksum taken before."""
    signatures = {}
    for table in config.sources.present():
        info = config.source_path(table).stat()
        signatures[table] = [info.st_size, info.st_mtime_ns]
    return signatures


def find_load(root: Path, key: str, *, today: dt.date | None = None) -> Path | None:
    """The folder of the cached load for ``key`` (``audit.duckdb`` and ``state.json``), or None
    when there is none or it cannot be used: written by another schema, its database cut short,
    or loaded on an earlier day when rows were excluded as dated in the future (on a later day
    some of them may not be; without such rows the day does not change the load)."""
    folder = Path(root) / key / LOAD_DIR
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
        if state.get("schema") != SCHEMA_VERSION or state.get("key") != key:
            return None
        if (folder / DATABASE).stat().st_size != state["database_bytes"]:
            return None
        loaded_on = dt.date.fromisoformat(state["loaded_on"])
        today = today or dt.date.today()
        future = sum(q["rows_excluded"].get("future_date", 0) for q in state["quality"].values())
        if today != loaded_on and (today < loaded_on or future):
            return None
        os.utime(folder.parent)  # recently used: kept by ``prune``
        return folder
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_state(folder: Path) -> dict[str, Any]:
    """The state stored beside a cached load (``find_load``)."""
    return json.loads((Path(folder) / STATE).read_text(encoding="utf-8"))


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link of ``source`` at ``target`` (no copy, and it survives deleting the cache),
    or a copy when the two are on different file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def store_load(
    root: Path, key: str, database: Path, state: Mapping[str, Any], *, today: dt.date | None = None
) -> bool:
    """Keep a run's loaded ``database`` (closed, checkpointed) and its ``state`` (quality,
    window, tables) as the cached load for ``key``; returns whether it was stored.

    The entry is written in a temporary folder and renamed into place, so a reader sees all of
    it or nothing; when another run stored the same key first, its entry stays (one that
    ``find_load`` would not use is replaced). Older keys are then pruned (``prune``). Errors
    (a full disk, the cache deleted meanwhile) only mean that nothing is stored."""
    root = Path(root)
    tmp = root / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        if Path(f"{database}.wal").exists():  # not checkpointed: the file alone is incomplete
            return False
        tmp.mkdir(parents=True)
        link_or_copy(Path(database), tmp / DATABASE)
        with contextlib.suppress(OSError):  # a reader's guard: the runs open it read-only
            os.chmod(tmp / DATABASE, 0o444)
        entry = {
            **state,
            "schema": SCHEMA_VERSION,
            "key": key,
            "database_bytes": (tmp / DATABASE).stat().st_size,
            "loaded_on": (today or dt.date.today()).isoformat(),
        }
        (tmp / STATE).write_text(json.dumps(entry), encoding="utf-8")
        (root / key).mkdir(exist_ok=True)
        target = root / key / LOAD_DIR
        if target.exists() and find_load(root, key, today=today) is None:  # cut short …
            shutil.rmtree(target, ignore_errors=True)
        os.rename(tmp, target)  # fails when a usable entry exists: that one stays
        os.utime(root / key)
        prune(root, keep=key)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def discard(folder: Path) -> None:
    """Delete an unusable cached load (``find_load``'s folder): the next store replaces it."""
    shutil.rmtree(folder, ignore_errors=True)


def prune(root: Path, *, keep: str | None = None) -> list[Path]:
    """Delete all but the ``KEEP_LOADS`` most recently used load keys (with their fits; never
    ``keep``) and the temporary folders of runs whose process is gone; returns what went."""
    root = Path(root)
    removed = []
    try:
        children = list(root.iterdir())
    except OSError:
        return removed
    for tmp in (c for c in children if c.name.startswith(".tmp-")):
        pid = tmp.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    entries = [c for c in children if c.is_dir() and not c.name.startswith(".")]
    entries.sort(key=lambda c: (c.name == keep, _mtime(c)), reverse=True)
    for old in entries[KEEP_LOADS:]:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (someone else's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# -- the fit memo ----------------------------------------------------------------------------------
def remembered(audit, name: str, settings: Mapping[str, Any], compute: Callable[[], T]) -> T:
    """``compute()``'s result, kept in the run cache.

    Returns the stored result when the client's run cache holds one for the same data (the
    load key of this run, ``audit.data_key``), ``name`` and ``settings`` (a JSON-able mapping of
    every setting the result depends on); otherwise calls ``compute()``, stores its result
    (pickle protocol 5, written atomically) and returns it. Without a run directory
    (``audit.run_dir`` is None: interactive use, ``with_settings`` copies), without a load key
    (database sources, ``--no-cache``) or with ``$CLVLIB_NO_CACHE`` set it just calls
    ``compute()``. An unreadable entry is recomputed; a result that cannot be pickled is
    returned without being stored.
    """
    run_dir = getattr(audit, "run_dir", None)
    data_key = getattr(audit, "data_key", None)
    if run_dir is None or data_key is None or not enabled():
        return compute()
    folder = cache_root(Path(run_dir).parent) / data_key / FITS_DIR
    path = folder / f"{fit_key(data_key, name, settings)}.pkl"
    found = _read_fit(path)
    if found is not _MISSING:
        return found
    value = compute()
    _write_fit(path, value)
    return value


_MISSING = object()


def _read_fit(path: Path) -> Any:
    """The stored value, or ``_MISSING`` when the file is absent, cut short or unreadable."""
    try:
        data = path.read_bytes()
        head, digest, payload = data[: len(FIT_MAGIC)], data[len(FIT_MAGIC) : 40], data[40:]
        if head != FIT_MAGIC or hashlib.sha256(payload).digest() != digest:
            return _MISSING
        value = pickle.loads(payload)
        os.utime(path)  # recently used: kept by ``prune``
        return value
    except Exception:  # absent, deleted meanwhile, a class that changed …: compute again
        return _MISSING


def _write_fit(path: Path, value: Any, *, queries: bool = False) -> None:
    try:
        payload = pickle.dumps(value, protocol=5)
    except Exception:  # a lambda, an open connection …: not kept
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(FIT_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        if queries:
            _prune_fits(path.parent, KEEP_QUERIES, KEEP_QUERY_BYTES)
        else:
            _prune_fits(path.parent, KEEP_FITS, KEEP_FIT_BYTES)
    except OSError:  # the cache was deleted meanwhile, the disk is full …: not kept
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _prune_fits(folder: Path, keep: int, keep_bytes: int) -> None:
    """Keep the newest entries of ``folder``, at most ``keep`` of them and ``keep_bytes``
    together (the newest one always)."""
    total = 0
    for rank, fit in enumerate(sorted(folder.glob("*.pkl"), key=_mtime, reverse=True)):
        with contextlib.suppress(OSError):
            total += fit.stat().st_size
            if rank and (rank >= keep or total > keep_bytes):
                fit.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# -- the query memo --------------------------------------------------------------------------------
@functools.cache
def _plain_relations() -> tuple[type, ...]:
    """The relations a kept query may be built of above the canonical tables."""
    import ibis.expr.operations as ops

    return (
        ops.Project, ops.DropColumns, ops.Reference, ops.SelfReference, ops.JoinReference,
        ops.JoinChain, ops.Sort, ops.Filter, ops.Limit, ops.Aggregate, ops.Union,
        ops.Intersection, ops.Difference, ops.FillNull, ops.DropNull, ops.Distinct,
        ops.WindowAggregate, ops.DummyTable,
    )  # fmt: skip


class QueryMemo:
    """The results of a run's DuckDB queries over its canonical tables, kept per load key.

    ``folder``: ``<cache_root>/<load key>/queries``; ``tables``: the canonical tables (ibis) of
    the run's database, the only tables a kept query may read. ``key(expr)`` is None for any
    other query: one reading a frame a step made (``ibis.memtable``), a temporary or cached
    table, raw SQL, a parameter, random numbers or today's date — the SQL text would then not
    determine the rows."""

    def __init__(self, folder: Path, data_key: str, tables: Mapping[str, Any]):
        self.folder, self.data_key = Path(folder), data_key
        self.tables = frozenset(table.op() for table in tables.values())

    def key(self, expr) -> str | None:
        """The entry's key for the ibis table ``expr``, or None when it must run."""
        import duckdb
        import ibis
        import ibis.expr.operations as ops

        root = expr.op()
        for relation in root.find(ops.Relation):
            if relation not in self.tables and type(relation) not in _plain_relations():
                return None
        volatile = (ops.ScalarParameter, ops.RandomScalar, ops.RandomUUID, ops.DateNow,
                    ops.TimestampNow)  # fmt: skip
        if root.find(volatile):  # values the SQL text alone does not fix
            return None
        try:
            sql = ibis.to_sql(expr, dialect="duckdb")
        except Exception:  # an expression ibis cannot print: run it
            return None
        return _sha256(
            canonical_json(
                {
                    "schema": SCHEMA_VERSION,
                    "data": self.data_key,
                    "engine": ["duckdb", duckdb.__version__, ibis.__version__],
                    "sql": str(sql),
                }
            )
        )

    def get(self, key: str) -> Any:
        """The kept result (a ``pyarrow.Table``) of ``key``, or None."""
        found = _read_fit(self.folder / f"{key}.pkl")
        return None if found is _MISSING else found

    def put(self, key: str, result: Any) -> None:
        """Keep ``result`` (a ``pyarrow.Table``) under ``key`` (not when the cache is off)."""
        if enabled():
            _write_fit(self.folder / f"{key}.pkl", result, queries=True)
