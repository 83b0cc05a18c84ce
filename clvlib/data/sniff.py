"""Sniffing an unknown export: encoding, separator, header row, decimal mark and date format.

``sniff_file(path)`` returns one ``Export`` per table in a file (a CSV or Parquet file; each
non-empty sheet of a workbook): the settings ``client.yml`` needs to read it (each a ``Guess``
with its confidence and the evidence) and a ``ColumnProfile`` of every column, computed on a
sample of at most ``SAMPLE_ROWS`` rows. Nothing here decides which table a file is
(``clvlib.data.guess`` does).

How each setting is decided:

- **encoding**: a byte-order mark, else UTF-8 when every byte sequence is valid UTF-8, else the
  single-byte Polish encoding under which the bytes decode to Polish letters — cp1250 and
  ISO-8859-2 share ó, ł, ę, ż, ć, ń but not ą, ś, ź (and their capitals), so those bytes decide;
  bytes 0x80-0x9F are control codes in ISO-8859-2 and count against it;
- **separator, header row, rows to skip**: the candidate (``;``, ``,``, tab, ``|``) with which the
  most lines have the same number of fields; the header is the first such line with most fields
  filled (title lines above it are skipped); DuckDB's ``sniff_csv`` is asked too and its answer
  is reported, but a separator is only taken when the lines agree with it;
- **decimal mark** (and thousands separator): from amounts such as ``122,45`` or ``1.234,56``;
  ``1,234`` alone cannot tell and is not counted;
- **date format**: the pattern most date-like columns match (dd.mm.yyyy, yyyy-mm-dd, ...) with
  the time part they carry; dd/mm vs mm/dd is decided by a day above 12, else stated as
  ambiguous.

Column names are the loader's own (``clvlib.data.io``), so a mapping written from them matches.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from clvlib.config import CsvOptions, Source
from clvlib.data.io import (
    POLISH_LETTERS,
    clean_header,
    csv_header,
    drop_stage,
    file_format,
    quote_literal,
    stage_source,
)
from clvlib.data.validation import FALSE_WORDS, SPACES, TRUE_WORDS
from clvlib.errors import DataError

SAMPLE_ROWS = 20_000  # data rows profiled per table
SAMPLE_BYTES = 4 * 1024 * 1024  # bytes of a CSV read for the sample
LAYOUT_ROWS = 5_000  # lines split with each candidate separator
EXCEL_SAMPLE_ROWS = 5_000  # workbooks parse slowly; this many rows per sheet
SCAN_BYTES = 256 * 1024 * 1024  # bytes checked for the encoding (the loader checks all)
SEPARATORS = (";", ",", "\t", "|")
SINGLE_BYTE = ("cp1250", "iso-8859-2")  # Polish single-byte encodings, preferred first

Cell = str | int | float | bool | dt.date | None


@dataclass(frozen=True)
class Guess:
    """One sniffed setting: its value, a confidence in [0, 1] and the evidence in words."""

    value: Any
    confidence: float
    reason: str
    alternatives: tuple[Any, ...] = ()
    ambiguous: bool = False  # the data cannot tell the value from the alternatives


@dataclass
class ColumnProfile:
    """What a column's sampled values look like (shares are of the non-empty values)."""

    name: str  # as the loader names it (header without BOM and spaces, made unique)
    rows: int  # rows sampled
    filled: int  # non-empty values
    distinct: int  # distinct non-empty values
    numeric: float = 0.0  # readable as numbers with the file's decimal mark (or typed numbers)
    fractional: float = 0.0  # numbers with a fractional part, or written with one ('100,00')
    integers: float = 0.0  # whole numbers
    negative: float = 0.0  # numbers below zero
    dated: float = 0.0  # readable as dates with the file's date format (or typed dates)
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    boolean: float = 0.0  # yes/no words the loader reads (tak/nie, 1/0, true/false ...)
    email: float = 0.0  # values that look like e-mail addresses
    spaced: float = 0.0  # values with a space inside (names, phrases)
    top: list[tuple[str, int]] = field(default_factory=list)  # most common values (<= 30 kinds)
    examples: list[str] = field(default_factory=list)  # first two non-empty values, as text

    @property
    def unique(self) -> float:
        """Distinct / non-empty values: 1.0 when no value repeats (0 for an empty column)."""
        return self.distinct / self.filled if self.filled else 0.0


@dataclass
class Export:
    """One table found in a file, with the settings to read it and its column profiles."""

    path: Path
    format: str  # csv | xlsx | parquet
    sheet: str | None  # the workbook sheet (set when the workbook has several)
    columns: list[ColumnProfile]
    rows: int  # data rows sampled
    complete: bool  # the sample holds every data row
    options: dict[str, Guess]  # encoding, sep, header, skip_rows, decimal, date_format
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.path.name} [sheet '{self.sheet}']" if self.sheet else self.path.name

    def csv_options(self) -> CsvOptions:
        """The ``csv:`` block of ``client.yml`` these guesses amount to."""
        values = {key: guess.value for key, guess in self.options.items()}
        return CsvOptions(**values)


# -- encoding -------------------------------------------------------------------------------------
def sniff_encoding(path: Path, *, limit: int = SCAN_BYTES) -> Guess:
    """The file's encoding, from its byte-order mark or its bytes (the first ``limit``)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return Guess("utf-8-sig", 1.0, "UTF-8 with a byte-order mark")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Guess("utf-16", 1.0, "UTF-16 with a byte-order mark")
    counts = np.zeros(256, dtype=np.int64)
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, scanned, first = True, 0, b""
    with open(path, "rb") as fh:
        while scanned < limit and (chunk := fh.read(min(16 * 1024 * 1024, limit - scanned))):
            first = first or chunk[:4096]
            counts += np.bincount(np.frombuffer(chunk, dtype=np.uint8), minlength=256)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            scanned += len(chunk)
        truncated = bool(fh.read(1))
    upto = f" (first {limit // 2**20} MiB checked)" if truncated else ""
    if scanned and counts[0] > scanned // 10:  # UTF-16 without a byte-order mark
        odd = first[1::2].count(0) > first[0::2].count(0)
        return Guess("utf-16-le" if odd else "utf-16-be", 0.7, "every other byte is zero" + upto)
    non_ascii = int(counts[128:].sum())
    if utf8_ok:
        if not non_ascii:
            return Guess("utf-8", 1.0, "plain ASCII, which every encoding reads alike" + upto)
        return Guess("utf-8", 1.0, "every non-ASCII character is valid UTF-8" + upto)
    scores = {enc: _letter_score(counts, enc) for enc in SINGLE_BYTE}
    best = max(SINGLE_BYTE, key=lambda enc: scores[enc][0])
    other = next(enc for enc in SINGLE_BYTE if enc != best)
    score, letters, bad = scores[best]
    if not letters:
        return Guess(
            best,
            0.3,
            f"not UTF-8, and neither cp1250 nor ISO-8859-2 gives Polish letters{upto}; check "
            "the exporting program's settings",
            (other,),
        )
    if score == scores[other][0] and not bad:
        shared = "".join(sorted(letters))
        return Guess(
            best,
            0.9,
            f"not UTF-8; its Polish letters ({shared}) are the same bytes in cp1250 and "
            f"ISO-8859-2, so both read it alike{upto}",
            (other,),
        )
    distinct = "".join(sorted(letters - scores[other][1])) or "".join(sorted(letters))
    return Guess(
        best,
        0.95 if not bad else 0.6,
        f"not UTF-8; Polish letters ({distinct}) decode in {best}, not in {other}{upto}",
        (other,),
    )


def _letter_score(counts: np.ndarray, encoding: str) -> tuple[int, set[str], int]:
    """(score, Polish letters seen, bytes that make no sense) for the non-ASCII bytes decoded
    with ``encoding``: a Polish letter +1, a rare symbol -1, a control code or undefined byte -5."""
    score, letters, bad = 0, set(), 0
    for byte in np.flatnonzero(counts[128:]) + 128:
        n = int(counts[byte])
        try:
            char = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            score, bad = score - 5 * n, bad + n
            continue
        kind = unicodedata.category(char)
        if char in POLISH_LETTERS:
            score += n
            letters.add(char)
        elif kind == "Cc":
            score, bad = score - 5 * n, bad + n
        elif kind.startswith("S") and char not in "°§©®€™":
            score -= n
    return score, letters, bad


def read_text(path: Path, encoding: str, *, limit: int | None = None) -> tuple[str, bool]:
    """The first ``limit`` bytes (default ``SAMPLE_BYTES``) of ``path`` as text (whole lines)
    and whether that is all of it."""
    with open(path, "rb") as fh:
        data = fh.read(limit or SAMPLE_BYTES)
        complete = not fh.read(1)
    text = codecs.getincrementaldecoder(encoding)("replace").decode(data, final=complete)
    text = text.removeprefix("\ufeff")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text, complete


# -- separator and header -------------------------------------------------------------------------
@dataclass
class _Layout:
    sep: str
    width: int  # fields per line
    start: int  # index of the header (or first data) record
    consistency: float  # share of records from ``start`` on with ``width`` fields
    records: list[list[str]]
    lines: list[int]  # physical line (0-based) where each record starts


def _layout(text: str, sep: str, complete: bool) -> _Layout | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    records, lines, line = [], [], 0
    try:
        for fields in reader:
            records.append(fields)
            lines.append(line)
            line = reader.line_num
            if len(records) > LAYOUT_ROWS:
                break
    except csv.Error:
        return None
    if not complete and len(records) > 1:  # the sample may end inside a record
        records, lines = records[:-1], lines[:-1]
    widths = [len(r) for r in records if r]
    if not widths:
        return None
    width = Counter(widths[len(widths) // 2 :]).most_common(1)[0][0]
    if width < 2:
        return _Layout(sep, 1, 0, 0.0, records, lines)
    following = [sum(bool(f.strip()) for f in r) for r in records[1:50]]
    typical = sorted(following)[len(following) // 2] if following else 0
    start = next(
        (
            i
            for i, r in enumerate(records)
            if len(r) == width
            and sum(bool(f.strip()) for f in r) >= max(2, math.ceil(width / 2), min(typical, width))
        ),
        next((i for i, r in enumerate(records) if len(r) == width), 0),
    )
    rest = records[start:]
    consistency = sum(len(r) == width for r in rest) / len(rest) if rest else 0.0
    return _Layout(sep, width, start, consistency, records, lines)


def _last_record_line(text: str, sep: str) -> int:
    """The physical line (0-based) where the last CSV record of ``text`` starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    start = line = 0
    for _ in reader:
        start, line = line, reader.line_num
    return start


def _duckdb_sniff(sample: Path) -> dict[str, Any] | None:
    """DuckDB's own guess (delimiter, rows to skip, header) for a UTF-8 sample file."""
    try:
        con = duckdb.connect()
        try:
            sniffed = f"sniff_csv({quote_literal(str(sample))})"
            row = con.execute(f"SELECT Delimiter, SkipRows, HasHeader FROM {sniffed}").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return {"sep": row[0], "skip_rows": int(row[1]), "header": bool(row[2])} if row else None


def _shown(sep: str) -> str:
    return "tab" if sep == "\t" else f"'{sep}'"


def sniff_layout(text: str, complete: bool, sample: Path) -> tuple[_Layout, dict[str, Guess]]:
    """Separator, header and rows to skip for the decoded ``text`` (also written to ``sample``)."""
    layouts = [lay for sep in SEPARATORS if (lay := _layout(text, sep, complete))]
    duck = _duckdb_sniff(sample)
    if not layouts:
        raise DataError(
            "the file cannot be split into fields (an unclosed quote?)",
            file=str(sample),
            fix="re-export the table as CSV with quoted values",
        )
    multi = [lay for lay in layouts if lay.width >= 2]
    if not multi:
        lay = layouts[0]
        guesses = {"sep": Guess(",", 0.3, "every line has a single field: one column only")}
        return lay, guesses | _header_guess(lay, duck)
    by_sep = {lay.sep: lay for lay in multi}
    best = max(multi, key=lambda lay: (round(lay.consistency, 3), lay.width))
    duck_sep = duck["sep"] if duck else None
    if duck_sep in by_sep and by_sep[duck_sep].consistency >= best.consistency - 1e-9:
        best = by_sep[duck_sep]
    share = f"{best.consistency:.0%}".replace("100%", "every")
    reason = f"{best.width} fields on {share} sampled line{'s' if share != 'every' else ''}"
    if duck_sep == best.sep:
        reason += "; DuckDB's sniffer agrees"
    elif duck_sep:
        other = by_sep.get(duck_sep)
        fit = f" (only {other.consistency:.0%} of lines fit it)" if other else ""
        reason += f"; DuckDB's sniffer suggested {_shown(duck_sep)}{fit}"
    runner = [
        lay
        for lay in multi
        if lay is not best and lay.consistency >= 0.99 and lay.width >= best.width
    ]
    confidence = 0.95 if best.consistency >= 0.99 else max(0.3, best.consistency - 0.1)
    if runner:
        confidence = min(confidence, 0.7)
        reason += f"; {_shown(runner[0].sep)} fits too"
    guesses = {"sep": Guess(best.sep, confidence, reason, tuple(lay.sep for lay in runner))}
    return best, guesses | _header_guess(best, duck)


def _header_guess(lay: _Layout, duck: dict[str, Any] | None) -> dict[str, Guess]:
    skip = lay.lines[lay.start] if lay.records else 0
    first = lay.records[lay.start] if lay.records else []
    data = lay.records[lay.start + 1 : lay.start + 2001]
    header, why = _looks_like_header(first, data)
    guesses = {"header": Guess(header, 0.9 if header else 0.6, why)}
    skipped = f"{skip} line{'s' if skip != 1 else ''} above the header" if header else ""
    if skip:
        note = f"skip {skipped or f'{skip} lines above the first data line'} (title lines)"
        if duck and duck["skip_rows"] == skip:
            note += "; DuckDB's sniffer agrees"
        guesses["skip_rows"] = Guess(skip, 0.8, note)
    return guesses


def _looks_like_header(first: list[str], data: list[list[str]]) -> tuple[bool, str]:
    """A first record is a header unless its fields read like the values below them."""
    fields = [f.strip() for f in first]
    typed_below = typed_here = 0
    for i, name in enumerate(fields):
        below = [r[i].strip() for r in data if i < len(r) and r[i].strip()]
        if not below:
            continue
        kind = _kind_of(below[:200])
        if kind in ("number", "date"):
            typed_below += 1
            typed_here += _kind_of([name]) == kind
    if typed_below and typed_here * 2 >= typed_below:
        return False, "the first line holds values like the lines below it: no header"
    if len(set(fields)) < len(fields):
        return True, "the first line holds names (some repeat)"
    return True, "the first line holds column names"


def _kind_of(values: list[str]) -> str:
    """``number``, ``date`` or ``text``: what most of ``values`` look like."""
    dates = sum(bool(_DATE_ANY.match(v)) for v in values)
    numbers = sum(bool(_NUMBER.fullmatch(v)) for v in values)
    if dates * 10 >= len(values) * 9:
        return "date"
    if numbers * 10 >= len(values) * 9:
        return "number"
    return "text"


# -- decimal mark ---------------------------------------------------------------------------------
_NUMBER = re.compile(r"[-+]?(\d[\d \u00a0\u202f.,]*\d|\d)")
_DECIMAL_VOTES = (  # (pattern, decimal mark it shows, thousands separator it shows)
    (re.compile(r"[-+]?\d{1,3}(\.\d{3})+,\d+"), ",", "."),
    (re.compile(r"[-+]?\d{1,3}(,\d{3})+\.\d+"), ".", ","),
    (re.compile(r"[-+]?\d{1,3}([ \u00a0\u202f]\d{3})+,\d+"), ",", " "),
    (re.compile(r"[-+]?\d{1,3}([ \u00a0\u202f]\d{3})+\.\d+"), ".", " "),
    (re.compile(r"[-+]?(0|\d{4,}),\d+|[-+]?\d+,(\d{1,2}|\d{4,})"), ",", ""),
    (re.compile(r"[-+]?(0|\d{4,})\.\d+|[-+]?\d+\.(\d{1,2}|\d{4,})"), ".", ""),
)


def sniff_decimal(columns: dict[str, list[Cell]], sep: str | None) -> Guess:
    """The decimal mark the text amounts in ``columns`` use, and the thousands separator seen."""
    votes: Counter[str] = Counter()
    by_column: dict[str, Counter[str]] = {}
    thousands: Counter[str] = Counter()
    example: dict[str, str] = {}
    for name, values in columns.items():
        col: Counter[str] = Counter()
        texts = Counter(v for v in values if isinstance(v, str) and len(v) <= 30)
        for value, k in texts.items():
            for pattern, mark, group in _DECIMAL_VOTES:
                if pattern.fullmatch(value):
                    col[mark] += k
                    if group:
                        thousands[group] += k
                    example.setdefault(mark, f"'{value}' in '{name}'")
                    break
        if col:
            by_column[name] = col
            votes.update(col)
    if not votes:
        default = "," if sep == ";" else "."
        why = "no number with a fractional part in the sample" + (
            "; ',' goes with ';' in Polish exports" if default == "," else ""
        )
        return Guess(default, 0.8, why, ("." if default == "," else ",",))
    mark, n = votes.most_common(1)[0]
    other = "." if mark == "," else ","
    reason = f"e.g. {example[mark]}"
    if thousands:
        group = thousands.most_common(1)[0][0]
        reason += f"; thousands separated by {'a space' if group == ' ' else repr(group)}"
    minority = [c for c, v in by_column.items() if v[other] > v[mark]]
    if minority:
        listed = ", ".join(f"'{c}'" for c in minority)
        reason += (
            f"; but {listed} use{'s' if len(minority) == 1 else ''} '{other}': one mark per "
            "file is read, so those values would be unreadable"
        )
        return Guess(mark, n / sum(votes.values()), reason, (other,))
    return Guess(mark, 0.95, reason, (other,))


@functools.cache
def _number_patterns(decimal: str) -> tuple[re.Pattern, tuple[tuple[re.Pattern, str], ...]]:
    d = re.escape(decimal)
    other = "\\." if decimal == "," else ","
    plain = re.compile(rf"[-+]?(\d+({d}\d*)?|{d}\d+)")
    grouped = tuple(
        (re.compile(rf"[-+]?\d{{1,3}}({group}\d{{3}})+({d}\d+)?"), group)
        for group in ("[ \u00a0\u202f\u2009]", other)
    )
    return plain, grouped


def read_number(text: str, decimal: str) -> float | None:
    """``text`` as a number the way the loader reads it (``amount_sql``), else ``None``:
    plain ``-12,5`` / ``12.5`` or strictly grouped ``1 234,56`` / ``1.234,56`` (decimal ``,``)."""
    plain, grouped = _number_patterns(decimal)
    if plain.fullmatch(text):
        return float(text.replace(",", "."))
    for pattern, group in grouped:
        if pattern.fullmatch(text):
            return float(re.sub(group, "", text).replace(",", "."))
    return None


# -- dates ----------------------------------------------------------------------------------------
_TIME = r"(?:(?P<t>[ T])(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>[.,]\d+)?)?)?"
_TIME += r"(?P<z>Z|[+-]\d{2}:?\d{2})?"
DATE_SHAPES = (  # (strftime of the date, regex of the date, order of its numbers)
    ("%d.%m.%Y", r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
    ("%Y-%m-%d", r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
    ("%d-%m-%Y", r"(\d{1,2})-(\d{1,2})-(\d{4})", "dmy"),
    ("%d/%m/%Y", r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
    ("%m/%d/%Y", r"(\d{1,2})/(\d{1,2})/(\d{4})", "mdy"),
    ("%Y.%m.%d", r"(\d{4})\.(\d{1,2})\.(\d{1,2})", "ymd"),
    ("%Y/%m/%d", r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
    ("%d.%m.%y", r"(\d{1,2})\.(\d{1,2})\.(\d{2})", "dmy"),
    ("%Y-%m", r"(\d{4})-(\d{2})", "ym"),
)
_SHAPES = {base: (re.compile(regex + _TIME), order) for base, regex, order in DATE_SHAPES}
_DATE_ANY = re.compile(r"\d{1,4}[./-]\d{1,2}([./-]\d{1,4})?(\D|$)")
READABLE = {  # a strftime date pattern in words, for comments
    "%d": "dd",
    "%m": "mm",
    "%Y": "yyyy",
    "%y": "yy",
    "%H": "HH",
    "%M": "MM",
    "%S": "SS",
}


def readable(fmt: str) -> str:
    """``'%d.%m.%Y %H:%M'`` -> ``'dd.mm.yyyy HH:MM'``."""
    for code, words in READABLE.items():
        fmt = fmt.replace(code, words)
    return fmt


def parse_date(text: str, base: str) -> tuple[dt.datetime, str] | None:
    """``text`` as a date in the shape ``base`` with an optional time; also which time part it
    has: ``''``, ``'HM'``, ``'HMS'`` or ``'iso'`` (a ``T``, fractions of seconds or a zone)."""
    regex, order = _SHAPES[base]
    match = regex.fullmatch(text)
    if not match:
        return None
    numbers = [int(g) for g in match.groups()[: len(order)]]
    parts = dict(zip(order, numbers, strict=True))
    if base == "%d.%m.%y":
        parts["y"] += 2000 if parts["y"] < 70 else 1900
    try:
        value = dt.datetime(parts["y"], parts["m"], parts.get("d", 1))
        if match["H"] is not None:
            value = value.replace(
                hour=int(match["H"]), minute=int(match["M"]), second=int(match["S"] or 0)
            )
    except ValueError:
        return None
    if match["t"] == "T" or match["f"] or match["z"]:
        return value, "iso"
    return value, "HMS" if match["S"] else "HM" if match["H"] else ""


@dataclass
class _DateColumn:
    name: str
    filled: int
    base: str | None  # the shape most values match
    matched: int
    times: Counter  # time parts seen ('' / HM / HMS / iso)
    typed: int  # values already dates (Excel, Parquet)
    day_first: int  # slash dates whose first number is above 12
    month_first: int  # slash dates whose second number is above 12
    first_ones: bool  # every slash date's first number is 1 (01/03/2025: the 1st, dd/mm)
    second_ones: bool  # ... its second number is 1 (03/01/2025: the 1st, mm/dd)
    example: str = ""


def _date_column(name: str, values: list[Cell]) -> _DateColumn | None:
    texts = [v for v in values if isinstance(v, str)][:2000]
    typed = sum(isinstance(v, dt.date) for v in values)
    filled = len(texts) + typed
    if not filled:
        return None
    best, best_n, times = None, 0, Counter()
    candidates = [v for v in texts if _DATE_ANY.match(v)]
    if candidates:
        for base in _SHAPES:
            parsed = [p for v in candidates if (p := parse_date(v, base))]
            if len(parsed) > best_n:
                best, best_n, times = base, len(parsed), Counter(t for _, t in parsed)
    if best in ("%d/%m/%Y", "%m/%d/%Y"):
        split = [v.split(" ")[0].split("/") for v in candidates]
        split = [p for p in split if len(p) == 3 and p[0].isdigit() and p[1].isdigit()]
        day_first = sum(int(p[0]) > 12 for p in split)
        month_first = sum(int(p[1]) > 12 for p in split)
        first_ones = bool(split) and all(int(p[0]) == 1 for p in split)
        second_ones = bool(split) and all(int(p[1]) == 1 for p in split)
    else:
        day_first = month_first = 0
        first_ones = second_ones = False
    if (best_n + typed) * 10 < filled * 8:
        return None
    example = next((v for v in candidates if best and parse_date(v, best)), "")
    return _DateColumn(
        name, filled, best, best_n, times, typed, day_first, month_first, first_ones,
        second_ones, example,
    )  # fmt: skip


def sniff_date_format(columns: dict[str, list[Cell]]) -> Guess:
    """One date format for the file (``csv.date_format``; ``None`` = ISO 8601 or typed dates)."""
    dated = [c for name, values in columns.items() if (c := _date_column(name, values))]
    texts = [c for c in dated if c.base]
    if not dated:
        return Guess(None, 0.5, "no column holds dates")
    if not texts:
        return Guess(None, 0.95, "dates are stored as dates (no text to parse)")
    votes: Counter[str] = Counter()
    for c in texts:
        votes[c.base] += c.matched
    slash = [c for c in texts if c.base in ("%d/%m/%Y", "%m/%d/%Y")]
    base = votes.most_common(1)[0][0]
    confidence, notes, alternatives, ambiguous = 0.95, [], [], False
    if base in ("%d/%m/%Y", "%m/%d/%Y"):
        day_first = sum(c.day_first for c in slash)
        month_first = sum(c.month_first for c in slash)
        if not day_first and not month_first and slash and all(c.second_ones for c in slash):
            base, confidence = "%m/%d/%Y", 0.8
            notes.append("the second number is always 1: the first of each month, month/day")
        elif not day_first and not month_first and slash and all(c.first_ones for c in slash):
            base, confidence = "%d/%m/%Y", 0.8
            notes.append("the first number is always 1: the first of each month, day/month")
        elif day_first and not month_first:
            base = "%d/%m/%Y"
            notes.append("days above 12 come first, so day/month")
        elif month_first and not day_first:
            base = "%m/%d/%Y"
            notes.append("numbers above 12 come second, so month/day (US order)")
        elif day_first and month_first:
            base = "%d/%m/%Y" if day_first >= month_first else "%m/%d/%Y"
            confidence = 0.3
            notes.append(
                f"AMBIGUOUS: {day_first} dates have the day first and {month_first} the month "
                "first, so the columns mix both orders"
            )
        else:
            base, confidence, ambiguous = "%d/%m/%Y", 0.4, True
            notes.append(
                "AMBIGUOUS: no day is above 12, so 03/04/2025 may be 3 April or March 4; "
                "day/month assumed (the Polish order) — check against a date you know"
            )
        alternatives.append("%m/%d/%Y" if base == "%d/%m/%Y" else "%d/%m/%Y")
    using = [c for c in texts if c.base == base or {c.base, base} <= {"%d/%m/%Y", "%m/%d/%Y"}]
    times = Counter()
    for c in using:
        times.update(c.times)
    others = [c for c in texts if c not in using]
    if others:
        listed = ", ".join(f"'{c.name}' ({readable(c.base)})" for c in others)
        notes.append(
            f"{listed} use{'s' if len(others) == 1 else ''} another format; one format per "
            "file is read, so those dates would be unreadable"
        )
        confidence = min(confidence, 0.7)
    example = next(c for c in using if c.example)
    if base == "%Y-%m-%d":  # DuckDB casts ISO dates, with or without a time, 'T' or zone
        fmt = None
        what = "ISO 8601 (yyyy-mm-dd), read without a date_format"
    else:
        suffix = " %H:%M:%S" if times.get("HMS") else " %H:%M" if times.get("HM") else ""
        fmt = base + suffix
        what = readable(fmt)
    reason = f"{what}, e.g. '{example.example}' in '{example.name}'"
    if notes:
        reason += "; " + "; ".join(notes)
    others = tuple(a + fmt[len(base) :] for a in alternatives if fmt)
    return Guess(fmt, confidence, reason, others, ambiguous)


def date_reader(fmt: str | None):
    """A function reading one cell as a date the way the loader would with ``fmt``."""
    base = fmt.split(" %H")[0] if fmt else None
    iso = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")

    def read(value: Cell) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            return None
        if base is None:
            if not iso.fullmatch(value):
                return None
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                return None
        parsed = parse_date(value, base)
        return parsed[0].date() if parsed and parsed[1] != "iso" else None

    return read


# -- profiles -------------------------------------------------------------------------------------
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")
_YES_NO = set(TRUE_WORDS) | set(FALSE_WORDS)


def profile(name: str, values: list[Cell], decimal: str, date_format: str | None) -> ColumnProfile:
    """Shares of the non-empty ``values`` that read as numbers, dates, yes/no ... .

    Each distinct value is read once and counted as often as it occurs.
    """
    filled = [v for v in values if v is not None and v != ""]
    n = len(filled)
    kinds = Counter((type(v), v) for v in filled)  # True and 1 stay apart
    counts = Counter(str(v) for v in filled)
    prof = ColumnProfile(name=name, rows=len(values), filled=n, distinct=len(counts))
    if not n:
        return prof
    read = date_reader(date_format)
    numeric = fractional = integers = negative = dated = boolean = email = spaced = 0
    dates = []
    for (kind, v), k in kinds.items():
        x = None
        if kind in (int, float) and not (kind is float and math.isnan(v)):
            x = float(v)
        elif kind is str:
            x = read_number(v, decimal)
        if x is not None:
            numeric += k
            whole = x == int(x)
            integers += k * whole
            fractional += k * (not whole or (kind is str and decimal in v))  # '100,00'
            negative += k * (x < 0)
        if (d := read(v)) is not None:
            dated += k
            dates.append(d)
        text = str(v).lower()
        boolean += k * (kind is bool or text in _YES_NO)
        email += k * bool(_EMAIL.fullmatch(text))
        spaced += k * (" " in text.strip())
    prof.numeric, prof.fractional = numeric / n, fractional / n
    prof.integers, prof.negative, prof.dated = integers / n, negative / n, dated / n
    prof.boolean, prof.email, prof.spaced = boolean / n, email / n, spaced / n
    if dates:
        prof.first_date, prof.last_date = min(dates), max(dates)
    if len(counts) <= 30:
        prof.top = counts.most_common()
    prof.examples = [_as_text(v) for v in filled[:2]]
    return prof


def _as_text(value: Cell) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
    return str(value)


def _trim(value: Any) -> Cell:
    """A cell as the loader sees it: text trimmed of spaces (empty -> ``None``), typed values
    as they are."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip(SPACES)
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _profiles(
    names: list[str], rows: list[tuple], options: dict[str, Guess], sep: str | None
) -> list[ColumnProfile]:
    """Profiles of the sampled ``rows``; sets ``options['decimal']`` and ``['date_format']``."""
    columns = {name: [_trim(r[i]) for r in rows] for i, name in enumerate(names)}
    options["decimal"] = sniff_decimal(columns, sep)
    options["date_format"] = sniff_date_format(columns)
    decimal, fmt = options["decimal"].value, options["date_format"].value
    return [profile(name, values, decimal, fmt) for name, values in columns.items()]


# -- files ----------------------------------------------------------------------------------------
def sniff_file(path: Path) -> list[Export]:
    """The tables in one export file, each with its settings and column profiles.

    Raises ``DataError`` (naming the file and what to do) when the file cannot be read at all.
    """
    fmt = file_format(path)
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", file=str(path), fix="export it again")
    try:
        if fmt == "csv":
            return [_sniff_csv(path)]
        if fmt == "parquet":
            return [_sniff_parquet(path)]
        return _sniff_excel(path)
    except DataError:
        raise
    except (duckdb.Error, csv.Error, UnicodeError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(
            f"the file cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})",
            file=str(path),
            fix="open it in the program that exported it and export it again (CSV, XLSX or "
            "Parquet)",
        ) from None


def _sniff_csv(path: Path) -> Export:
    encoding = sniff_encoding(path)
    text, complete = read_text(path, encoding.value)
    if not text.strip():
        raise DataError("the file holds only empty lines", file=str(path), fix="export it again")
    with tempfile.TemporaryDirectory(prefix="clvlib-sniff-") as tmp:
        sample = Path(tmp) / "sample.csv"
        sample.write_text(text, encoding="utf-8")
        layout, options = sniff_layout(text, complete, sample)
        if not complete:  # end the sample before its last record, which may be cut short
            lines = io.StringIO(text, newline="").readlines()
            last = _last_record_line(text, options["sep"].value)
            sample.write_text("".join(lines[:last]), encoding="utf-8")
        options = {"encoding": encoding} | options
        csv_opts = CsvOptions(
            sep=options["sep"].value,
            header=options["header"].value,
            skip_rows=options["skip_rows"].value if "skip_rows" in options else 0,
        )
        names = csv_header(sample, csv_opts, original=path)
        rows = _staged_rows(Source(path=sample, csv=csv_opts), sample, Path(tmp))
    data_rows = len(rows)
    if not data_rows:
        raise DataError(
            "the file has a header but no data rows", file=str(path), fix="export it again"
        )
    profiles = _profiles(names, rows, options, options["sep"].value)
    return Export(path, "csv", None, profiles, data_rows, complete, options)


def _staged_rows(source: Source, path: Path, workdir: Path) -> list[tuple]:
    """The first ``SAMPLE_ROWS`` data rows as the loader stages them (text cells)."""
    con = duckdb.connect()
    try:
        raw = stage_source(con, "sniff", source, path, workdir)
        try:
            cols = ", ".join(f"__r.{_ident(c)}" for c in raw.columns)
            return con.execute(
                f"SELECT {cols} FROM {raw.view} AS __r ORDER BY __row LIMIT {SAMPLE_ROWS}"
            ).fetchall()
        finally:
            drop_stage(con, raw)
    finally:
        con.close()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sniff_parquet(path: Path) -> Export:
    con = duckdb.connect()
    try:
        count = con.execute(f"SELECT count(*) FROM read_parquet({quote_literal(str(path))})")
        total = count.fetchone()[0]
    finally:
        con.close()
    with tempfile.TemporaryDirectory(prefix="clvlib-sniff-") as tmp:
        con = duckdb.connect()
        try:
            raw = stage_source(con, "sniff", Source(path=path), path, Path(tmp))
            names, types = raw.columns, raw.types
            cols = ", ".join(_ident(c) for c in names)
            rows = con.execute(
                f"SELECT {cols} FROM {raw.view} ORDER BY __row LIMIT {SAMPLE_ROWS}"
            ).fetchall()
            drop_stage(con, raw)
        finally:
            con.close()
    typed = sum(t != "VARCHAR" for t in types.values())
    options = {}
    profiles = _profiles(names, rows, options, None)
    notes = [f"{typed} of {len(names)} columns are typed in the file"]
    return Export(path, "parquet", None, profiles, len(rows), len(rows) >= total, options, notes)


def _sniff_excel(path: Path) -> list[Export]:
    import openpyxl
    import pandas as pd

    book = openpyxl.load_workbook(path, read_only=True)
    sheets = list(book.sheetnames)
    book.close()
    exports = []
    for sheet in sheets:
        grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, nrows=60)
        records = [[_trim(v) for v in row] for row in grid.itertuples(index=False)]
        filled = [sum(v is not None for v in r) for r in records]
        if not any(filled):
            continue
        width = max(filled)
        start = next(i for i, n in enumerate(filled) if n >= max(1, math.ceil(width / 2)))
        first = records[start]
        header = all(isinstance(v, str) for v in first if v is not None)
        frame = pd.read_excel(
            path,
            sheet_name=sheet,
            dtype=object,
            header=0 if header else None,
            skiprows=start or None,
            nrows=EXCEL_SAMPLE_ROWS,
        )
        names = (
            [clean_header(c) for c in frame.columns]
            if header
            else [f"column{i}" for i in range(frame.shape[1])]
        )
        options: dict[str, Guess] = {}
        if not header:
            options["header"] = Guess(False, 0.6, "the first filled row holds values: no header")
        if start:
            options["skip_rows"] = Guess(start, 0.8, f"skip {start} row(s) above the header")
        rows = list(frame.itertuples(index=False, name=None))
        if not rows:
            continue
        profiles = _profiles(names, rows, options, None)
        complete = len(rows) < EXCEL_SAMPLE_ROWS
        named = sheet if len(sheets) > 1 else None
        exports.append(Export(path, "xlsx", named, profiles, len(rows), complete, options))
    if not exports:
        raise DataError("every sheet of the workbook is empty", file=str(path))
    return exports
