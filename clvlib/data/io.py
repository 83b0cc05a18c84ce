"""Reading a client's export into DuckDB as raw columns: CSV (any encoding), Parquet, XLSX, or a
database table or query (``clvlib.data.database``).

``stage_source`` puts one file (or database source) behind a temporary DuckDB view whose columns
are the file's own (header names stripped of BOM and whitespace) plus ``__row``, the 1-based data
row number. CSV and XLSX columns are all text (``VARCHAR``), so that one bad value never fails
the read; Parquet and database columns keep their types. Parsing and row accounting happen
afterwards, in SQL (``clvlib.data.validation``).

DuckDB reads UTF-8 only (its ``encodings`` extension cannot be installed offline), so a CSV in
any other encoding (cp1250, iso-8859-2, utf-16 ...) is first transcoded to a UTF-8 temporary file
in constant memory (``transcode_to_utf8``, 16 MiB chunks).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from clvlib.config import CsvOptions, Source
from clvlib.errors import DataError

CHUNK_BYTES = 16 * 1024 * 1024  # transcoding buffer (bytes); memory use is ~3x this
UTF8_CODECS = {"utf-8", "utf-8-sig", "ascii"}  # codecs.lookup(...).name read directly by DuckDB
POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")  # control characters in ISO-8859-x; letters in cp1250
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}
FORMATS |= {".xlsx": "xlsx", ".xlsm": "xlsx"}
EXTRA = "__clv_extra"  # catches fields beyond the header's: non-NULL marks a malformed CSV row


class EmptySourceError(DataError):
    """The file (or sheet) holds no header and no data: blocking for transactions only."""


@dataclass
class RawTable:
    """A file staged in DuckDB: ``view`` has the file's columns (clean names) and ``__row``."""

    table: str
    file: Path | str  # the file, or a database source's description (url · table)
    format: str  # csv | parquet | xlsx | database
    view: str
    columns: list[str]  # clean header names, in file order
    types: dict[str, str]  # column -> DuckDB type (always VARCHAR for csv and xlsx)
    encoding: str = "utf-8"
    extra: str | None = None  # view column, non-NULL where a CSV row has more fields than header
    temp_objects: list[tuple[str, str]] = field(default_factory=list)  # (VIEW|TABLE, name)
    select: str = "*"  # the view's column list over ``relation`` (clean names, extra column)
    relation: str = ""  # what the view reads: read_csv(...), read_parquet(...) or a table


def quote_ident(name: str) -> str:
    """A SQL identifier in double quotes (client column names contain spaces and diacritics)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def clean_header(name: Any) -> str:
    """A header name without BOM and surrounding whitespace (``'\\ufeff Data '`` -> ``'Data'``)."""
    return str(name).replace("\ufeff", "").strip()


def file_format(path: Path) -> str:
    """``csv``, ``parquet`` or ``xlsx`` from the file name's extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"the file type '{path.suffix or '(none)'}' is not supported",
            file=str(path),
            fix="export the table as CSV, Parquet or XLSX (.csv, .parquet, .xlsx); a CSV with "
            "another extension can be renamed to .csv",
        )
    return fmt


def codec_name(encoding: str) -> str:
    """Python's canonical codec name (``'CP-1250'`` and ``'windows-1250'`` -> ``'cp1250'``)."""
    return codecs.lookup(encoding).name


def needs_transcoding(encoding: str) -> bool:
    """True when DuckDB cannot read the encoding itself (anything but UTF-8 or ASCII)."""
    return codec_name(encoding) not in UTF8_CODECS


# -- encodings ------------------------------------------------------------------------------------
def transcode_to_utf8(
    path: Path, encoding: str, target: Path, *, chunk_bytes: int | None = None
) -> int:
    """Stream ``path`` from ``encoding`` to UTF-8 into ``target``; return the bytes read.

    Constant memory: ``chunk_bytes`` (default ``CHUNK_BYTES``, 16 MiB) at a time through an
    incremental decoder, so multi-byte characters split across chunks are handled. Raises
    ``DataError`` (file, byte offset, line and the encoding to try) when the bytes are not valid
    in ``encoding``, when a file declared as a single-byte encoding is in fact UTF-8 with
    non-ASCII characters (it would decode without error into garbled letters such as 'Ĺ‚'), and
    when an ISO-8859 file holds bytes 0x80-0x9F (control codes there; letters in cp1250).
    """
    size = chunk_bytes or CHUNK_BYTES
    codec = codecs.lookup(encoding)
    decoder = codec.incrementaldecoder("strict")
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    maybe_utf8 = not codec.name.startswith("utf")  # still possibly a mislabelled UTF-8 file
    non_ascii = False
    iso = codec.name.startswith(("iso8859", "latin"))
    offset = 0
    with open(path, "rb") as src, open(target, "wb") as dst:
        while True:
            chunk = src.read(size)
            final = not chunk
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                raise decode_error(path, encoding, offset - pending + exc.start) from None
            if maybe_utf8:
                try:
                    utf8.decode(chunk, final=final)
                    non_ascii = non_ascii or not chunk.isascii()
                except UnicodeDecodeError:
                    maybe_utf8 = False
            if iso and (match := _C1_BYTES.search(chunk)):
                raise _wrong_encoding(
                    path,
                    encoding,
                    offset + match.start(),
                    f"byte 0x{chunk[match.start()]:02x} is a control code in {encoding} but a "
                    "letter in Windows encodings",
                    "set csv.encoding: cp1250 (Windows Polish)",
                )
            dst.write(text.encode("utf-8"))
            if final:
                break
            offset += len(chunk)
    if maybe_utf8 and non_ascii:
        raise DataError(
            f"the file is declared as {encoding} but is UTF-8 (its non-ASCII characters are all "
            "valid UTF-8; read as declared, Polish letters would be garbled, e.g. 'ł' as 'Ĺ‚')",
            file=str(path),
            fix="set csv.encoding: utf-8 for this source in client.yml",
        )
    return offset


def check_utf8(path: Path, *, chunk_bytes: int | None = None) -> None:
    """Raise ``DataError`` (byte offset, line, the encoding to try) if ``path`` is not UTF-8."""
    size = chunk_bytes or CHUNK_BYTES
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with open(path, "rb") as src:
        while True:
            chunk = src.read(size)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise decode_error(path, "utf-8", offset - pending + exc.start) from None
            if not chunk:
                return
            offset += len(chunk)


def decode_error(path: Path, encoding: str, position: int) -> DataError:
    """The message for bytes at ``position`` that ``encoding`` cannot decode."""
    with open(path, "rb") as fh:
        fh.seek(max(0, position - 4096))
        sample = fh.read(8192)
    index = min(position, 4096)
    byte = sample[index] if index < len(sample) else 0
    label = "UTF-8" if codec_name(encoding) in UTF8_CODECS else encoding
    suggestion = suggest_encoding(sample, encoding)
    fix = (
        f"set csv.encoding: {suggestion} for this source in client.yml"
        if suggestion
        else "set csv.encoding in client.yml to the file's encoding (Polish exports are usually "
        "cp1250, sometimes iso-8859-2 or utf-8); the exporting program's settings say which"
    )
    return _wrong_encoding(
        path,
        encoding,
        position,
        f"the file is not valid {label}: byte 0x{byte:02x} cannot be decoded",
        fix,
    )


def _wrong_encoding(path: Path, encoding: str, position: int, what: str, fix: str) -> DataError:
    line = _line_at(path, encoding, position)
    return DataError(
        f"{what} (byte offset {position:,}, line {line}; declared encoding {encoding})",
        file=str(path),
        fix=fix,
    )


def _line_at(path: Path, encoding: str, position: int) -> int:
    """1-based line number of byte ``position`` (decoding leniently, in chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    lines, left = 1, position
    with open(path, "rb") as fh:
        while left > 0 and (chunk := fh.read(min(CHUNK_BYTES, left))):
            lines += decoder.decode(chunk).count("\n")
            left -= len(chunk)
    return lines


def suggest_encoding(sample: bytes, declared: str) -> str | None:
    """The encoding a sample of the file most likely uses, other than ``declared``.

    UTF-8 when the sample decodes as UTF-8 and has non-ASCII bytes; otherwise cp1250, then
    iso-8859-2, when decoding gives Polish letters.
    """
    declared = codec_name(declared)
    if declared not in UTF8_CODECS and not sample.isascii():
        start = 0  # the sample may start inside a multi-byte character
        while start < min(3, len(sample)) and 0x80 <= sample[start] <= 0xBF:
            start += 1
        try:
            codecs.getincrementaldecoder("utf-8")("strict").decode(sample[start:])
            return "utf-8"
        except UnicodeDecodeError:
            pass
    for candidate in ("cp1250", "iso-8859-2"):
        if codec_name(candidate) == declared:
            continue
        try:
            text = sample.decode(candidate)
        except UnicodeDecodeError:
            continue
        if POLISH_LETTERS & set(text):
            return candidate
    return None


# -- staging --------------------------------------------------------------------------------------
def stage_source(
    duck, table: str, source: Source, path: Path | None, workdir: Path, *, config=None
) -> RawTable:
    """Stage ``path`` as the temp view ``__clv_raw_<table>`` (file columns + ``__row``).

    ``duck`` is the ``duckdb`` connection (``con.con`` of an ibis backend). CSVs not in UTF-8 are
    transcoded into ``workdir`` first. Nothing is scanned yet except the CSV/Parquet header (and
    the whole workbook for XLSX): parse errors of a CSV surface when the view is queried; see
    ``explain_read_error``. A database source (``source.url``; ``path`` is ``None``) is copied
    into a temp table first (``clvlib.data.database.stage_database``; ``config`` names
    client.yml in its messages).
    """
    view = f"__clv_raw_{table}"
    if source.is_database:
        from clvlib.data.database import describe, stage_database

        raw = RawTable(
            table=table, file=describe(source), format="database", view=view, columns=[], types={}
        )
        relation = stage_database(duck, table, source, config)
        raw.temp_objects.append(("TABLE", relation))
        return _finish_stage(duck, raw, relation)
    fmt = file_format(path)
    if path.stat().st_size == 0:
        raise EmptySourceError("the file is empty (0 bytes)", file=str(path))
    raw = RawTable(table=table, file=path, format=fmt, view=view, columns=[], types={})
    if fmt == "csv":
        options = source.csv
        raw.encoding = options.encoding
        csv_path = path
        if needs_transcoding(options.encoding):
            csv_path = workdir / f"{table}.utf8.csv"
            transcode_to_utf8(path, options.encoding, csv_path)
        header = csv_header(csv_path, options, original=path)
        # No sniffing: a sniffer may take '#' for a comment mark or skip "junk" lines, and rows
        # would vanish unaccounted. Every field is text; short rows are padded with NULLs; one
        # spare column catches rows with more fields than the header. parallel=false: DuckDB's
        # parallel reader cannot pad rows when a quoted value holds a line break (and on 2 cores
        # it is no faster with row_number() keeping the file order).
        columns = ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in [*header, EXTRA])
        relation = (
            f"read_csv({quote_literal(str(csv_path))}, delim={quote_literal(options.sep)}, "
            f"header={str(options.header).lower()}, skip={options.skip_rows}, quote='\"', "
            f"escape='\"', auto_detect=false, columns={{{columns}}}, strict_mode=false, "
            "null_padding=true, parallel=false, max_line_size=16777216)"
        )
        raw.extra = EXTRA
    elif fmt == "parquet":
        relation = f"read_parquet({quote_literal(str(path))})"
    else:
        frame = read_excel(path, source, table=table)
        if frame.shape[1] == 0:
            raise EmptySourceError("the sheet is empty", file=str(path))
        data = f"__clv_xlsx_{table}"
        duck.register(f"{data}_df", frame)
        try:
            cast = ", ".join(
                f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in frame
            )
            duck.execute(f"CREATE OR REPLACE TEMP TABLE {data} AS SELECT {cast} FROM {data}_df")
        finally:
            duck.unregister(f"{data}_df")
        raw.temp_objects.append(("TABLE", data))
        relation = data
    return _finish_stage(duck, raw, relation)


def _finish_stage(duck, raw: RawTable, relation: str) -> RawTable:
    """Name ``relation``'s columns (clean header names) and create ``raw.view`` over it."""
    view = raw.view
    try:
        described = duck.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as exc:  # the header cannot be read at all
        raise explain_read_error(raw, exc) from None
    names, used = [], set()
    for name, dtype, *_ in described:
        if name == EXTRA:
            continue
        clean = clean_header(name) or name
        clean = clean if clean not in used else name
        used.add(clean)
        names.append((name, clean))
        raw.types[clean] = dtype
    raw.columns = [clean for _, clean in names]
    select = ", ".join(f"{quote_ident(n)} AS {quote_ident(c)}" for n, c in names)
    if raw.extra:
        select += f", {EXTRA}"
    duck.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS "
        f"SELECT {select}, row_number() OVER () AS __row FROM {relation}"
    )
    raw.temp_objects.insert(0, ("VIEW", view))
    raw.select, raw.relation = select, relation
    return raw


def stage_head(duck, raw: RawTable, rows: int) -> RawTable:
    """The first ``rows`` data rows of a staged file as another temp view (same columns and
    ``__row``), read without scanning the rest: for checking a large file's settings first."""
    view = f"{raw.view}_head"
    duck.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {raw.select}, row_number() OVER () AS "
        f"__row FROM (SELECT * FROM {raw.relation} LIMIT {int(rows)})"
    )
    return dataclasses.replace(raw, view=view, temp_objects=[("VIEW", view)])


def csv_header(path: Path, options: CsvOptions, *, original: Path | None = None) -> list[str]:
    """Column names of a UTF-8 CSV: its first record after ``skip_rows`` lines, stripped of BOM
    and spaces, made unique (``'Kwota'``, ``'Kwota_1'``), empty ones named ``column<i>``; or
    ``column0`` ... when the file has no header line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for _ in range(options.skip_rows):
                fh.readline()
            first = next(csv.reader(fh, delimiter=options.sep, quotechar='"'), None)
    except UnicodeDecodeError:
        check_utf8(path)  # raises the precise error (offset, line, encoding to try)
        raise
    if not first or not any(f.strip() for f in first):
        raise EmptySourceError(
            f"there is no header line after skipping {options.skip_rows} line(s)",
            file=str(original or path),
            fix="check csv.skip_rows and csv.header for this source in client.yml",
        )
    if not options.header:
        return [f"column{i}" for i in range(len(first))]
    names: list[str] = []
    for i, text in enumerate(first):
        name = clean_header(text) or f"column{i}"
        base, k = name, 0
        while name in names:
            k += 1
            name = f"{base}_{k}"
        names.append(name)
    return names


def drop_stage(duck, raw: RawTable) -> None:
    """Drop the temporary DuckDB objects of a staged file (temp files go with ``workdir``)."""
    for kind, name in raw.temp_objects:
        duck.execute(f"DROP {kind} IF EXISTS {name}")


def explain_read_error(raw: RawTable, exc: Exception) -> DataError:
    """Turn DuckDB's CSV/Parquet reader error into a ``DataError`` with the fix."""
    message = str(exc)
    if raw.format == "csv" and "unicode" in message.lower():
        try:
            check_utf8(raw.file)
        except DataError as precise:
            return precise
    first = message.split("\n")[0].removeprefix("Invalid Input Error: ")
    detail = [ln for ln in message.split("\n")[1:4] if ln.strip()]
    if raw.format == "csv":
        fix = (
            "check csv.sep, csv.skip_rows and csv.header for this source in client.yml; an "
            'unclosed quote (") in a value also breaks the rows after it — re-export the file '
            "with quoting, or fix that line"
        )
    else:
        fix = "re-export the file; it may be damaged or truncated"
    return DataError(
        f"the file cannot be read: {first}" + (f" ({'; '.join(detail)})" if detail else ""),
        file=str(raw.file),
        fix=fix,
    )


# -- Excel ----------------------------------------------------------------------------------------
def read_excel(path: Path, source: Source, *, table: str = "<table>") -> pd.DataFrame:
    """One sheet of a workbook as text columns (``None`` for empty cells).

    A workbook with several sheets needs ``sheet`` (name or 0-based index) in the source. Typed
    cells are written in the source's dialect so that they parse like the rest of the column:
    numbers with ``csv.decimal`` (``12.5`` -> ``'12,5'`` for a decimal comma), dates with
    ``csv.date_format`` plus ``' %H:%M:%S'`` (ISO when no format is set). Text cells are kept as
    they are and parsed with the same rules as CSV text.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException ...
        raise DataError(
            f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            fix="save it again as .xlsx from Excel (old .xls files must be converted)",
        ) from None
    sheets = list(book.sheetnames)
    book.close()
    sheet = _choose_sheet(path, source.sheet, sheets, f"sources.{table}.sheet")
    frame = pd.read_excel(
        path,
        sheet_name=sheet,
        dtype=object,
        engine="openpyxl",
        header=0 if source.csv.header else None,
        skiprows=source.csv.skip_rows or None,
    )
    if not source.csv.header:
        frame.columns = [f"column{i}" for i in range(frame.shape[1])]
    date_format = next(iter(source.csv.date_formats), None)  # the first, when several
    ts_format = date_format.split(" %H")[0] + " %H:%M:%S" if date_format else "%Y-%m-%d %H:%M:%S"
    decimal = source.csv.decimal
    out = pd.DataFrame(
        {
            clean_header(name): [_cell_text(v, decimal, ts_format) for v in frame.iloc[:, i]]
            for i, name in enumerate(frame.columns)
        },
        dtype=object,
    )
    return out


def _choose_sheet(path: Path, sheet: str | int | None, sheets: list[str], key: str) -> str | int:
    listed = ", ".join(f"'{s}'" for s in sheets)
    if sheet is None:
        if len(sheets) > 1:
            raise DataError(
                f"the workbook has {len(sheets)} sheets ({listed}) and none is chosen",
                file=str(path),
                fix=f"set {key} in client.yml to the sheet with the data, e.g. "
                f'sheet: "{sheets[0]}" (or its 0-based index)',
            )
        return 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise DataError(
                f"there is no sheet number {sheet} (0-based; the workbook has {listed})",
                file=str(path),
                fix=f"correct {key} in client.yml",
            )
        return sheet
    if sheet not in sheets:
        close = difflib.get_close_matches(sheet, sheets, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise DataError(
            f"there is no sheet '{sheet}'{hint} (the workbook has {listed})",
            file=str(path),
            fix=f"correct {key} in client.yml",
        )
    return sheet


def _cell_text(value: Any, decimal: str, ts_format: str) -> str | None:
    """A cell as the text a CSV export of the same sheet would hold."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        text = np.format_float_positional(float(value), trim="-")
        return text.replace(".", decimal)
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return value.strftime(ts_format)
    if isinstance(value, dt.date):
        return value.strftime(ts_format.split(" ")[0])
    return str(value)
