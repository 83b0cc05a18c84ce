"""Executed notebooks → one ``audit.html`` (no code) → ``audit.pdf`` (WeasyPrint, A4).

Only blocks the notebooks emitted through the audit's display helpers (``clv-block``) reach the
report. Each level-1 heading opens a section; sections are placed in report order whatever the
notebook that produced them, so the executive summary comes first although it runs last.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat

from clvlib.i18n import fmt_date, language, t

# Report order (REPORT.md): summary, contents, steps I–V, appendices.
SECTION_ORDER = [
    "summary",
    "calculation",
    "funnel",
    "channels",
    "retention",
    "saturation",
    "appendix_data",
    "appendix_methods",
]
_SECTION_RE = re.compile(r'<h1 id="[^"]*" data-section="([^"]+)"')
_HEADING_RE = re.compile(r'<h([12]) id="([^"]+)"([^>]*)>(.*?)</h\1>', re.S)
_SVG_URI_RE = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class Cover:
    """What the cover and footer say."""

    client: str
    locale: str
    currency: str
    window_start: dt.date
    window_end: dt.date
    prepared_by: str | None
    created: dt.date


def notebook_blocks(path: Path) -> list[str]:
    """The report blocks (``clv-block`` HTML) of one executed notebook, in output order."""
    nb = nbformat.read(path, as_version=4)
    blocks = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html")
            if isinstance(markup, list):
                markup = "".join(markup)
            if markup and 'class="clv-block"' in markup:
                blocks.append(markup)
    return blocks


def split_sections(blocks: list[str]) -> dict[str, list[str]]:
    """Group blocks by the section their preceding level-1 heading opened."""
    sections: dict[str, list[str]] = {}
    current = None
    for block in blocks:
        match = _SECTION_RE.search(block)
        if match:
            current = match.group(1)
        if current is None:
            continue  # text before any section heading is analyst-only
        sections.setdefault(current, []).append(block)
    return sections


def assemble_html(notebooks: list[Path], cover: Cover) -> str:
    """The whole report as one self-contained HTML document."""
    sections: dict[str, list[str]] = {}
    for nb in notebooks:
        for name, blocks in split_sections(notebook_blocks(nb)).items():
            sections.setdefault(name, []).extend(blocks)
    order = [s for s in SECTION_ORDER if s in sections]
    # sections this version does not know go before the appendices
    extras = [s for s in sections if s not in SECTION_ORDER]
    appendix_at = next((i for i, s in enumerate(order) if s.startswith("appendix")), len(order))
    order = order[:appendix_at] + extras + order[appendix_at:]

    counter = iter(range(1, 10_000))
    body_parts, toc = [], []
    for name in order:
        content, entries = _number_headings("".join(sections[name]), counter)
        if name != "summary":
            toc.extend(entries)
        body_parts.append(f'<section class="report-section" id="sec-{name}">{content}</section>')
        if name == "summary":
            body_parts.append(_toc_placeholder())
    if "summary" not in sections:
        body_parts.insert(0, _toc_placeholder())
    toc_html = _toc(toc, cover.locale)
    body = "".join(body_parts).replace(_toc_placeholder(), toc_html)
    css = resources.files("clvlib.report").joinpath("templates/report.css").read_text("utf-8")
    lang = language(cover.locale)
    title = html.escape(f"{t('report.title', cover.locale)} — {cover.client}")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{css}</style></head><body>{_cover(cover)}{body}</body></html>"
    )


def _number_headings(content: str, counter) -> tuple[str, list[tuple[int, str, str]]]:
    """Give every h1/h2 a unique id; return the content and its (level, id, title) entries."""
    entries: list[tuple[int, str, str]] = []

    def renumber(match: re.Match[str]) -> str:
        level, anchor, rest, title = match.groups()
        new_id = f"s{next(counter)}-{anchor}"
        entries.append((int(level), new_id, title))
        return f'<h{level} id="{new_id}"{rest}>{title}</h{level}>'

    return _HEADING_RE.sub(renumber, content), entries


def _toc_placeholder() -> str:
    return "<!--clv-toc-->"


def _toc(entries: list[tuple[int, str, str]], locale: str) -> str:
    items = "".join(
        f'<li class="l{level}"><a href="#{anchor}">{title}</a></li>'
        for level, anchor, title in entries
    )
    heading = f'<h1 id="contents">{t("report.contents", locale)}</h1>'
    return f'<nav class="toc">{heading}<ol>{items}</ol></nav>'


def _cover(c: Cover) -> str:
    e = html.escape
    window = f"{fmt_date(c.window_start, c.locale)} – {fmt_date(c.window_end, c.locale)}"
    facts = [
        (t("cover.window", c.locale), window),
        (t("cover.date", c.locale), fmt_date(c.created, c.locale)),
        (t("cover.currency", c.locale), c.currency),
    ]
    if c.prepared_by:
        facts.append((t("cover.prepared_by", c.locale), c.prepared_by))
    rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in facts)
    footer = f"{c.client} · {fmt_date(c.created, c.locale)}"
    return (
        f'<div class="cover"><span class="running-footer">{e(footer)}</span>'
        f'<div class="band"><div class="kicker">{e(t("cover.kicker", c.locale))}</div>'
        f'<h1 class="title">{e(t("report.title", c.locale))}</h1>'
        f'<div class="client">{e(c.client)}</div></div>'
        f'<div><table class="facts">{rows}</table>'
        f'<p class="confidential">{e(t("cover.confidential", c.locale))}</p></div></div>'
    )


def print_figures(document: str, copies: Path) -> str:
    """The document with each figure replaced by its print copy in ``copies`` (text as text,
    ``clvlib.report.display.figure_html``), where the run kept one; the others as they are."""
    from clvlib.report.display import print_key

    if not Path(copies).is_dir():
        return document

    def swap(match: re.Match[str]) -> str:
        copy = Path(copies) / f"{print_key(base64.b64decode(match.group(1)))}.svg"
        if not copy.is_file():
            return match.group(0)
        return "data:image/svg+xml;base64," + base64.b64encode(copy.read_bytes()).decode("ascii")

    return _SVG_URI_RE.sub(swap, document)


def write_pdf(document: str, path: Path) -> None:
    """Render the HTML to an A4 PDF; written to a temp file and renamed (never half-written).
    Figures are drawn from the run's print copies beside ``path`` when there are
    (``print_figures``)."""
    from weasyprint import HTML

    from clvlib.report.display import PRINT_DIR
    from clvlib.report.metrics import write_bytes_atomic

    document = print_figures(document, Path(path).parent / PRINT_DIR)
    pdf = HTML(string=document, base_url=str(Path(path).parent)).write_pdf()
    write_bytes_atomic(Path(path), pdf)
