"""Read the client's exports into DuckDB, map and coerce columns, and account for every row.

One SQL pass per table: every column is read as text (so one bad value never fails the read),
parsed with the configured dialect, and each row gets its first failing reason or none. Used
rows become a typed canonical table; excluded rows are counted by reason with examples.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from clvlib.config import ClientConfig, Source
from clvlib.data.quality import TableQuality
from clvlib.data.schema import TABLES
from clvlib.errors import DataError

UTF8 = {"utf-8", "utf8", "utf_8", "ascii", "utf-8-sig"}
PERSONAL = (
    "mail",
    "telefon",
    "phone",
    "tel",
    "imie",
    "imię",
    "nazwisko",
    "name",
    "adres",
    "address",
    "pesel",
    "nip",
)
CHUNK = 16 * 1024 * 1024


@dataclass
class LoadResult:
    tables: dict[str, object]
    quality: dict[str, TableQuality]
    observation_start: dt.date
    observation_end: dt.date


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def transcode_to_utf8(path: Path, encoding: str, target: Path) -> None:
    """Stream ``path`` from ``encoding`` to UTF-8 in 16 MiB chunks (constant memory)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with open(path, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            try:
                dst.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, offset + exc.start, chunk) from None
            offset += len(chunk)
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))


def _decode_error(path: Path, encoding: str, position: int, chunk: bytes) -> DataError:
    line = 1
    with open(path, "rb") as fh:
        line += fh.read(position).count(b"\n")
    try:
        chunk.decode("utf-8")
        hint = "the file looks like UTF-8: set csv.encoding: utf-8"
    except UnicodeDecodeError:
        hint = "try csv.encoding: cp1250 (Windows Polish) or iso-8859-2"
    return DataError(
        f"the file cannot be decoded as {encoding} (byte {position}, line {line})",
        file=str(path),
        fix=hint,
    )


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = 1 + _count_lines(path, offset + exc.start)
                raise DataError(
                    f"the file is not valid UTF-8 (byte {offset + exc.start}, line {line})",
                    file=str(path),
                    fix="set csv.encoding in client.yml to the file's encoding, e.g. cp1250 "
                    "(Windows Polish) or iso-8859-2",
                ) from None
            offset += len(chunk)


def _count_lines(path: Path, position: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(position).count(b"\n")


# -- reading ------------------------------------------------------------------------------------
def _read_raw(con, table: str, source: Source, path: Path, workdir: Path) -> tuple[str, list[str]]:
    """Create a DuckDB view ``raw_<table>`` with the file's columns as text plus ``source_row``."""
    duck = con.con
    suffix = path.suffix.lower()
    view = f"raw_{table}"
    if path.stat().st_size == 0:
        raise DataError(
            "the file is empty (0 bytes)",
            file=str(path),
            fix="export the table again; check the export did not fail",
        )
    if suffix in (".parquet", ".pq"):
        duck.execute(
            f"CREATE OR REPLACE TEMP VIEW {view}_src AS "
            f"SELECT * FROM read_parquet({_lit(str(path))})"
        )
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        frame = _read_excel(path, source)
        duck.register(f"{view}_df", frame)
        duck.execute(f"CREATE OR REPLACE TEMP TABLE {view}_src AS SELECT * FROM {view}_df")
        duck.unregister(f"{view}_df")
    else:
        csv_path = path
        options = source.csv
        if options.encoding.lower().replace("_", "-") not in UTF8:
            csv_path = workdir / f"{table}.utf8.csv"
            transcode_to_utf8(path, options.encoding, csv_path)
        else:
            _check_utf8(path)
        duck.execute(
            f"CREATE OR REPLACE TEMP VIEW {view}_src AS SELECT * FROM read_csv("
            f"{_lit(str(csv_path))}, delim={_lit(options.sep)}, "
            f"header={str(options.header).lower()}, "
            f"skip={options.skip_rows}, all_varchar=true, quote='\"', strict_mode=false, "
            "null_padding=true)"
        )
    duck.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS "
        f"SELECT *, row_number() OVER () AS __row FROM {view}_src"
    )
    names = [r[0] for r in duck.execute(f"DESCRIBE {view}_src").fetchall()]
    return view, names


def _read_excel(path: Path, source: Source) -> pd.DataFrame:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    sheets = book.sheetnames
    book.close()
    sheet = source.sheet
    if sheet is None:
        if len(sheets) > 1:
            raise DataError(
                f"the workbook has {len(sheets)} sheets ({', '.join(sheets)}) and none is chosen",
                file=str(path),
                fix=f'set sheet: "{sheets[0]}" (or the right one) under this source in client.yml',
            )
        sheet = 0
    elif isinstance(sheet, str) and sheet not in sheets:
        raise DataError(
            f"there is no sheet '{sheet}' (sheets: {', '.join(sheets)})",
            file=str(path),
            fix="correct sheet: in client.yml",
        )
    frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
    return frame.astype(object).where(frame.notna(), None)


# -- parsing expressions ------------------------------------------------------------------------
def _text(col: str) -> str:
    return f"NULLIF(TRIM(CAST({_q(col)} AS VARCHAR)), '')"


def _amount(col: str, source: Source, dtype: str) -> str:
    """SQL for a number: typed columns cast, text parsed per decimal/thousands settings."""
    if dtype not in ("VARCHAR",):
        return f"TRY_CAST({_q(col)} AS DOUBLE)"
    opts = source.csv
    s = f"regexp_replace({_text(col)}, '[\\s\u00a0\u202f'']', '', 'g')"
    if opts.decimal == ",":
        # '1.234,56' → thousands dots dropped only when they form a strict thousands pattern
        s = (
            f"CASE WHEN regexp_matches({s}, '^[-+]?\\d{{1,3}}(\\.\\d{{3}})+(,\\d+)?$') "
            f"THEN replace({s}, '.', '') ELSE {s} END"
        )
        s = f"CASE WHEN contains({s}, '.') THEN NULL ELSE replace({s}, ',', '.') END"
    else:
        s = (
            f"CASE WHEN regexp_matches({s}, '^[-+]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?$') "
            f"THEN replace({s}, ',', '') ELSE {s} END"
        )
    return f"TRY_CAST({s} AS DOUBLE)"


def _timestamp(col: str, source: Source, dtype: str) -> str:
    if dtype.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({_q(col)} AS TIMESTAMP)"
    fmt = source.csv.date_format
    if not fmt:
        return f"TRY_CAST({_text(col)} AS TIMESTAMP)"
    base = fmt.split(" ")[0] if " %H" in fmt else fmt
    formats = list(dict.fromkeys([fmt, base, f"{base} %H:%M", f"{base} %H:%M:%S"]))
    listed = ", ".join(_lit(f) for f in formats)
    return f"try_strptime({_text(col)}, [{listed}])"


def _boolean(col: str) -> str:
    v = f"lower({_text(col)})"
    return (
        f"CASE WHEN {v} IN ('1','true','t','tak','yes','y','prawda') THEN TRUE "
        f"WHEN {v} IN ('0','false','f','nie','no','n','fałsz','falsz') THEN FALSE END"
    )


# -- classification -----------------------------------------------------------------------------
def _resolve_columns(table: str, source: Source, names: list[str], path: Path) -> dict[str, str]:
    """canonical → client column, checking that required columns exist in the file."""
    spec = TABLES[table]
    clean = {n.strip().lstrip("\ufeff"): n for n in names}
    mapping: dict[str, str] = {}
    for canonical in spec.columns:
        wanted = source.columns.get(canonical, canonical if canonical in clean else None)
        if wanted is None:
            continue
        if wanted not in clean:
            close = difflib.get_close_matches(wanted, list(clean), n=1, cutoff=0.5)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise DataError(
                f"the column '{wanted}' (mapped to {canonical}) is not in the file{hint}; the "
                f"file has: {', '.join(clean)}",
                file=str(path),
                column=wanted,
                fix=f"correct sources.{table}.columns.{canonical} in client.yml (check the "
                f"separator csv.sep too if the file seems to have a single column)",
            )
        mapping[canonical] = clean[wanted]
    missing = [c for c in spec.required if c not in mapping]
    if spec.one_of and not any(all(c in mapping for c in group) for group in spec.one_of):
        missing.append(" or ".join("+".join(g) for g in spec.one_of))
    if missing:
        raise DataError(
            f"the required field(s) {', '.join(missing)} are not mapped and no column has that "
            f"name; the file has: {', '.join(clean)}",
            file=str(path),
            fix=f"map them under sources.{table}.columns in client.yml, e.g. "
            f"{missing[0].split(' ')[0]}: <client's column name>",
        )
    return mapping


def _is_personal(column: str) -> bool:
    low = column.lower().replace("-", "")
    return any(word in low for word in PERSONAL)


def _load_one(con, config: ClientConfig, table: str, workdir: Path, progress) -> TableQuality:
    source: Source = getattr(config.sources, table)
    path = config.source_path(table)
    duck = con.con
    view, names = _read_raw(con, table, source, path, workdir)
    mapping = _resolve_columns(table, source, names, path)
    dtypes = {r[0]: r[1] for r in duck.execute(f"DESCRIBE {view}").fetchall()}
    spec = TABLES[table]

    parsed, raw_text = {}, {}
    for canonical, column in mapping.items():
        kind = spec.types[canonical]
        raw_text[canonical] = _text(column)
        if kind in ("money", "number"):
            parsed[canonical] = _amount(column, source, dtypes[column])
        elif kind == "ts":
            parsed[canonical] = _timestamp(column, source, dtypes[column])
        elif kind == "date":
            parsed[canonical] = f"CAST({_timestamp(column, source, dtypes[column])} AS DATE)"
        elif kind == "bool":
            parsed[canonical] = _boolean(column)
        else:
            parsed[canonical] = _text(column)

    required = set(spec.required)
    if table == "transactions":
        required |= {"revenue"} if "revenue" in mapping else {"unit_price", "quantity"}
    checks: list[tuple[str, str]] = []
    if (
        "customer_id" in mapping
        and "customer_id" in required | {"customer_id"}
        and table != "sessions"
    ):
        checks.append(("missing_customer_id", "customer_id IS NULL"))
    if "order_id" in mapping and table == "transactions":
        checks.append(("missing_order_id", "order_id IS NULL"))
    others = [
        c
        for c in required
        if spec.types[c] in ("id", "text") and c not in ("customer_id", "order_id")
    ]
    if others:
        checks.append(("missing_required_value", " OR ".join(f"{c} IS NULL" for c in others)))
    dates = [c for c in required if spec.types[c] in ("ts", "date")]
    if dates:
        checks.append(("unparseable_date", " OR ".join(f"{c} IS NULL" for c in dates)))
    amounts = [c for c in required if spec.types[c] in ("money", "number")]
    if amounts:
        checks.append(("non_numeric_amount", " OR ".join(f"{c} IS NULL" for c in amounts)))
    checks.append(("duplicate_row", "__dup > 1"))
    if table == "sessions":
        steps = ", ".join(_lit(s) for s in config.funnel.steps)
        checks.append(("unknown_funnel_step", f"step NOT IN ({steps})"))

    if table == "transactions" and source.returns is not None:
        flag = source.returns.column
        if flag not in names:
            raise DataError(
                f"the return-flag column '{flag}' is not in the file",
                file=str(path),
                column=flag,
                fix="correct sources.transactions.returns.column",
            )
        values = ", ".join(_lit(v.lower()) for v in source.returns.values)
        parsed["__return_flag"] = f"coalesce(lower({_text(flag)}) IN ({values}), false)"
    partition = ", ".join(_q(n) for n in names)
    select = ", ".join(f"{expr} AS {c}" for c, expr in parsed.items())
    raws = ", ".join(f"{expr} AS {c}__raw" for c, expr in raw_text.items())
    duck.execute(
        f"CREATE OR REPLACE TEMP TABLE parsed_{table} AS SELECT __row AS source_row, {select}, "
        f"{raws}, row_number() OVER (PARTITION BY {partition} ORDER BY __row) AS __dup "
        f"FROM {view}"
    )
    _check_parse_rates(duck, table, path, mapping, required, source)

    reason = "CASE " + " ".join(f"WHEN {cond} THEN {_lit(r)}" for r, cond in checks)
    window_clause = ""
    if table == "transactions":
        start, end = config.observation_start, config.observation_end
        conds = []
        if start:
            conds.append(f"CAST(order_ts AS DATE) < DATE {_lit(start.isoformat())}")
        if end:
            conds.append(f"CAST(order_ts AS DATE) > DATE {_lit(end.isoformat())}")
        if conds:
            window_clause = f" WHEN {' OR '.join(conds)} THEN 'outside_window'"
    reason += window_clause + " END"
    duck.execute(
        f"CREATE OR REPLACE TEMP TABLE classified_{table} AS "
        f"SELECT *, {reason} AS __reason FROM parsed_{table}"
    )
    counts = dict(
        duck.execute(
            f"SELECT coalesce(__reason, ''), count(*) FROM classified_{table} GROUP BY 1"
        ).fetchall()
    )
    rows_read = sum(counts.values())
    used = counts.pop("", 0)
    if rows_read == 0 and table == "transactions":
        raise DataError(
            "the file has a header but no data rows",
            file=str(path),
            fix="export the transactions again with their rows",
        )
    quality = TableQuality(
        table=table,
        file=str(path),
        rows_read=rows_read,
        rows_used=used,
        rows_excluded={r: counts.get(r, 0) for r, _ in checks if counts.get(r, 0)}
        | ({"outside_window": counts["outside_window"]} if counts.get("outside_window") else {}),
        columns=dict(mapping),
    )
    quality.examples = _examples(duck, table, view, names)
    quality.notes = _optional_notes(duck, table, mapping, required)
    _create_canonical(duck, table, mapping, source)
    if table == "transactions":
        quality.returns = duck.execute(
            "SELECT count(*) FROM transactions WHERE is_return"
        ).fetchall()[0][0]
    return quality


def _check_parse_rates(duck, table, path, mapping, required, source) -> None:
    """A required column where most non-empty values fail to parse is a configuration error."""
    for canonical in sorted(required):
        kind = TABLES[table].types[canonical]
        if kind not in ("money", "number", "ts", "date"):
            continue
        filled, failed = duck.execute(
            f"SELECT count({canonical}__raw), count({canonical}__raw) - count({canonical}) "
            f"FROM parsed_{table}"
        ).fetchall()[0]
        if filled == 0 or failed / filled <= 0.5:
            continue
        samples = duck.execute(
            f"SELECT source_row, {canonical}__raw FROM parsed_{table} WHERE {canonical} IS NULL "
            f"AND {canonical}__raw IS NOT NULL ORDER BY source_row LIMIT 2"
        ).fetchall()
        example = "; ".join(f"row {r}: '{v}'" for r, v in samples)
        if kind in ("ts", "date"):
            fmt = source.csv.date_format or "ISO 8601 (yyyy-mm-dd)"
            fix = (
                f"set csv.date_format for this source to the dates' pattern (now {fmt}); "
                'e.g. "%d.%m.%Y" for 31.12.2025 or "%d.%m.%Y %H:%M" with times'
            )
        else:
            fix = (
                f"check csv.decimal (now '{source.csv.decimal}'): Polish exports use "
                'decimal: ","; remove currency symbols from the amounts'
            )
        raise DataError(
            f"{failed:,} of {filled:,} values of {canonical} cannot be read as "
            f"{'dates' if kind in ('ts', 'date') else 'numbers'}",
            file=str(path),
            column=mapping[canonical],
            row=example,
            fix=fix,
        )


def _examples(duck, table: str, view: str, names: list[str]) -> list[dict]:
    keep = [n for n in names if not _is_personal(n)]
    cols = ", ".join(f"r.{_q(n)}" for n in keep)
    rows = duck.execute(
        f"SELECT c.__reason AS reason, c.source_row, {cols} FROM classified_{table} c "
        f"JOIN {view} r ON r.__row = c.source_row WHERE c.__reason IS NOT NULL "
        f"QUALIFY row_number() OVER (PARTITION BY c.__reason ORDER BY c.source_row) <= 3 "
        f"ORDER BY c.__reason, c.source_row"
    ).fetchall()
    header = ["reason", "source_row", *keep]
    return [dict(zip(header, row, strict=True)) for row in rows]


def _optional_notes(duck, table: str, mapping: dict, required: set) -> list[str]:
    notes = []
    for canonical in mapping:
        if canonical in required or TABLES[table].types[canonical] in ("id", "text"):
            continue
        failed = duck.execute(
            f"SELECT count({canonical}__raw) - count({canonical}) FROM classified_{table} "
            "WHERE __reason IS NULL"
        ).fetchall()[0][0]
        if failed:
            notes.append(f"{canonical}: {failed:,} values could not be read and were left empty")
    return notes


def _create_canonical(duck, table: str, mapping: dict, source: Source) -> None:
    """The used rows as a typed canonical table named like the canonical table."""
    cols = [c for c in TABLES[table].columns if c in mapping]
    select = {c: c for c in cols}
    for c, kind in TABLES[table].types.items():
        if c in select and kind == "id":
            select[c] = f"CAST({c} AS VARCHAR)"
    if table == "transactions":
        value = "revenue" if "revenue" in mapping else "unit_price * quantity"
        negative = [f"{value} < 0"] + (["quantity < 0"] if "quantity" in mapping else [])
        if source.returns is not None:
            negative.append("__return_flag")
        is_return = " OR ".join(negative)
        select["revenue"] = f"CASE WHEN {is_return} THEN -abs({value}) ELSE {value} END"
        select["is_return"] = f"({is_return})"
        if "order_id" not in mapping:
            select["order_id"] = "'row-' || CAST(source_row AS VARCHAR)"
    select["source_row"] = "source_row"
    body = ", ".join(f"{expr} AS {name}" for name, expr in select.items())
    duck.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {body} FROM classified_{table} "
        "WHERE __reason IS NULL ORDER BY source_row"
    )
    duck.execute(f"DROP TABLE parsed_{table}")
    duck.execute(f"DROP TABLE classified_{table}")


def load_tables(config: ClientConfig, con, *, progress: bool = True) -> LoadResult:
    """Load every configured table into ``con`` (an ibis DuckDB backend) with row accounting.

    Raises ``DataError`` for blocking problems (missing columns, unreadable files, a required
    column that mostly fails to parse, no usable transactions).
    """
    from tqdm.auto import tqdm

    present = list(config.sources.present())
    quality: dict[str, TableQuality] = {}
    with tempfile.TemporaryDirectory(prefix="clvlib-") as tmp:
        bar = tqdm(present, desc="loading", unit="table", disable=not progress)
        for table in bar:
            bar.set_postfix_str(table)
            quality[table] = _load_one(con, config, table, Path(tmp), progress)
        bar.close()
        for view in [
            r[0]
            for r in con.con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal AND temporary"
            ).fetchall()
        ]:
            con.con.execute(f"DROP VIEW IF EXISTS {_q(view)}")
    tq = quality["transactions"]
    if tq.rows_used == 0:
        raise DataError(
            f"no transaction row can be used ({tq.rows_read:,} read, all excluded: "
            f"{', '.join(f'{k} {v:,}' for k, v in tq.rows_excluded.items())})",
            file=tq.file,
            fix="check the column mapping, csv options and the observation window",
        )
    first, last = con.con.execute(
        "SELECT min(CAST(order_ts AS DATE)), max(CAST(order_ts AS DATE)) FROM transactions"
    ).fetchall()[0]
    tables = {name: con.table(name) for name in present}
    return LoadResult(
        tables=tables,
        quality=quality,
        observation_start=config.observation_start or first,
        observation_end=config.observation_end or last,
    )
