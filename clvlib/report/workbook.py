"""``tables.xlsx``: every table of the report as a spreadsheet, plus the headline figures.

A consultant's next step after the PDF is their own deck and spreadsheet, so each table the
report shows (``Audit.show`` records it in the run, ``display.record_table``) becomes one sheet,
in the order of the report (``audit.html``: the executive summary first): headers in the
report's language, values as numbers and dates with Excel number formats — never formatted
text — a frozen, bold header row with filters and widths that fit. The first sheet
(``Figures``/``Wartości``) holds the headline figures with their 95 % intervals, taken from
``metrics.json`` so the numbers are the same.

Number formats by kind (``clvlib.report.display`` formats; ``currency`` e.g. PLN, GBP):

- ``money``: ``#,##0`` from 100 up and ``#,##0.00`` below, per cell, as the PDF shows it;
  ``money2``: always ``#,##0.00``. The currency is a quoted literal placed where the locale's
  CLDR currency pattern puts it, with its symbol where the locale has one
  (``babel.numbers.get_currency_symbol``): ``#,##0" zł"`` (pl), ``"£"#,##0`` (en_GB),
  ``#,##0" €"`` (de_DE), ``"PLN "#,##0`` (en: a code, kept apart from the digits).
- ``int``: ``#,##0``; ``numN``: ``#,##0.0…`` with N decimals (``num``: 2).
- ``pctN``: ``0.0…%`` with N decimals on the fraction (``pct``: 1), so 0.125 shows 12.5%.
- ``date``: an Excel date in the locale's numeric order with a four-digit year, as in the
  PDF (CLDR skeleton ``yMMdd``: ``d.mm.yyyy`` pl, ``dd/mm/yyyy`` en_GB, ``m/d/yyyy`` en_US).
- ``month`` (1 … 12, a month of the year): its name as text, as the PDF shows it — it labels a
  row (a season), it is not a date, and no Excel number format turns 1 … 12 into a name.
- ``text`` and ``pre`` (already formatted in the notebook, e.g. "160 zł (146–172 zł)"): text;
  a number or date in such a column stays a number (format ``General``) or a date. The report's
  ``pre`` columns hand over their numbers (``display.Numbers``), so the sheet gets the value
  and its interval's ends as numeric columns instead ("CLV", "CLV: 95 % CI low", "… high"),
  with the kind given (one per column, or one per row for a column of different quantities).

Missing values (None, NaN, ±inf, "—") are empty cells. Excel's separators follow the reader's
Excel settings (a format code's ``,`` and ``.`` mean "grouping" and "decimal mark").
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clvlib.i18n import DASH, fmt, t
from clvlib.report.display import TABLE_ATTR, TABLES_DIR, without_interval
from clvlib.report.metrics import write_bytes_atomic

WORKBOOK = "tables.xlsx"
#: widest column, in characters; longer text wraps
MAX_WIDTH = 60
MIN_WIDTH = 8
#: Excel's limits on a sheet's name
SHEET_NAME_LENGTH = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
ISO_DATE = "yyyy-mm-dd"


# -- the report's tables, in the report's order -------------------------------------------------
@dataclass(frozen=True)
class ShownTable:
    """One table of the report as ``display.record_table`` saved it, and where it stands."""

    name: str  # t0007
    frame: pd.DataFrame  # as shown: ids pseudonymised, values not formatted
    kinds: list[str | list[str]]  # one per column (money, pct1, date, text …) or per row
    headers: list[str]  # in the report's language
    caption: str | None
    section: str  # the report section: summary, calculation … appendix_methods
    section_title: str  # its level-1 heading
    heading: str  # the nearest heading above the table

    @property
    def title(self) -> str:
        """What the sheet is called: the caption, else the heading above the table."""
        return self.caption or self.heading or self.section_title

    @property
    def context(self) -> str:
        """Section, heading and caption: the sheet's full title (note and print header)."""
        parts = [self.section_title, self.heading, self.caption]
        return " — ".join(dict.fromkeys(p for p in parts if p))


_REPORT_RE = re.compile(
    r'<section class="report-section" id="sec-(?P<section>[^"]+)"'
    r"|<h(?P<level>[1-3])\b[^>]*>(?P<title>.*?)</h(?P=level)>"
    rf'|<table class="clv-table" {TABLE_ATTR}="(?P<table>[^"]+)"',
    re.S,
)


def tables_in_report(document: str) -> list[tuple[str, str, str, str]]:
    """(table name, section, section title, heading above it) of every recorded table, in the
    order of the assembled report (``render.assemble_html``)."""
    found = []
    section = section_title = heading = ""
    for match in _REPORT_RE.finditer(document):
        if match["section"]:
            section, section_title, heading = match["section"], "", ""
        elif match["level"]:
            title = html.unescape(re.sub(r"<[^>]+>", "", match["title"])).strip()
            if match["level"] == "1":
                section_title, heading = title, ""
            else:
                heading = title
        elif section:
            found.append((match["table"], section, section_title, heading))
    return found


def shown_tables(run_dir: Path, document: str) -> list[ShownTable]:
    """The tables ``document`` (the run's ``audit.html``) shows, read from the run's records."""
    folder = Path(run_dir) / TABLES_DIR
    tables = []
    for name, section, section_title, heading in tables_in_report(document):
        path = folder / f"{name}.pkl"
        if not path.is_file():
            raise RuntimeError(f"the report shows table {name} but the run did not record it")
        record = pickle.loads(path.read_bytes())  # written by this run (display.record_table)
        tables.append(
            ShownTable(
                name=name,
                frame=record["frame"],
                kinds=list(record["kinds"]),
                headers=list(record["headers"]),
                caption=record["caption"],
                section=section,
                section_title=section_title,
                heading=heading,
            )
        )
    return tables


# -- headline figures -------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A headline figure of ``metrics.json`` with its 95 % interval (None when there is none)."""

    label: str
    value: float
    low: float | None
    high: float | None
    kind: str  # money, pct1, num1, int
    unit: str  # the currency code, "%" or ""
    meaning: str


def _known(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def headline_figures(metrics: Mapping[str, Any], *, locale: str, currency: str) -> list[Figure]:
    """The executive summary's figures from ``metrics`` (as written to ``metrics.json``):
    predictive CLV per customer and in total, the value of a new customer (maximum CAC), the
    simple CLV, CAC and LTV:CAC of paid channels, AOV, purchase frequency, repeat rate, top-20 %
    share and customers. A figure that was not recorded is left out; an interval is given when
    both ends were recorded."""
    from clvlib.narrative.summary import clv_caveats

    calc = metrics.get("calculation") or {}
    clv = calc.get("clv") or {}
    new = clv.get("new_customer") or {}
    paid = (metrics.get("channels_detail") or {}).get("overall") or {}
    predictive = t("sum.sub.clv_predictive_no_ci", locale, horizon=clv.get("horizon_months"))
    caveats = [t(f"sum.sub.caveat.{k}", locale) for k in clv_caveats(calc)]
    predictive = "; ".join([predictive, *caveats])
    rows = [
        ("sum.box.clv", clv.get("mean"), clv.get("ci_low"), clv.get("ci_high"), "money",
         predictive),
        ("col.clv_total", clv.get("total"), clv.get("total_ci_low"), clv.get("total_ci_high"),
         "money", predictive),
        ("sum.box.max_cac", new.get("value"), new.get("ci_low"), new.get("ci_high"), "money",
         t("sum.sub.max_cac_no_ci", locale)),
        ("xlsx.simple_clv", calc.get("simple_clv"), None, None, "money", t("sum.sub.clv", locale)),
        ("sum.box.cac", paid.get("cac"), None, None, "money", t("sum.sub.cac", locale)),
        ("sum.box.ltv_cac", paid.get("ltv_cac"), None, None, "num1", t("sum.sub.ltv_cac", locale)),
        ("sum.box.aov", calc.get("aov"), None, None, "money", t("sum.sub.aov", locale)),
        ("sum.box.frequency", calc.get("purchase_frequency_per_year"), None, None, "num1",
         t("sum.sub.frequency", locale)),
        ("sum.box.repeat", calc.get("repeat_rate"), None, None, "pct1",
         t("sum.sub.repeat", locale)),
        ("sum.box.top20", calc.get("top20_share"), None, None, "pct1", t("sum.sub.top20", locale)),
        ("sum.box.customers", calc.get("customers"), None, None, "int",
         t("sum.sub.customers", locale)),
    ]  # fmt: skip
    figures = []
    for label, value, low, high, kind, meaning in rows:
        if not _known(value):
            continue
        interval = _known(low) and _known(high)
        unit = currency if kind.startswith("money") else "%" if kind.startswith("pct") else ""
        figures.append(
            Figure(
                label=without_interval(t(label, locale), locale),  # the ends: own columns
                value=value,
                low=low if interval else None,
                high=high if interval else None,
                kind=kind,
                unit=unit,
                meaning=meaning,
            )
        )
    return figures


# -- number formats ---------------------------------------------------------------------------
def _babel_locale(locale: str):
    from babel import Locale

    try:
        return Locale.parse(str(locale).strip().replace("-", "_"))
    except (ValueError, TypeError, LookupError):
        return None


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "") + '"' if text else ""


def currency_affixes(currency: str, locale: str) -> tuple[str, str]:
    """(prefix, suffix) of an amount in ``currency`` per the locale's CLDR currency pattern,
    with the currency's symbol where the locale has one: ("", " zł") in pl, ("£", "") in
    en_GB, ("PLN ", "") in en. A symbol that begins or ends with a letter next to the digits
    is kept apart from them by a no-break space (CLDR currency spacing)."""
    from babel.numbers import get_currency_symbol

    loc = _babel_locale(locale)
    if loc is None:
        return "", f"\u00a0{currency}"
    symbol = get_currency_symbol(currency, loc)
    positive = loc.currency_formats["standard"].pattern.split(";")[0]
    before, _, after = positive.partition("¤")
    if not re.search(r"[#0]", before):  # ¤ before the number: "¤#,##0.00", "¤ #,##0.00"
        gap = after[: len(after) - len(after.lstrip())]
        if not gap and symbol[-1:].isalpha():
            gap = "\u00a0"
        return symbol + gap.replace(" ", "\u00a0"), ""
    gap = before[len(before.rstrip()) :]
    if not gap and symbol[:1].isalpha():
        gap = "\u00a0"
    return "", gap.replace(" ", "\u00a0") + symbol


def money_format(currency: str, locale: str, decimals: int) -> str:
    """An Excel number format for amounts in ``currency``, e.g. ``#,##0" zł"``, ``"£"#,##0.00``."""
    prefix, suffix = currency_affixes(currency, locale)
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _quoted(prefix) + number + _quoted(suffix)


def date_format(locale: str) -> str:
    """An Excel date format in the locale's numeric order with a four-digit year (CLDR
    skeleton ``yMMdd``, as the PDF's dates); ``yyyy-mm-dd`` when the locale is unknown."""
    from babel.dates import match_skeleton

    loc = _babel_locale(locale)
    if loc is None:
        return ISO_DATE
    key = match_skeleton("yMMdd", loc.datetime_skeletons)
    if key is None:
        return ISO_DATE
    out = []
    for token in re.findall(r"'[^']*'|y+|[ML]+|d+|.", loc.datetime_skeletons[key].pattern):
        if token[0] == "y":
            out.append("yyyy")
        elif token[0] in "ML":
            out.append("m" * min(len(token), 2))
        elif token[0] == "d":
            out.append("d" * min(len(token), 2))
        else:  # a literal: every character escaped (Excel's "/" would be the system's separator)
            literal = token.strip("'") if token.startswith("'") and len(token) > 1 else token
            out.append("".join("\\" + ch for ch in literal))
    return "".join(out)


def number_format(kind: str, value: float, *, currency: str, locale: str) -> str:
    """The Excel number format of a number shown as ``kind`` (``General`` for text kinds)."""
    if kind == "money":
        return money_format(currency, locale, 2 if abs(value) < 100 else 0)
    if kind == "money2":
        return money_format(currency, locale, 2)
    if kind == "int":
        return "#,##0"
    if re.fullmatch(r"num\d*", kind):
        decimals = int(kind[3:] or 2)
        return "#,##0" + ("." + "0" * decimals if decimals else "")
    if re.fullmatch(r"pct\d*", kind):
        decimals = int(kind[3:] or 1)
        return "0" + ("." + "0" * decimals if decimals else "") + "%"
    return "General"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    if isinstance(value, str):
        return value.strip() in ("", DASH)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.tz_localize(None) if value.tzinfo else value
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    return None


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_value(value: Any, kind: str, *, locale: str, currency: str) -> tuple[Any, str | None]:
    """What a cell holds for ``value`` shown as ``kind``, and its number format (None: text or
    empty). Numbers stay numbers and dates dates, whatever the kind; ``month`` becomes its
    name; anything else its text."""
    if _missing(value):
        return None, None
    if isinstance(value, np.generic):
        value = value.item()
    when = _as_datetime(value)
    if when is not None:  # a ``date`` shows its day (as in the PDF), other kinds also the time
        if isinstance(when, dt.datetime) and kind != "date":
            return when, date_format(locale) + " hh:mm"
        return when, date_format(locale)
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]), date_format(locale)
        except ValueError:
            pass
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "month":
            return fmt(value, "month", locale=locale, currency=currency), None
        return value, number_format(kind, value, currency=currency, locale=locale)
    return _ILLEGAL.sub("", str(value))[:32767], None


def _shown_width(value: Any, kind: str, *, locale: str, currency: str) -> int:
    """Characters the value takes as the PDF shows it (for the column's width)."""
    if _missing(value):
        return 0
    shown = fmt(value, kind if kind != "pre" else "text", locale=locale, currency=currency)
    return max((len(line) for line in str(shown).splitlines()), default=0)


# -- sheets -----------------------------------------------------------------------------------
def _shortened(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, at a word's end when that keeps half of it, and
    before a parenthesis the cut would leave open."""
    if len(text) <= length:
        return text
    cut = text[: length + 1]
    at = cut.rfind(" ")
    short = cut[:at] if at >= length // 2 else text[:length]
    if short.count("(") > short.count(")") and short.rfind("(") >= length // 2:
        short = short[: short.rfind("(")]  # no unclosed parenthesis
    return short.rstrip(" '-–—,;(")


def sheet_name(title: str, taken: set[str], *, fallback: str) -> str:
    """A valid, unique sheet name from ``title``: no ``[]:*?/\\`` (``:`` becomes `` -``, a
    slash ``-``), at most 31 characters (cut at a word's end), not beginning or ending with an
    apostrophe, not ``History`` (reserved by Excel), unique ignoring case (`` (2)``, `` (3)`` …
    appended); ``fallback`` when nothing is left. Adds the name to ``taken`` (lower case)."""
    text = (title or "").replace(":", " -").replace("/", "-").replace("\\", "-")
    clean = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub(" ", text)).strip(" '-")
    base = _shortened(clean, SHEET_NAME_LENGTH) or fallback[:SHEET_NAME_LENGTH]
    name, n = base, 1
    while name.lower() in taken or name.lower() == "history":
        n += 1
        suffix = f" ({n})"
        name = _shortened(base, SHEET_NAME_LENGTH - len(suffix)) + suffix
    taken.add(name.lower())
    return name


def _fill_sheet(
    ws,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    kinds: Sequence[str | Sequence[str]],
    *,
    locale: str,
    currency: str,
) -> None:
    """Header in row 1 (bold, frozen, with filters), values below, widths that fit. A
    column's kind is one string, or a list with one per row."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=_ILLEGAL.sub("", str(header)))
        cell.font = bold
        cell.data_type = "s"  # a header is text, even one beginning with "="
    widths = [len(str(h)) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, (value, column_kind) in enumerate(zip(row, kinds, strict=True), start=1):
            kind = column_kind if isinstance(column_kind, str) else column_kind[r - 2]
            content, number = cell_value(value, kind, locale=locale, currency=currency)
            if content is None:
                continue
            cell = ws.cell(row=r, column=c, value=content)
            if isinstance(content, str):
                cell.data_type = "s"  # never a formula
            elif number:
                cell.number_format = number
            shown = _shown_width(value, kind, locale=locale, currency=currency)
            widths[c - 1] = max(widths[c - 1], shown)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(widths, start=1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        if width > MAX_WIDTH:
            for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"


def _title_sheet(ws, text: str) -> None:
    """The sheet's full title: a note on the header's first cell and the printed page header
    (row 1 stays the header, so the frozen pane and filters work)."""
    from openpyxl.comments import Comment

    if not text:
        return
    if ws.max_column >= 1:
        note = Comment(text, "clvlib")
        note.width, note.height = 320, 80
        ws.cell(row=1, column=1).comment = note
    ws.oddHeader.center.text = text.replace("&", "&&")[:250]


def build_workbook(
    tables: Sequence[ShownTable], figures: Sequence[Figure], *, locale: str, currency: str
):
    """An openpyxl ``Workbook``: the headline figures first (as the PDF opens with them), then
    one sheet per table in the report's order."""
    from openpyxl import Workbook

    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_name(t("xlsx.figures", locale), taken, fallback="Figures")
    headers = [
        t("col.quantity", locale),
        t("col.value", locale),
        t("col.ci_low", locale),
        t("col.ci_high", locale),
        t("xlsx.unit", locale),
        t("col.meaning", locale),
    ]
    rows = [[f.label, f.value, f.low, f.high, f.unit, f.meaning] for f in figures]
    _fill_sheet(ws, headers, rows, ["text"] * len(headers), locale=locale, currency=currency)
    for r, f in enumerate(figures, start=2):  # each figure's own format
        for c in (2, 3, 4):
            cell = ws.cell(row=r, column=c)
            if cell.value is not None:
                cell.number_format = number_format(
                    f.kind, cell.value, currency=currency, locale=locale
                )
    table_word = t("col.table", locale)
    for i, table in enumerate(tables, start=1):
        ws = wb.create_sheet(sheet_name(table.title, taken, fallback=f"{table_word} {i}"))
        rows = list(table.frame.itertuples(index=False, name=None))
        _fill_sheet(ws, table.headers, rows, table.kinds, locale=locale, currency=currency)
        _title_sheet(ws, table.context)
    return wb


def write_tables_xlsx(
    run_dir: Path,
    document: str,
    metrics: Mapping[str, Any],
    *,
    locale: str,
    currency: str,
    path: Path | None = None,
) -> Path:
    """Write ``<run_dir>/tables.xlsx`` (or ``path``): the tables of ``document`` (the run's
    assembled ``audit.html``) as recorded in ``<run_dir>/_work/tables``, and the headline
    figures of ``metrics`` (``metrics.json``'s content). Built in memory and written to a
    temporary file that is renamed into place: a failure leaves no partial workbook. Returns
    the path."""
    tables = shown_tables(run_dir, document)
    figures = headline_figures(metrics, locale=locale, currency=currency)
    wb = build_workbook(tables, figures, locale=locale, currency=currency)
    buffer = io.BytesIO()
    wb.save(buffer)
    target = Path(path) if path else Path(run_dir) / WORKBOOK
    write_bytes_atomic(target, buffer.getvalue())
    return target
