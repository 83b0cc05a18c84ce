"""The ``Audit`` handle every notebook opens in one line: config, backend, tables, locale, metrics.

``open_audit(config_path, run_dir)`` loads and validates the client's tables once (always in
DuckDB, which accounts for every row); a run directory prepared by ``clv-audit run`` holds a cached
database so the notebooks of one run do not re-read the exports. With ``backend: {name: pyspark}``
or ``backend: {url: ...}`` in ``client.yml`` the canonical tables are handed to that engine
(``clvlib.backends``) and every step's ibis expression runs there. ``Audit.from_frames`` builds
the same handle from pandas frames for tests and quick experiments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from clvlib.config import ClientConfig, Source, Sources, load_config
from clvlib.data.quality import TableQuality
from clvlib.i18n import fmt as format_value
from clvlib.report import display

CACHE_DB = "_work/audit.duckdb"
CACHE_STATE = "state.json"
FRAMES_DIR = "_work/frames"
METRICS_PARTS = "_work/metrics"
#: what a formatted value looks like when it is missing: "—" (``clvlib.i18n.DASH``), nan, None, inf
PLACEHOLDER = re.compile(r"—|(?<![\w.])(nan|NaN|None|[-−]?inf|[-−]?Infinity)(?![\w.])")
HOLES_SECTION = "sentences_left_out"
SAID_SECTION = "sentences_said"


def holes(values: Mapping[str, Any]) -> list[str]:
    """Names of the formatted values that carry a placeholder instead of a figure."""
    return [name for name, value in values.items() if PLACEHOLDER.search(str(value))]


@dataclass
class Audit:
    """Everything a step needs. Tables are ibis expressions on ``con`` with canonical columns
    (on PySpark or a URL backend ``tables`` connects on first use and ``con`` stays None:
    the connection is ``tables.con``)."""

    config: ClientConfig
    con: Any
    tables: Mapping[str, Any]
    quality: dict[str, TableQuality]
    observation_start: dt.date
    observation_end: dt.date
    run_dir: Path | None = None
    #: the run's load key (``clvlib.run_cache``): fingerprint of the loaded data for
    #: ``remembered``; None outside a run, with database sources or with the cache off
    data_key: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    _holdout_plan: dict[str, Any] | None = field(default=None, init=False, repr=False)

    # -- convenient views ---------------------------------------------------------------------
    @property
    def locale(self) -> str:
        return self.config.locale

    @property
    def currency(self) -> str:
        return self.config.currency

    @property
    def transactions(self):
        """Used transaction rows (ibis table): canonical columns, ``revenue`` net of returns."""
        return self.tables["transactions"]

    def table(self, name: str):
        """An optional table, or ``None`` when the client did not provide it."""
        return self.tables.get(name)

    @property
    def holdout_plan(self) -> dict[str, Any]:
        """The holdout the audit checks its model on (``clvlib.predictive.holdout_plan``:
        ``weeks``, ``source``, ``covers_full_season``, the measured ``season``): ``holdout_weeks``
        of ``client.yml``, or chosen from the season when it is ``auto``. Computed once."""
        if self._holdout_plan is None:
            from clvlib.predictive import holdout_plan

            self._holdout_plan = holdout_plan(self)
        return self._holdout_plan

    @property
    def holdout_weeks(self) -> int:
        """Weeks held out (``holdout_plan``; 0: no holdout)."""
        weeks = self.config.holdout_weeks
        return int(weeks) if weeks != "auto" else int(self.holdout_plan["weeks"])

    @property
    def calibration_end(self) -> dt.date | None:
        """End of the calibration period: ``holdout_weeks`` before the observation end."""
        weeks = self.holdout_weeks
        if not weeks:
            return None
        return self.observation_end - dt.timedelta(weeks=weeks)

    def with_settings(self, **sections: dict[str, Any]) -> Audit:
        """A what-if copy with ``client.yml`` settings overridden, e.g.
        ``audit.with_settings(retention={"churn_after_days": 180})``: the same connection and
        tables, the section's other settings kept, nothing written (``run_dir`` is None, no
        metrics). The notebooks' controls (``clvlib.widgets``) recompute steps on such copies."""
        update = {
            name: getattr(self.config, name).model_copy(update=values)
            for name, values in sections.items()
        }
        return dataclasses.replace(
            self, config=self.config.model_copy(update=update), run_dir=None, metrics={}
        )

    # -- metrics ------------------------------------------------------------------------------
    def record(self, section: str, values: dict[str, Any] | list[Any]) -> None:
        """Store figures for ``metrics.json`` under ``section``: a dict is merged with earlier
        records of the section (also those of earlier notebooks in the run), a list (e.g. one
        row per channel) replaces them.

        In a run directory the part is written atomically to ``_work/metrics/<section>.json``;
        the runner merges the parts into ``metrics.json``.
        """
        if isinstance(values, list):
            self.metrics[section] = current = values
        else:
            if section not in self.metrics:  # another notebook of the run may have recorded it
                earlier = self.recorded(section)
                self.metrics[section] = dict(earlier) if isinstance(earlier, dict) else {}
            current = self.metrics[section]
            current.update(values)
        if self.run_dir is not None:
            from clvlib.report.metrics import to_jsonable, write_json_atomic

            parts = self.run_dir / METRICS_PARTS
            parts.mkdir(parents=True, exist_ok=True)
            write_json_atomic(parts / f"{section}.json", to_jsonable(current))

    def recorded(self, section: str) -> dict[str, Any] | list[Any]:
        """Figures recorded by earlier notebooks of this run (empty when there are none)."""
        if section in self.metrics:
            return self.metrics[section]
        if self.run_dir is not None:
            part = self.run_dir / METRICS_PARTS / f"{section}.json"
            if part.is_file():
                return json.loads(part.read_text(encoding="utf-8"))
        return {}

    def save_frame(self, name: str, frame: pd.DataFrame) -> None:
        """Keep a per-customer result (e.g. step I's CLV) for later notebooks of this run:
        ``_work/frames/<name>.parquet`` in a run directory (deleted with it), else in memory."""
        self.frames[name] = frame
        if self.run_dir is not None:
            folder = self.run_dir / FRAMES_DIR
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.parquet.tmp"
            frame.to_parquet(tmp, index=False)
            tmp.replace(folder / f"{name}.parquet")

    def saved_frame(self, name: str) -> pd.DataFrame | None:
        """A frame kept by ``save_frame`` in this run, or None (e.g. its step did not run)."""
        if name in self.frames:
            return self.frames[name]
        if self.run_dir is not None:
            path = self.run_dir / FRAMES_DIR / f"{name}.parquet"
            if path.is_file():
                return pd.read_parquet(path)
        return None

    # -- report blocks (see clvlib.report.display) ---------------------------------------------
    def h1(self, key: str, *, section: str) -> str:
        """Open a report section (``calculation``, ``summary``, ``appendix_data`` ...)."""
        return display.heading(self.locale, key, level=1, section=section)

    def h2(self, key: str, *, new_page: bool = False) -> str:
        return display.heading(self.locale, key, level=2, new_page=new_page)

    def h3(self, key: str, **values: Any) -> str:
        return display.heading(self.locale, key, level=3, **values)

    def say(self, key: str, *, css: str = "finding", **values: Any) -> str:
        """A sentence from ``clvlib.texts`` with pre-formatted values (use ``audit.fmt``).

        ``css``: ``finding`` (default), ``lead``, ``muted``, ``formula`` or ``note``. A sentence
        whose value is missing (formatted as "—", nan, None, inf) is left out and listed under
        ``sentences_left_out`` in metrics.json: the caller should have chosen a sentence that
        says what is missing (REPORT.md: a sentence never carries a missing value).
        """
        if self._left_out(key, values):
            return ""
        if self.run_dir is not None:  # which sentences the report says, in order (metrics.json)
            said = self.recorded(SAID_SECTION)
            self.record(SAID_SECTION, [*(said if isinstance(said, list) else []), key])
        return display.say(self.locale, key, css=css, **values)

    def note(self, key: str, **values: Any) -> str:
        """A boxed caveat or warning (left out like ``say`` when a value is missing)."""
        return self.say(key, css="note", **values)

    def _left_out(self, key: str, values: Mapping[str, Any], *, kept: bool = False) -> bool:
        """Whether a text's values carry a placeholder; if so, list it for metrics.json."""
        missing = holes(values)
        if not missing:
            return False
        earlier = self.recorded(HOLES_SECTION)
        listed = list(earlier) if isinstance(earlier, list) else []
        self.record(HOLES_SECTION, listed + [{"key": key, "values": missing, "kept": kept}])
        return True

    def fmt(self, value: Any, kind: str = "money") -> str:
        """Format a value per locale: money, money2, int, num1, pct, pct0, date, text."""
        return format_value(value, kind, locale=self.locale, currency=self.currency)

    def text(self, key: str, **values: Any) -> str:
        """A text for a table cell or label; one whose value is missing is kept (the caller
        shows it) but listed under ``sentences_left_out`` with ``kept: true``."""
        self._left_out(key, values, kept=True)
        return display.text(self.locale, key, **values)

    def show(
        self,
        frame: pd.DataFrame,
        *,
        formats=None,
        labels=None,
        caption=None,
        caption_values=None,
        id_columns=("customer_id",),
        numbers=None,
    ) -> str:
        """A formatted table; customer ids are pseudonymised unless privacy says otherwise.
        ``caption`` is a text key, filled with ``caption_values``. In a run directory the
        table (pseudonymised) is also recorded for ``tables.xlsx``, where a column of
        formatted text (kind ``pre``) is replaced by the numbers behind it:
        ``numbers={column: display.Numbers(values, kind)}`` (a value, or a frame with
        ``value``/``low``/``high``/``note``; e.g. ``Numbers(frame, "money")``)."""
        markup = display.table_html(
            frame,
            locale=self.locale,
            currency=self.currency,
            formats=formats,
            labels=labels,
            caption=self.text(caption, **(caption_values or {})) if caption else None,
            pseudonymize_ids=self.config.privacy.pseudonymize_ids,
            id_columns=id_columns,
            record_to=self.run_dir,
            numbers=numbers,
        )
        return display.emit(markup)

    def figure(
        self, fig: Any, *, name: str, title: str, source: str | None = None, **values: Any
    ) -> str:
        """A titled figure with its source line; saved to ``figures/<name>.svg`` in a run."""
        figures = self.run_dir / "figures" if self.run_dir else None
        src = self.text(source or "fig.source", client=self.config.client)
        markup = display.figure_html(
            fig, title=self.text(title, **values), source=src, name=name, figures_dir=figures
        )
        return display.emit(markup)

    def boxes(self, items: list[tuple[str, str, str]]) -> str:
        """Headline figures: (label key, formatted value, sub-line). A box whose value or
        sub-line is missing is listed under ``sentences_left_out`` (kept)."""
        for label, value, sub in items:
            self._left_out(label, {"value": value, "sub": sub}, kept=True)
        return display.emit(display.boxes_html((self.text(a), b, c) for a, b, c in items))

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        transactions: pd.DataFrame,
        *,
        observation_end: dt.date | str | None = None,
        client: str = "Test client",
        locale: str = "en",
        holdout_weeks: int | str = 26,
        **tables: pd.DataFrame,
    ) -> Audit:
        """An audit over in-memory frames that already use canonical column names (for tests)."""
        frames = {"transactions": transactions, **tables}
        sources = Sources(**{n: Source(path=Path(f"{n}.parquet")) for n in frames})
        config = ClientConfig(
            client=client,
            locale=locale,
            sources=sources,
            observation_end=pd.Timestamp(observation_end).date() if observation_end else None,
            holdout_weeks=holdout_weeks,
        )
        con = ibis.duckdb.connect()
        ibis_tables = {}
        for name, frame in frames.items():
            frame = frame.copy()
            if name == "transactions" and "is_return" not in frame:
                frame["is_return"] = frame["revenue"] < 0
            ibis_tables[name] = con.create_table(name, frame)
        ts = pd.to_datetime(transactions["order_ts"])
        end = config.observation_end or ts.max().date()
        return cls(
            config=config,
            con=con,
            tables=ibis_tables,
            quality={},
            observation_start=ts.min().date(),
            observation_end=end,
        )


def prepare_run_cache(
    config: ClientConfig, run_dir: Path, *, progress: bool = True, cache: bool = True
):
    """Load the client's tables once into ``run_dir/_work/audit.duckdb`` for the run's notebooks.

    Returns the ``LoadResult``; the row accounting and window are saved beside the database
    (``run_state``), with ``load``: how the tables got there. With ``cache`` (and
    ``$CLVLIB_NO_CACHE`` unset) a run whose source files and loading settings are those of an
    earlier run of the client reuses that run's database from the run cache (``clvlib.run_cache``,
    ``~/.cache/clvlib/<client>``, ``run_cache.cache_root``) instead of loading (``load``:
    ``reused cache <key8>``; the returned ``LoadResult`` then has no ``tables``: the notebooks
    open them), and a cold load is kept there for the next run. A client with a database source
    is always loaded.
    """
    from clvlib import backends, run_cache

    run_dir = Path(run_dir)
    root = run_cache.cache_root(run_dir.parent)
    key, note, signatures = None, "loaded, cache off", None
    if cache and run_cache.enabled():
        if not any(s.is_database for s in config.sources.present().values()):
            signatures = run_cache.file_signatures(config)
        key = run_cache.load_key(config)
        note = "loaded" if key else "loaded, not cached: a database source"
    found = run_cache.find_load(root, key) if key else None
    reused = _reuse_load(config, run_dir, found) if found else None
    if reused is not None:
        loaded, tables, where = reused
        note = f"reused cache {key[:8]}"
    else:
        loaded, where = _load(config, run_dir, progress=progress)
        tables = sorted(loaded.tables)
    state = {
        "tables": tables,
        "backend": backends.kind(config.backend),
        "where": where,
        "quality": {name: q.to_dict() for name, q in loaded.quality.items()},
        "observation_start": loaded.observation_start.isoformat(),
        "observation_end": loaded.observation_end.isoformat(),
        "load_key": key,
        "load": note,
    }
    _state_path(run_dir).write_text(json.dumps(state), "utf-8")
    # stored unless reused, or a source file changed while it was read (its checksum is older)
    if key and reused is None and run_cache.file_signatures(config) == signatures:
        if found is not None:  # found but unusable (its database unreadable): replace it
            run_cache.discard(found)
        kept = ("tables", "quality", "observation_start", "observation_end")
        run_cache.store_load(root, key, run_dir / CACHE_DB, {k: state[k] for k in kept})
    return loaded


def _load(config: ClientConfig, run_dir: Path, *, progress: bool):
    """Read and validate the exports into the run's database and publish them to the backend;
    returns the ``LoadResult`` and where the backend finds the tables."""
    from clvlib import backends
    from clvlib.data.load import bound_memory, load_tables

    database = run_dir / CACHE_DB
    database.parent.mkdir(parents=True, exist_ok=True)
    con = ibis.duckdb.connect(str(database))
    try:
        bound_memory(con.con, database.parent / "spill")
        loaded = load_tables(config, con, progress=progress)
        where = backends.publish(config.backend, con, sorted(loaded.tables), run_dir)
        con.con.execute("CHECKPOINT")  # the file alone holds every table (the run cache's copy)
    finally:
        con.disconnect()
    return loaded, where


def _reuse_load(config: ClientConfig, run_dir: Path, folder: Path):
    """The cached load in ``folder`` linked into the run and published to the backend:
    ``(LoadResult without tables, table names, where)``, or None when it cannot be opened or
    lacks a table (then the run loads afresh)."""
    import duckdb

    from clvlib import backends, run_cache
    from clvlib.data.load import LoadResult

    database = run_dir / CACHE_DB
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        state = run_cache.read_state(folder)
        tables = list(state["tables"])
        run_cache.link_or_copy(folder / run_cache.DATABASE, database)
        con = ibis.duckdb.connect(str(database), read_only=True)
    except (OSError, ValueError, KeyError, TypeError, duckdb.Error):
        database.unlink(missing_ok=True)
        return None
    try:
        present = con.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        complete = set(tables) <= {name for (name,) in present}
        where = backends.publish(config.backend, con, tables, run_dir) if complete else {}
    finally:
        con.disconnect()
    if not complete:
        database.unlink(missing_ok=True)
        return None
    loaded = LoadResult(
        tables={},
        quality={n: TableQuality.from_dict(q) for n, q in state["quality"].items()},
        observation_start=dt.date.fromisoformat(state["observation_start"]),
        observation_end=dt.date.fromisoformat(state["observation_end"]),
    )
    return loaded, tables, where


def run_state(run_dir: Path) -> dict[str, Any]:
    """What ``prepare_run_cache`` saved for a run: tables, quality, window, ``load`` (how the
    tables got there: ``loaded``, ``reused cache <key8>`` …) and ``load_key``."""
    return json.loads(_state_path(run_dir).read_text("utf-8"))


def _state_path(run_dir: Path) -> Path:
    """The run's saved state, beside its database (``_work/state.json``)."""
    return (Path(run_dir) / CACHE_DB).parent / CACHE_STATE


#: DuckDB threads for the steps' queries: all cores by default. Money is added exactly
#: (``backends.exact_sum``: integers in units of 1e-6, the same total in any order) and query rows
#: come back in a fixed order (``backends.fetch``), so any thread count gives the same
#: metrics.json (``tests/test_determinism.py`` runs an audit on 1 and on 4 threads, every scan
#: split). ``$CLVLIB_THREADS`` sets another count (1 for the slowest, most frugal run).
THREADS_ENV = "CLVLIB_THREADS"


def deterministic(con) -> None:
    """Run ``con``'s queries on ``$CLVLIB_THREADS`` threads (default: all cores, see
    ``THREADS_ENV``)."""
    threads = int(os.environ.get(THREADS_ENV) or os.cpu_count() or 1)
    con.con.execute(f"SET threads = {max(1, threads)}")


def open_audit(config_path: str | Path, run_dir: str | Path | None = None) -> Audit:
    """Open the client's audit: validate ``client.yml``, load the tables, prepare metrics.

    ``run_dir`` is the run directory written by ``clv-audit run`` (``None`` when an analyst works
    interactively: nothing is written then and the exports are read afresh). Raises ``ClvError``
    for config or data problems.
    """
    from clvlib import backends, run_cache

    config = load_config(config_path)
    run_path = Path(run_dir) if run_dir else None
    state_file = _state_path(run_path) if run_path else None
    backends.use_query_memo(None)  # an earlier audit's, in this process
    if state_file is not None and state_file.is_file():
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if state.get("backend", "duckdb") == "duckdb":
            con = ibis.duckdb.connect(str(run_path / CACHE_DB), read_only=True)
            deterministic(con)
            tables = {name: con.table(name) for name in state["tables"]}
            key = state.get("load_key")
            if key and run_cache.enabled():  # queries over these tables: kept per load key
                folder = run_cache.cache_root(run_path.parent) / key / run_cache.QUERIES_DIR
                backends.use_query_memo(run_cache.QueryMemo(folder, key, tables))
        else:
            from clvlib.backends import LazyTables

            con, tables = None, LazyTables(config.backend, state["where"])
        return Audit(
            config=config,
            con=con,
            tables=tables,
            quality={n: TableQuality.from_dict(q) for n, q in state["quality"].items()},
            observation_start=dt.date.fromisoformat(state["observation_start"]),
            observation_end=dt.date.fromisoformat(state["observation_end"]),
            run_dir=run_path,
            data_key=state.get("load_key"),
        )
    from clvlib.data.load import load_tables

    con = ibis.duckdb.connect()
    loaded = load_tables(config, con, progress=False)
    tables = loaded.tables
    if backends.kind(config.backend) != "duckdb":
        import atexit
        import shutil
        import tempfile

        scratch = Path(tempfile.mkdtemp(prefix="clvlib-audit-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        where = backends.publish(config.backend, con, sorted(tables), scratch)
        con, tables = None, backends.LazyTables(config.backend, where)
    else:
        deterministic(con)
    return Audit(
        config=config,
        con=con,
        tables=tables,
        quality=loaded.quality,
        observation_start=loaded.observation_start,
        observation_end=loaded.observation_end,
        run_dir=run_path,
    )
