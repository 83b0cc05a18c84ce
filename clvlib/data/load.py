"""Load the client's exports into the backend as canonical tables, accounting for every row.

``load_tables(config, con)`` reads each configured table (``clvlib.data.io``), maps its columns to
canonical names, parses and classifies every row in one SQL pass (``clvlib.data.validation``) and
writes the used rows as a typed DuckDB table named like the canonical table (``transactions``,
``customers`` ...). Per table, ``TableQuality`` holds ``rows_read == rows_used + Σ rows_excluded``
with the reasons, examples of excluded rows (no personal data) and notes.

Blocking problems raise ``DataError`` (CLI exit code 2): an empty transactions file or one with a
header only, no usable transaction, a mapped column missing from the file, an unreadable file
(wrong encoding, broken CSV, rows with more fields than the header), and a column that excludes
rows where more than half of the non-empty values cannot be read (a wrong ``csv.date_format`` or
``csv.decimal``, not dirt).
An optional table that is empty is not blocking: it gets a note and no table.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis

from clvlib.config import ClientConfig
from clvlib.data.io import (
    EmptySourceError,
    RawTable,
    drop_stage,
    explain_read_error,
    stage_source,
)
from clvlib.data.quality import REASONS, TableQuality
from clvlib.data.validation import (
    check_malformed,
    check_parse_rates,
    classify,
    create_canonical,
    excluded_examples,
    optional_notes,
    resolve_columns,
)
from clvlib.errors import DataError

__all__ = ["LoadResult", "load_tables", "load_table"]


STEPS = ("reading", "classifying rows", "checking", "writing table", "done")


@dataclass
class LoadResult:
    """The loaded tables, their row accounting and the observation window."""

    tables: dict[str, ibis.Table]  # canonical, typed, used rows only (DuckDB tables)
    quality: dict[str, TableQuality]  # per table; rows_read == rows_used + Σ rows_excluded
    observation_start: dt.date  # config.observation_start or the first used transaction's date
    observation_end: dt.date  # config.observation_end or the last used transaction's date


def load_tables(config: ClientConfig, con, *, progress: bool = True) -> LoadResult:
    """Load every configured table into ``con`` (an ibis DuckDB backend) with row accounting.

    ``progress`` shows one bar per table on stderr. Raises ``DataError`` for blocking problems
    (see the module docstring).
    """
    duck = con.con
    duck.execute("SET enable_progress_bar = false")  # our bars (tqdm) say where loading is
    quality: dict[str, TableQuality] = {}
    created: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clvlib-load-") as tmp:
        for table in config.sources.present():
            quality[table], made = load_table(
                duck, config, table, workdir=Path(tmp), progress=progress
            )
            if made:
                created.append(table)
    tq = quality["transactions"]
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
    return LoadResult(
        tables={name: con.table(name) for name in created},
        quality=quality,
        observation_start=config.observation_start or first,
        observation_end=config.observation_end or last,
    )


def load_table(
    duck, config: ClientConfig, table: str, *, workdir: Path, progress: bool = False
) -> tuple[TableQuality, bool]:
    """Load one configured table through ``duck`` (a ``duckdb`` connection).

    Returns its ``TableQuality`` and whether the canonical table was created (an optional table
    with no usable row is not). Temporary views, tables and transcoded files are removed.
    """
    from tqdm import tqdm

    source = getattr(config.sources, table)
    path = config.source_path(table)
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
            raw = stage_source(duck, table, source, path, workdir)
        except EmptySourceError as exc:
            return _empty(table, path, exc.problem, fix=exc.fix), False
        try:
            return _load_staged(duck, config, table, raw, step)
        finally:
            drop_stage(duck, raw)
    finally:
        for temp in workdir.glob(f"{table}.*"):  # the transcoded copy, if any
            temp.unlink(missing_ok=True)
        bar.close()


def _load_staged(
    duck, config: ClientConfig, table: str, raw: RawTable, step: Callable[[int], None]
) -> tuple[TableQuality, bool]:
    source = getattr(config.sources, table)
    mapping = resolve_columns(table, source, raw)
    step(1)
    try:
        cls = classify(duck, config, table, source, raw, mapping)
    except duckdb.Error as exc:
        if not _is_read_error(exc):
            raise
        raise explain_read_error(raw, exc) from None
    step(2)
    try:
        if cls.rows_read == 0:
            return _empty(table, raw.file, "the file has a header but no data rows"), False
        check_malformed(duck, cls, raw, source)
        check_parse_rates(duck, cls, raw, source)
        quality = TableQuality(
            table=table,
            file=str(raw.file),
            rows_read=cls.rows_read,
            rows_used=cls.rows_used,
            rows_excluded=cls.rows_excluded,
            returns=cls.returns,
            columns=dict(mapping),
            examples=excluded_examples(duck, cls, raw),
            notes=optional_notes(cls) + _step_notes(duck, cls, config),
        )
        step(3)
        made = cls.rows_used > 0 or table == "transactions"
        if made:
            create_canonical(duck, cls)
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


def _empty(table: str, path: Path, what: str, *, fix: str | None = None) -> TableQuality:
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
