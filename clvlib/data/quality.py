"""Data-quality bookkeeping: every row read is either used or excluded with a counted reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

# Exclusion reasons, in the order they are tested (a row is counted under its first reason).
REASONS: dict[str, str] = {
    "missing_customer_id": "no customer id",
    "missing_order_id": "no order id",
    "missing_required_value": "a required value is empty",
    "unparseable_date": "date cannot be read with the configured format",
    "impossible_date": "date in the configured format that does not exist (e.g. 31.02)",
    "future_date": "date after the day the data were loaded",
    "non_numeric_amount": "amount is not a number",
    "negative_spend": "negative marketing spend",
    "duplicate_row": "exact duplicate of an earlier row",
    "outside_window": "outside the observation window",
    "unknown_funnel_step": "funnel step not listed in funnel.steps",
    "conflicting_order_id": "order id used for more than one customer",
}


@dataclass
class TableQuality:
    """Row accounting for one input table. Invariant: ``rows_read == rows_used + excluded``."""

    table: str
    file: str
    rows_read: int
    rows_used: int
    rows_excluded: dict[str, int] = field(default_factory=dict)
    returns: int = 0  # used rows that are returns/cancellations (negative value)
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> client's column
    examples: list[dict[str, Any]] = field(default_factory=list)  # excluded rows, with reason
    notes: list[str] = field(default_factory=list)  # warnings worth showing in the report

    @property
    def excluded(self) -> int:
        return sum(self.rows_excluded.values())

    def reconciles(self) -> bool:
        return self.rows_read == self.rows_used + self.excluded

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableQuality:
        return cls(**data)

    def metrics(self) -> dict[str, Any]:
        """The ``metrics.json`` shape: ``{rows_read, rows_used, rows_excluded, returns}``."""
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_excluded": dict(self.rows_excluded),
            "returns": self.returns,
            "notes": list(self.notes),
        }


#: Rows used (all tables) above which a run is large: its notebooks get a kernel each (memory of
#: one step is returned before the next; in one kernel a 10 M-line audit's peak grew from 4.9 to
#: 12.6 GiB, as ``%reset`` frees names, not the allocator's pages) and the control panels of a
#: report run skip their outputs (the report never shows them; ~40 s on 10 M order lines).
LARGE_RUN_ROWS = 2_000_000


def is_large(quality: dict[str, TableQuality]) -> bool:
    """Whether the rows used over all tables exceed ``LARGE_RUN_ROWS``."""
    return sum(q.rows_used for q in quality.values()) > LARGE_RUN_ROWS


def source_label(file: str) -> str:
    """How the report names a table's source: a file by its name (``transactions.csv``), a
    database source by its whole description (``postgresql://audit@db:5432/shop · orders``,
    which ``Path(...).name`` would cut to ``shop · orders``)."""
    from pathlib import Path

    return file if "://" in file else Path(file).name


def quality_frame(quality: dict[str, TableQuality]) -> pd.DataFrame:
    """Tidy reconciliation table: one row per table and reason (reason ``None`` = used rows)."""
    rows = []
    for q in quality.values():
        rows.append(
            {
                "table": q.table,
                "file": q.file,
                "rows_read": q.rows_read,
                "rows_used": q.rows_used,
                "rows_excluded": q.excluded,
                "returns": q.returns,
                "reconciles": q.reconciles(),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "table",
            "file",
            "rows_read",
            "rows_used",
            "rows_excluded",
            "returns",
            "reconciles",
        ],
    )


def exclusions_frame(quality: dict[str, TableQuality]) -> pd.DataFrame:
    """One row per table and exclusion reason with its count and plain-language meaning."""
    rows = [
        {"table": q.table, "reason": reason, "meaning": REASONS.get(reason, reason), "rows": n}
        for q in quality.values()
        for reason, n in q.rows_excluded.items()
        if n
    ]
    return pd.DataFrame(rows, columns=["table", "reason", "meaning", "rows"])


def examples_frame(quality: TableQuality, *, max_columns: int = 7) -> pd.DataFrame:
    """Excluded example rows of one table as stored (reason, row number, the client's columns).

    Only the client's mapped columns are kept (at most ``max_columns`` in all), so unmapped
    personal data such as e-mail addresses never reaches the report.
    """
    if not quality.examples:
        return pd.DataFrame(columns=["reason", "source_row"])
    frame = pd.DataFrame(quality.examples)
    mapped = [c for c in quality.columns.values() if c in frame.columns]
    keep = ["reason", "source_row", *mapped][:max_columns]
    return frame[keep].reset_index(drop=True)


def mapping_frame(quality: dict[str, TableQuality]) -> pd.DataFrame:
    """Canonical field → client's column, per table."""
    rows = [
        {"table": q.table, "canonical": canonical, "client_column": column}
        for q in quality.values()
        for canonical, column in q.columns.items()
    ]
    return pd.DataFrame(rows, columns=["table", "canonical", "client_column"])
