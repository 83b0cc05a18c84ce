"""Load the client's exports into the backend as canonical tables, accounting for every row.

``load_tables(config, con)`` reads each configured table (``clvlib.data.io``; a database table
or query, ``sources.<table>.url``, through ``clvlib.data.database``), maps its columns to
canonical names, parses and classifies every row in one SQL pass (``clvlib.data.validation``) and
writes the used rows as a typed DuckDB table named like the canonical table (``transactions``,
``customers`` ...). Per table, ``TableQuality`` holds ``rows_read == rows_used + Σ rows_excluded``
with the reasons, examples of excluded rows (no personal data) and notes.

Blocking problems raise ``DataError`` (CLI exit code 2): an empty transactions file or one with a
header only, no usable transaction, a mapped column missing from the file or empty in every row,
an unreadable file (wrong encoding, broken CSV, rows with more fields than the header or split by
another separator), a column that excludes rows where more than half of the non-empty values
cannot be read (a wrong ``csv.date_format`` or ``csv.decimal``, not dirt) or where the unreadable
values follow a pattern (a second date format, the other decimal mark, currency marks), and order
ids shared by customers in most rows. An optional table that is empty is not blocking: it gets a
note and no table.

Transactions load first: their window (``observation_start`` … ``observation_end``) decides which
``marketing_spend`` periods are inside it. A file larger than ``HEAD_CHECK_BYTES`` has its first
``HEAD_CHECK_ROWS`` rows checked first, so a wrong setting fails in seconds, not after a full read.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis

from clvlib.config import ClientConfig
from clvlib.data.database import location
from clvlib.data.io import (
    EmptySourceError,
    RawTable,
    drop_stage,
    explain_read_error,
    stage_head,
    stage_source,
)
from clvlib.data.quality import REASONS, TableQuality
from clvlib.data.validation import (
    check_conflicts,
    check_empty_columns,
    check_malformed,
    check_parse_rates,
    classify,
    create_canonical,
    excluded_examples,
    optional_notes,
    precision_notes,
    resolve_columns,
)
from clvlib.errors import DataError

__all__ = ["LoadResult", "bound_memory", "load_tables", "load_table"]


STEPS = ("reading", "classifying rows", "checking", "writing table", "done")
#: Files above this size (bytes) get their first rows checked before the full read …
HEAD_CHECK_BYTES = 64 * 1024 * 1024
#: … this many rows.
HEAD_CHECK_ROWS = 50_000
#: DuckDB's memory cap while loading (``$CLVLIB_MEMORY_LIMIT`` overrides, e.g. "1GB"); beyond it
#: DuckDB spills to disk, so a file of any size loads in bounded memory.
MEMORY_LIMIT_ENV = "CLVLIB_MEMORY_LIMIT"


@dataclass
class LoadResult:
    """The loaded tables, their row accounting and the observation window."""

    tables: dict[str, ibis.Table]  # canonical, typed, used rows only (DuckDB tables)
    quality: dict[str, TableQuality]  # per table; rows_read == rows_used + Σ rows_excluded
    observation_start: dt.date  # config.observation_start or the first used transaction's date
    observation_end: dt.date  # config.observation_end or the last used transaction's date


def default_memory_limit() -> str:
    """``$CLVLIB_MEMORY_LIMIT``, else a quarter of the machine's memory, at most 4 GB."""
    if os.environ.get(MEMORY_LIMIT_ENV):
        return os.environ[MEMORY_LIMIT_ENV]
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return "4GB"
    return f"{max(256, min(4096, total // 4 // 2**20))}MB"


def bound_memory(duck, spill_dir: Path) -> None:
    """Cap DuckDB's memory (``default_memory_limit``) and let it spill to ``spill_dir``."""
    spill_dir.mkdir(parents=True, exist_ok=True)
    duck.execute(f"SET memory_limit = '{default_memory_limit()}'")
    duck.execute(f"SET temp_directory = '{spill_dir.as_posix()}'")


def load_tables(
    config: ClientConfig, con, *, progress: bool = True, today: dt.date | None = None
) -> LoadResult:
    """Load every configured table into ``con`` (an ibis DuckDB backend) with row accounting.

    ``progress`` shows one bar per table on stderr; ``today`` (default: the current date) is the
    day after which dates are in the future (``future_date``). Raises ``DataError`` for blocking
    problems (see the module docstring).
    """
    duck = con.con
    duck.execute("SET enable_progress_bar = false")  # our bars (tqdm) say where loading is
    quality: dict[str, TableQuality] = {}
    created: list[str] = []
    window: tuple[dt.date, dt.date] | None = None
    with tempfile.TemporaryDirectory(prefix="clvlib-load-") as tmp:
        for table in config.sources.present():
            quality[table], made = load_table(
                duck,
                config,
                table,
                workdir=Path(tmp),
                progress=progress,
                window=window,
                today=today,
            )
            if made:
                created.append(table)
            if table == "transactions":
                window = _transaction_window(duck, config, quality[table])
    for table, q in quality.items():
        _check_usable(config, table, q)
    if "sessions" in created:
        _check_funnel_steps(duck, config, quality["sessions"])
    if {"customers", "marketing_spend"} <= set(created):
        quality["marketing_spend"].notes += channel_notes(duck)
    return LoadResult(
        tables={name: con.table(name) for name in created},
        quality=quality,
        observation_start=window[0],
        observation_end=window[1],
    )


def channel_notes(duck) -> list[str]:
    """Channels with spend but no customer acquired through them, and customers' acquisition
    channels the spend export does not list at all (step III counts them as organic; a channel
    listed with zero spend is organic by the client's own account): names that differ between
    the two exports ('Facebook' vs 'facebook ads') show up here."""
    columns = [c for (c, *_) in duck.execute("DESCRIBE customers").fetchall()]
    if "acquisition_channel" not in columns:
        return []
    spent, listed_in_spend, acquired = (
        {c for (c,) in duck.execute(sql).fetchall()}
        for sql in (
            "SELECT DISTINCT channel FROM marketing_spend WHERE spend > 0",
            "SELECT DISTINCT channel FROM marketing_spend",
            "SELECT DISTINCT acquisition_channel FROM customers "
            "WHERE acquisition_channel IS NOT NULL",
        )
    )
    listed = lambda names: ", ".join(f"'{n}'" for n in sorted(names))  # noqa: E731
    notes = []
    if spent - acquired:
        notes.append(
            f"channels with spend but no customer whose acquisition_channel names them: "
            f"{listed(spent - acquired)} (their CAC cannot be computed); check that the channel "
            "names match between the spend and customers exports"
        )
    if acquired - listed_in_spend:
        notes.append(
            "customers' acquisition channels that the spend export does not list: "
            f"{listed(acquired - listed_in_spend)} (step III counts them as organic, with no "
            "acquisition cost); if they are paid, their spend is missing from marketing_spend"
        )
    return notes


def _transaction_window(duck, config: ClientConfig, tq: TableQuality) -> tuple[dt.date, dt.date]:
    if tq.rows_used == 0:
        reasons = ", ".join(f"{REASONS[r]} ({r}): {n:,}" for r, n in tq.rows_excluded.items())
        raise DataError(
            f"no transaction row can be used: all {tq.rows_read:,} rows are excluded ({reasons})",
            file=tq.file,
            fix="check the column mapping, the csv options and observation_start/observation_end "
            "in client.yml against the examples of excluded rows (clv-audit validate)",
        )
    first, last = duck.execute(
        "SELECT CAST(min(order_ts) AS DATE), CAST(max(order_ts) AS DATE) FROM transactions"
    ).fetchall()[0]
    return config.observation_start or first, config.observation_end or last


def load_table(
    duck,
    config: ClientConfig,
    table: str,
    *,
    workdir: Path,
    progress: bool = False,
    window: tuple[dt.date, dt.date] | None = None,
    today: dt.date | None = None,
) -> tuple[TableQuality, bool]:
    """Load one configured table through ``duck`` (a ``duckdb`` connection).

    Returns its ``TableQuality`` and whether the canonical table was created (an optional table
    with no usable row is not). Temporary views, tables and transcoded files are removed.
    ``window`` is the transactions' observation window (for ``marketing_spend``).
    """
    from tqdm import tqdm

    source = getattr(config.sources, table)
    path = location(config, table)
    bar = tqdm(
        total=len(STEPS) - 1,
        desc=f"{table:<15}",
        unit="step",
        disable=not progress,
        file=sys.stderr,
        bar_format="{desc} {bar:20} [{elapsed}]",
    )

    def step(n: int) -> None:
        bar.set_description_str(f"{table:<15} {STEPS[n]:<16}", refresh=False)
        bar.update(n - bar.n)

    step(0)
    duck.execute(f"DROP TABLE IF EXISTS {table}")  # a stale table from an earlier load
    try:
        try:
            file = None if source.is_database else path
            raw = stage_source(duck, table, source, file, workdir, config=config)
        except EmptySourceError as exc:
            return _empty(table, path, exc.problem, fix=exc.fix), False
        try:
            return _load_staged(duck, config, table, raw, step, window=window, today=today)
        finally:
            drop_stage(duck, raw)
    finally:
        for temp in workdir.glob(f"{table}.*"):  # the transcoded copy, if any
            temp.unlink(missing_ok=True)
        bar.close()


def _classify(duck, config, table, raw, mapping, **kwargs):
    source = getattr(config.sources, table)
    try:
        return classify(duck, config, table, source, raw, mapping, **kwargs)
    except duckdb.Error as exc:
        if not _is_read_error(exc):
            raise
        raise explain_read_error(raw, exc) from None


def _check_head(duck, config: ClientConfig, table: str, raw: RawTable, mapping, **kwargs) -> None:
    """Check the settings on the first ``HEAD_CHECK_ROWS`` rows of a large file: a wrong
    date format, decimal mark or separator fails before the whole file is read."""
    if raw.format in ("xlsx", "database") or raw.file.stat().st_size <= HEAD_CHECK_BYTES:
        return
    source = getattr(config.sources, table)
    head = stage_head(duck, raw, HEAD_CHECK_ROWS)
    try:
        cls = _classify(duck, config, table, head, mapping, **kwargs)
        try:
            check_malformed(duck, cls, head, source)
            check_parse_rates(duck, cls, head, source, systematic=False)
        finally:
            duck.execute(f"DROP TABLE IF EXISTS {cls.relation}")
    finally:
        drop_stage(duck, head)


def _load_staged(
    duck,
    config: ClientConfig,
    table: str,
    raw: RawTable,
    step: Callable[[int], None],
    **kwargs,
) -> tuple[TableQuality, bool]:
    source = getattr(config.sources, table)
    mapping = resolve_columns(table, source, raw)
    _check_head(duck, config, table, raw, mapping, **kwargs)
    step(1)
    cls = _classify(duck, config, table, raw, mapping, **kwargs)
    step(2)
    try:
        if cls.rows_read == 0:
            what = (
                "the database returns no rows"
                if raw.format == "database"
                else "the file has a header but no data rows"
            )
            return _empty(table, raw.file, what), False
        check_malformed(duck, cls, raw, source)
        empty_notes = check_empty_columns(cls, raw)
        check_parse_rates(duck, cls, raw, source)
        notes = empty_notes + check_conflicts(duck, cls, raw)
        quality = TableQuality(
            table=table,
            file=str(raw.file),
            rows_read=cls.rows_read,
            rows_used=cls.rows_used,
            rows_excluded=cls.rows_excluded,
            returns=cls.returns,
            columns=dict(mapping),
            examples=excluded_examples(duck, cls, raw),
            notes=notes + optional_notes(cls) + _step_notes(duck, cls, config),
        )
        step(3)
        made = cls.rows_used > 0 or table == "transactions"
        if made:
            create_canonical(duck, cls)
            quality.notes += precision_notes(duck, table)
        else:
            quality.notes.append(
                "no row could be used (see the exclusion reasons); the steps that need this "
                "table treat it as missing"
            )
        step(4)
        return quality, made
    finally:
        duck.execute(f"DROP TABLE IF EXISTS {cls.relation}")


def _is_read_error(exc: Exception) -> bool:
    """DuckDB's errors about the file's content (not about our SQL or the machine)."""
    reader = (duckdb.InvalidInputException, duckdb.IOException)
    return isinstance(exc, reader) or str(exc).startswith("CSV Error")


def _empty(table: str, path: Path | str, what: str, *, fix: str | None = None) -> TableQuality:
    if table == "transactions":
        raise DataError(
            what,
            file=str(path),
            fix=fix
            or "export the transactions again and check that the export did not fail or was "
            "not filtered to nothing",
        )
    return TableQuality(
        table=table,
        file=str(path),
        rows_read=0,
        rows_used=0,
        notes=[f"{what}; the steps that need this table treat it as missing"],
    )


def _check_usable(config: ClientConfig, table: str, q: TableQuality) -> None:
    """A configured table whose rows are all excluded is a configuration mistake (exit 2): the
    report would silently run as if the table were missing. An empty export (no rows at all)
    stays a note: the steps say what the table would add."""
    if q.rows_used or not q.rows_read:
        return
    reasons = ", ".join(f"{n:,} {REASONS.get(r, r)} ({r})" for r, n in q.rows_excluded.items() if n)
    raise DataError(
        f"none of the {q.rows_read:,} rows of the {table} table can be used ({reasons})",
        file=q.file,
        fix=f"check the column mapping and csv settings of sources.{table} in client.yml "
        f"against the export (`clv-audit validate` lists the reasons with examples), or remove "
        f"sources.{table} to run the audit without it",
    )


def _check_funnel_steps(duck, config: ClientConfig, q: TableQuality) -> None:
    """Every step of ``funnel.steps`` must occur in the sessions: a step that never does is a
    misspelt or renamed step, and every conversion after it would read 0 %."""
    seen = {step for (step,) in duck.execute("SELECT DISTINCT step FROM sessions").fetchall()}
    missing = [step for step in config.funnel.steps if step not in seen]
    if not missing:
        return
    unknown = [note for note in q.notes if note.startswith("funnel steps not listed")]
    found = (
        f" The export's steps not in funnel.steps: {unknown[0].split(': ', 1)[1]}."
        if unknown
        else ""
    )
    raise DataError(
        f"funnel step(s) {', '.join(repr(s) for s in missing)} of funnel.steps never occur in "
        f"the sessions ({q.rows_read:,} rows).{found}",
        file=q.file,
        column=(config.sources.sessions.columns or {}).get("step", "step"),
        fix="write funnel.steps in client.yml with the step names exactly as the export spells "
        "them, in funnel order, the purchase last",
    )


def _step_notes(duck, cls, config: ClientConfig) -> list[str]:
    """For sessions: the most frequent step names missing from ``funnel.steps``."""
    if cls.table != "sessions" or not cls.counts.get("unknown_funnel_step"):
        return []
    rows = duck.execute(
        f"SELECT step, count(*) AS n FROM {cls.relation} WHERE __reason = 'unknown_funnel_step' "
        "GROUP BY step ORDER BY n DESC, step LIMIT 5"
    ).fetchall()
    listed = ", ".join(f"'{s}' ({n:,} rows)" for s, n in rows)
    return [
        f"funnel steps not listed in funnel.steps ({', '.join(config.funnel.steps)}): {listed}; "
        "add them to funnel.steps in client.yml if they belong to the funnel"
    ]
