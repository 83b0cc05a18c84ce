"""The report's narrative for each step: which findings can honestly be stated, with which numbers.

One module per notebook (``data_quality``, ``calculation``, ``funnel``, ``channels``,
``retention``, ``saturation``, ``summary``). The statistics stay in the step modules
(``clvlib.calculation`` …, tidy frames); the modules here decide what the report says about them:

- ``*_findings(...)`` functions are pure: they take the step's tables or recorded figures and a
  formatter and return :class:`Finding` s (a text key from ``clvlib.texts`` and its formatted
  values). A missing value never reaches a sentence: the function picks the sentence that says
  what is missing, or leaves the finding out. Tests reach them without running a report.
- ``show_*(audit, ...)`` functions display one section of a notebook (headings, sentences, tables,
  figures through ``audit``) and return what the notebook records, so a notebook cell is a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One sentence of the report: a ``clvlib.texts`` key and its pre-formatted values."""

    key: str
    values: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The form kept in ``metrics.json`` (``{"key", "values"}``) for the executive summary."""
        return {"key": self.key, "values": dict(self.values)}

    def say(self, audit, *, css: str = "finding") -> str:
        """Show the sentence in the report."""
        return audit.say(self.key, css=css, **self.values)


def say_all(
    audit,
    findings: list[Finding],
    *,
    notes: frozenset[str] = frozenset(),
    muted: frozenset[str] = frozenset(),
    css: str = "finding",
) -> list[Finding]:
    """Show ``findings`` in order: keys in ``notes`` boxed, in ``muted`` muted, the others with
    ``css``. Returns the findings not boxed as notes (those the executive summary may repeat)."""
    for finding in findings:
        style = "note" if finding.key in notes else "muted" if finding.key in muted else css
        finding.say(audit, css=style)
    return [finding for finding in findings if finding.key not in notes]
