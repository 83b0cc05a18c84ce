"""What a notebook shows the client: headings, finding sentences, formatted tables, figures.

Every block is emitted as HTML wrapped in ``<div class="clv-block">``; the report assembler keeps
only these blocks, so stray cell outputs never reach the PDF. Headings of level 1 open a report
section (``data-section``) which the assembler places in report order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from clvlib.i18n import fmt, t
from clvlib.texts import TEXTS

SECRET_ENV = "CLVLIB_SECRET"


def emit(markup: str) -> str:
    """Display the block in Jupyter (when IPython is running) and return it."""
    block = f'<div class="clv-block">{markup}</div>'
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display

        if get_ipython() is not None:
            display(HTML(block))
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass
    return block


def slug(text: str) -> str:
    """A stable HTML id from a text (ASCII letters, digits and dashes)."""
    table = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-") or "section"


def text(locale: str, key: str, **values: Any) -> str:
    """Translated text for a key of ``clvlib.texts`` (a literal string when it is not a key)."""
    return t(key, locale, **values) if key in TEXTS else key


#: Tables with at most this many rows are not split across pages.
KEEP_TOGETHER_ROWS = 12


def heading(
    locale: str,
    key: str,
    *,
    level: int = 1,
    section: str | None = None,
    new_page: bool = False,
    **values: Any,
) -> str:
    """A heading; level 1 with ``section`` opens a report section (e.g. ``calculation``);
    ``new_page`` starts it on a new page."""
    title = text(locale, key, **values)
    anchor = section or slug(title)
    attrs = f' id="{anchor}"' + (' class="new-page"' if new_page else "")
    if level == 1:
        attrs += f' data-section="{section or anchor}"'
    return emit(f"<h{level}{attrs}>{html.escape(title)}</h{level}>")


def say(locale: str, key: str, *, css: str = "finding", **values: Any) -> str:
    """A paragraph; findings state their number (values are pre-formatted strings)."""
    if key not in TEXTS:  # a literal sentence (e.g. a data note): shown as plain text
        return emit(f'<p class="{css}">{html.escape(key)}</p>')
    safe = {k: html.escape(str(v)) for k, v in values.items()}
    return emit(f'<p class="{css}">{t(key, locale, **safe)}</p>')


def pseudonymize(values: Iterable[Any], *, key: bytes | None = None) -> list[str]:
    """Keyed hashes of customer ids (HMAC-SHA256, 10 hex characters), stable per key.

    The key comes from ``$CLVLIB_SECRET`` or the file ``~/.config/clvlib/pseudonym.key``, created
    with mode 0600 on first use; it is never written to a report.
    """
    key = key or _secret()
    return [
        "K-" + hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:10]
        if v is not None and str(v).strip() not in ("", "nan", "None")
        else "—"
        for v in values
    ]


def _secret() -> bytes:
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode("utf-8")
    path = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "clvlib"
    file = path / "pseudonym.key"
    if not file.is_file():
        path.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32).hex().encode("ascii"))
        os.replace(tmp, file)
    return file.read_bytes().strip()


def table_html(
    frame: pd.DataFrame,
    *,
    locale: str,
    currency: str,
    formats: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    pseudonymize_ids: bool = True,
    id_columns: Iterable[str] = ("customer_id",),
    record_to: Path | None = None,
    numbers: Mapping[str, Numbers | tuple] | None = None,
) -> str:
    """Render a tidy frame as a formatted HTML table (numbers right-aligned, per locale).

    ``record_to``: a run directory. The table — pseudonymised first, exactly as shown — is
    also saved for ``tables.xlsx`` (``record_table``) and the HTML table carries its name in
    ``data-table``, so the workbook follows the report's order (``clvlib.report.workbook``).
    ``numbers``: for a column of kind ``pre`` (text formatted by the caller), the numbers
    behind it (``Numbers``); the workbook gets them in its place. The HTML does not change."""
    frame = frame.copy()
    formats = dict(formats or {})
    for col in id_columns:
        if pseudonymize_ids and col in frame:
            frame[col] = pseudonymize(frame[col])
    labels = dict(labels or {})
    headers = [_label(locale, c, labels) for c in frame.columns]
    head = "".join(
        f'<th class="{_align(formats.get(c))}">{html.escape(h)}</th>'
        for c, h in zip(frame.columns, headers, strict=True)
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            kind = formats.get(col, "text")
            shown = fmt(value, kind, locale=locale, currency=currency)
            cells.append(f'<td class="{_align(kind)}">{html.escape(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    name = ""
    shown, kinds, heads = workbook_columns(  # checked in and outside a run
        frame, formats=formats, headers=headers, numbers=numbers, locale=locale
    )
    if record_to is not None:
        recorded = record_table(record_to, shown, kinds=kinds, headers=heads, caption=caption)
        name = f' {TABLE_ATTR}="{recorded}"'
    # Short tables are kept on one page; long ones break between rows, repeating the header.
    table = (
        f'<table class="clv-table"{name}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    return f'<div class="keep">{table}</div>' if len(body) <= KEEP_TOGETHER_ROWS else table


#: where a run keeps the tables it showed (``record_table``), and the HTML attribute naming one
TABLES_DIR = "_work/tables"
TABLE_ATTR = "data-table"


class Numbers(NamedTuple):
    """The numbers behind a column the HTML shows as formatted text (kind ``pre``, e.g.
    "160 zł (146–172 zł)", "organic"), for ``tables.xlsx``, where they replace that column.

    ``values`` has one row per row of the shown table, in its order: a Series of values, or a
    frame with a column ``value`` and, as needed, ``low`` and ``high`` (the ends of its 95 %
    interval) and ``note`` (words the table shows instead of a number, e.g. "pays
    throughout"). A missing number (NaN, None: "organic", "–" in the PDF) is an empty cell.
    ``kind`` formats the numbers (``money``, ``pct2``, ``num1`` …); a sequence gives one kind
    per row (a column of different quantities)."""

    values: pd.DataFrame | pd.Series
    kind: str | Sequence[str]

    @classmethod
    def interval(cls, frame: pd.DataFrame, value: str, low: str, high: str, kind: str) -> Numbers:
        """The numbers of a "value (low–high)" column: three columns of ``frame``."""
        parts = frame[[value, low, high]].set_axis(["value", "low", "high"], axis=1)
        return cls(parts.reset_index(drop=True), kind)


#: the parts of ``Numbers.values``, in the workbook's order
NUMBER_PARTS = ("value", "low", "high", "note")


def workbook_columns(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, str],
    headers: Sequence[str],
    numbers: Mapping[str, Numbers | tuple] | None,
    locale: str,
) -> tuple[pd.DataFrame, list[str | list[str]], list[str]]:
    """The table as ``tables.xlsx`` gets it: each column with ``numbers`` replaced by its
    parts — the value under the column's header without "(95 % CI)", then "<header>: 95 % CI
    low", "… high" and "<header>: note" — and the (frame, kinds, headers). A kind is one per
    column, or a list with one per row."""
    numbers = dict(numbers or {})
    kinds_as_shown: list[str | list[str]] = [formats.get(c, "text") for c in frame.columns]
    if not numbers:
        return frame.reset_index(drop=True), kinds_as_shown, list(headers)
    unknown = set(numbers) - set(frame.columns)
    if unknown:
        raise KeyError(f"numbers for columns the table does not have: {sorted(unknown)}")
    columns: dict[str, pd.Series] = {}
    kinds: list[str | list[str]] = []
    heads: list[str] = []
    for i, (col, header) in enumerate(zip(frame.columns, headers, strict=True)):
        if col not in numbers:
            columns[f"{i}"] = frame.iloc[:, i].reset_index(drop=True)
            kinds.append(kinds_as_shown[i])
            heads.append(header)
            continue
        values, kind = Numbers(*numbers[col])
        parts = values.to_frame("value") if isinstance(values, pd.Series) else values
        if len(parts) != len(frame) or "value" not in parts or set(parts) - set(NUMBER_PARTS):
            raise ValueError(
                f"numbers for {col!r}: one row per row of the table ({len(frame)}) with columns "
                f"value[, low, high, note], not {len(parts)} rows of {list(parts)}"
            )
        kind = kind if isinstance(kind, str) else list(kind)
        if not isinstance(kind, str) and len(kind) != len(frame):
            raise ValueError(f"numbers for {col!r}: {len(kind)} kinds for {len(frame)} rows")
        base = without_interval(header, locale) if "low" in parts else header
        for part in (p for p in NUMBER_PARTS if p in parts):
            column = parts[part].reset_index(drop=True)
            if part == "note":
                column = column.map(lambda v: None if _blank(v) else str(v)).astype(object)
            columns[f"{i}.{part}"] = column
            kinds.append("text" if part == "note" else kind)
            heads.append(base if part == "value" else t(f"xlsx.{part}", locale, column=base))
    return pd.DataFrame(columns), kinds, heads


def without_interval(header: str, locale: str) -> str:
    """A header without its trailing "(95 % CI)", "(95 % PU)" (its ends get columns of
    their own in ``tables.xlsx``)."""
    mark = t("xlsx.ci_mark", locale)
    return header[: -len(mark)].rstrip() if header.endswith(mark) else header


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value) == ""


def record_table(
    run_dir: Path,
    frame: pd.DataFrame,
    *,
    kinds: Sequence[str | Sequence[str]],
    headers: list[str],
    caption: str | None,
) -> str:
    """Save a shown table for ``tables.xlsx``: ``<run_dir>/_work/tables/t<nnnn>.pkl`` holds the
    frame as shown (ids already pseudonymised, values not yet formatted; ``workbook_columns``),
    each column's kind (``money``, ``pct1``, ``text`` …, or a list with one per row), its
    headers and caption in the report's language. Tables are numbered in the order the run
    showed them (one notebook at a time); returns the name, e.g. ``t0007``."""
    import pickle

    from clvlib.report.metrics import write_bytes_atomic

    folder = Path(run_dir) / TABLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    number = len(list(folder.glob("t*.pkl")))
    while True:  # claim the next free number (exclusive create), then write the table over it
        number += 1
        name = f"t{number:04d}"
        try:
            os.close(os.open(folder / f"{name}.pkl", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            break
        except FileExistsError:
            continue
    record = {
        "frame": frame.reset_index(drop=True),
        "kinds": [k if isinstance(k, str) else list(k) for k in kinds],  # one per column
        "headers": list(headers),
        "caption": caption,
    }
    write_bytes_atomic(folder / f"{name}.pkl", pickle.dumps(record, protocol=5))
    return name


def _label(locale: str, column: str, labels: Mapping[str, str]) -> str:
    """Column header: an explicit label (text key or literal), else the ``col.<name>`` text."""
    key = labels.get(column, f"col.{column}")
    if key in TEXTS:
        return t(key, locale)
    return labels.get(column, column)


def _align(kind: str | None) -> str:
    """Numbers (and pre-formatted numbers, kind ``pre``) right-aligned, text and dates left."""
    return "num" if kind and kind not in ("text", "date") else "txt"


#: where a run keeps the print copies of its figures (``figure_html``), relative to the run
PRINT_DIR = "_work/print"


def figure_html(
    fig: Any,
    *,
    title: str,
    source: str | None = None,
    name: str = "figure",
    figures_dir: Path | None = None,
) -> str:
    """A matplotlib figure as inline SVG (and ``figures/<name>.svg`` in a run), with its source.

    The SVG draws its text as outlines, so it looks the same on any machine. In a run (beside
    ``figures_dir``, in ``PRINT_DIR``) the figure is also saved with its text as text
    (``svg.fonttype: none``, the same layout): the PDF renderer draws that copy instead
    (``clvlib.report.render.print_figures``), about twice as fast as thousands of glyph
    outlines, and its labels become the PDF's searchable text."""
    import matplotlib.pyplot as plt

    fig = getattr(fig, "figure", fig)  # accept an Axes
    svg, crop = _svg(fig)
    if figures_dir is not None:
        from clvlib.report.metrics import write_bytes_atomic

        figures_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(figures_dir / f"{slug(name)}.svg", svg)
        copies = Path(figures_dir).parent / PRINT_DIR
        copies.mkdir(parents=True, exist_ok=True)
        copy, _ = _svg(fig, fonttype="none", crop=crop)
        write_bytes_atomic(copies / f"{print_key(svg)}.svg", print_svg(copy))
    plt.close(fig)
    data = base64.b64encode(svg).decode("ascii")
    src = f'<p class="source">{html.escape(source)}</p>' if source else ""
    return (
        f'<figure><p class="fig-title">{html.escape(title)}</p>'
        f'<img alt="{html.escape(title)}" src="data:image/svg+xml;base64,{data}"/>{src}</figure>'
    )


def _svg(fig: Any, *, fonttype: str = "path", crop: Any = None) -> tuple[bytes, Any]:
    """The figure as SVG (no date) and the box it was cropped to (inches): text as outlines
    (``path``) or as text (``none``).

    Cropped to its drawing (``bbox_inches="tight"``), or to ``crop``, the box an earlier call
    returned: both fonttypes measure text alike, so the box is the same, and matplotlib
    need not draw the figure a second time to find it (half of a tight save's time). The box is
    the one savefig measured (``Figure.get_tightbbox``, padded by ``savefig.pad_inches``);
    None when that could not be seen (a layout engine: then "tight" again)."""
    import matplotlib as mpl

    measured: list[Any] = []
    watch = crop is None and fig.get_layout_engine() is None
    if watch:

        def tight_box(*args, **kwargs):
            box = type(fig).get_tightbbox(fig, *args, **kwargs)
            measured.append(box)
            return box

        fig.get_tightbbox = tight_box  # this figure only: savefig asks it for the box
    buffer = io.BytesIO()
    try:
        with mpl.rc_context({"svg.fonttype": fonttype}):
            box = "tight" if crop is None else crop
            fig.savefig(buffer, format="svg", bbox_inches=box, metadata={"Date": None})
    finally:
        if watch:
            del fig.get_tightbbox
    if crop is None and len(measured) == 1:
        crop = measured[0].padded(mpl.rcParams["savefig.pad_inches"])
    return buffer.getvalue(), crop


_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_UNIVERSAL_RULE = re.compile(r"\s*\*\s*\{([^{}]*)\}\s*")


def print_svg(svg: bytes) -> bytes:
    """A matplotlib SVG as WeasyPrint draws it fastest, the same drawing: without the groups
    that only name an artist (``<g id="xtick_3">``, two in five elements), without the metadata,
    and with each element's ``style="…"`` as attributes (``fill="#fff"``), so that no CSS is
    parsed per element. Matplotlib's one stylesheet rule (``*{stroke-linejoin: round; …}``)
    becomes attributes of every element, under those of its own style, as the cascade had it.

    WeasyPrint's share of an SVG's cost is per element; for the demo's 30 figures this cuts
    the figures' part of the PDF by a quarter to a half (0.7-1.4 s of CPU in 5.5-7 s,
    ``clvlib.report.render.write_pdf``, measured on a loaded machine); pages are
    pixel-identical.
    An SVG with any other stylesheet keeps its styles (only groups and metadata go)."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", _SVG_NS)
    ElementTree.register_namespace("xlink", _XLINK_NS)
    root = ElementTree.fromstring(svg)
    referenced = set(re.findall(rb"#([^\s\"')]+)", svg))
    everywhere = _stylesheet_as_attributes(root)
    _drop_naming_groups(root, {r.decode("utf-8", "replace") for r in referenced})
    if everywhere is not None:
        for element in root.iter():
            own = _declarations(element.attrib.pop("style", ""))
            element.attrib.update({**everywhere, **own})
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _stylesheet_as_attributes(root: Any) -> dict[str, str] | None:
    """Remove the SVG's stylesheets and return their declarations, when they are one rule for
    every element (``*{…}``, matplotlib's); else None, and they stay."""
    sheets = [(defs, s) for defs in root.iter(f"{{{_SVG_NS}}}defs") for s in defs
              if s.tag == f"{{{_SVG_NS}}}style"]  # fmt: skip
    rules = [_UNIVERSAL_RULE.fullmatch(style.text or "") for _, style in sheets]
    if not all(rules):
        return None
    declared: dict[str, str] = {}
    for (defs, style), rule in zip(sheets, rules, strict=True):
        declared.update(_declarations(rule.group(1)))
        defs.remove(style)
    return declared


def _drop_naming_groups(element: Any, referenced: set[str]) -> None:
    """Replace each ``<g>`` with no attribute but an id nothing refers to by its children;
    drop ``<metadata>``."""
    children = []
    for child in list(element):
        _drop_naming_groups(child, referenced)
        if child.tag == f"{{{_SVG_NS}}}metadata":
            continue
        naming = set(child.attrib) <= {"id"} and child.get("id") not in referenced
        if child.tag == f"{{{_SVG_NS}}}g" and naming and not (child.text or "").strip():
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


def _declarations(style: str) -> dict[str, str]:
    """``"fill: #fff; stroke: none"`` → ``{"fill": "#fff", "stroke": "none"}``."""
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    return {name.strip(): value.strip() for name, value in pairs}


def print_key(svg: bytes) -> str:
    """The name of a figure's print copy: a digest of the SVG the report embeds."""
    return hashlib.sha256(svg).hexdigest()[:32]


def boxes_html(items: Iterable[tuple[str, str, str]]) -> str:
    """Headline figures in boxes: (label, value, sub-line)."""
    cells = "".join(
        f'<div class="box"><div class="box-label">{html.escape(label)}</div>'
        f'<div class="box-value">{html.escape(value)}</div>'
        f'<div class="box-sub">{html.escape(sub)}</div></div>'
        for label, value, sub in items
    )
    return f'<div class="boxes">{cells}</div>'
