"""Appendix A — Data: what was read, what was used, and why anything was left out.

``data_quality_findings`` decides the sentences (pure); the ``show_*`` functions display the
sections of ``notebooks/00_data_quality.ipynb``, one call per cell.
"""

from __future__ import annotations

from collections.abc import Callable

from clvlib.data.quality import (
    TableQuality,
    examples_frame,
    exclusions_frame,
    mapping_frame,
    quality_frame,
    source_label,
)
from clvlib.narrative import Finding

#: Optional tables whose absence the appendix names.
OPTIONAL_TABLES = ("customers", "marketing_spend", "messages", "sessions")
#: Days in the month the appendix counts the window in.
DAYS_PER_MONTH = 30.4375


def data_quality_findings(
    quality: TableQuality | None, *, start, end, fmt: Callable[..., str]
) -> list[Finding]:
    """The window sentence and the transactions' row accounting.

    ``quality``: the transactions' :class:`TableQuality` (``None``: the audit was built from
    frames, no accounting to state); ``start``/``end``: the data window (dates); ``fmt`` formats
    a value as ``audit.fmt`` does. The share of rows used is left out when no row was read."""
    months = (end - start).days / DAYS_PER_MONTH
    findings = [
        Finding(
            "dq.window",
            {"start": fmt(start, "date"), "end": fmt(end, "date"), "months": fmt(months, "num0")},
        )
    ]
    if quality is None:
        return findings
    values = {
        "read": fmt(quality.rows_read, "int"),
        "used": fmt(quality.rows_used, "int"),
        "excluded": fmt(quality.excluded, "int"),
        "returns": fmt(quality.returns, "int"),
    }
    if quality.rows_read:
        values["share"] = fmt(quality.rows_used / quality.rows_read, "pct2")
        findings.append(Finding("dq.transactions", values))
    else:
        findings.append(Finding("dq.transactions_none", values))
    return findings


def show_window(audit) -> list[Finding]:
    """Title, lead, the data window and the transactions' accounting."""
    audit.h1("dq.title", section="appendix_data")
    audit.say("dq.lead", css="lead")
    findings = data_quality_findings(
        audit.quality.get("transactions"),
        start=audit.observation_start,
        end=audit.observation_end,
        fmt=audit.fmt,
    )
    for finding in findings:
        finding.say(audit)
    return findings


def show_sources(audit) -> None:
    """The reconciliation table per source, and which optional tables were not provided."""
    sources = quality_frame(audit.quality)
    sources["table"] = sources["table"].map(lambda name: audit.text(f"table.{name}"))
    sources["file"] = sources["file"].map(source_label)
    sources["reconciles"] = sources["reconciles"].map(lambda ok: audit.text("yes" if ok else "no"))
    audit.h2("dq.sources")
    counts = ("rows_read", "rows_used", "rows_excluded", "returns")
    audit.show(sources, formats=dict.fromkeys(counts, "int"))
    missing = [name for name in OPTIONAL_TABLES if name not in audit.tables]
    if missing:
        names = ", ".join(audit.text(f"table.{name}") for name in missing)
        audit.say("dq.missing_tables", tables=names)


def show_exclusions(audit) -> None:
    """Excluded rows by reason, and up to three examples per reason and table."""
    reasons = exclusions_frame(audit.quality)
    audit.h2("dq.reasons")
    if reasons.empty:
        audit.say("dq.no_exclusions")
        return
    reasons["table"] = reasons["table"].map(lambda name: audit.text(f"table.{name}"))
    reasons["meaning"] = reasons["reason"].map(lambda r: audit.text(f"reason.{r}"))
    audit.show(
        reasons[["table", "meaning", "rows"]],
        formats={"rows": "int"},
        labels={"meaning": "col.reason"},
    )
    audit.h2("dq.examples")
    audit.say("dq.examples_lead", css="muted")
    for name, quality in audit.quality.items():
        examples = examples_frame(quality)
        if examples.empty:
            continue
        examples["reason"] = examples["reason"].map(lambda r: audit.text(f"reason.{r}"))
        audit.show(
            examples,
            formats={"source_row": "int"},
            caption=audit.text(f"table.{name}"),
            id_columns=[quality.columns.get("customer_id", "customer_id")],
        )


def show_mapping(audit) -> None:
    """How the client's columns were read, and the loader's notes on the data."""
    mapping = mapping_frame(audit.quality)
    mapping["table"] = mapping["table"].map(lambda name: audit.text(f"table.{name}"))
    audit.h2("dq.mapping")
    audit.say("dq.mapping_lead", css="muted")
    audit.show(mapping)
    notes = [
        f"{audit.text('table.' + q.table)}: {note}"
        for q in audit.quality.values()
        for note in q.notes
    ]
    if notes:
        audit.h2("dq.notes")
        for note in notes:
            audit.note(note)
