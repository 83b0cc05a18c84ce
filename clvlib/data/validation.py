"""Column mapping, parsing and row accounting, in one SQL pass per table.

Every row of a staged file (``clvlib.data.io``) gets at most one exclusion reason, the first
that applies in the order of ``clvlib.data.quality.REASONS``:

1. ``missing_customer_id`` — the table requires a customer id and the row's is empty;
2. ``missing_order_id`` — ``order_id`` is mapped (transactions) and empty;
3. ``missing_required_value`` — another required column (id, text or date) is empty;
4. ``unparseable_date`` — a required date is not empty but cannot be read with ``csv.date_format``;
5. ``impossible_date`` — a required date has the shape of ``csv.date_format`` but is no calendar
   date (``31.02.2024``, month 13);
6. ``future_date`` — a required date after the day the data are loaded (a typo such as 2052, or
   planned spend): it would stretch the window into the future;
7. ``non_numeric_amount`` — a value amount (``revenue``, ``unit_price``, ``quantity``, ``spend``)
   is not empty but is not a number in the configured dialect (``'12,x'``, ``'99,99 zł'``,
   ``'12.5'`` in a decimal-comma file), or a required amount is empty;
8. ``negative_spend`` — a ``marketing_spend`` row with a spend below zero (a credit note or a
   sign error: it would lower the channel's CAC);
9. ``duplicate_row`` — an exact copy, over all the file's columns, of an earlier row (the first
   occurrence is kept);
10. ``outside_window`` — a transaction before ``observation_start`` or after the day
    ``observation_end`` (that whole day is inside); a ``marketing_spend`` period after the last
    day of the window or before the month of its first day (spend the audit's customers cannot
    be matched to);
11. ``unknown_funnel_step`` — a session's ``step`` is not in ``funnel.steps``;
12. ``conflicting_order_id`` — a transaction whose ``order_id`` also belongs, in other otherwise
    usable rows, to another customer: it cannot be told whose order it is.

Systematic problems are blocking (``DataError``, CLI exit code 2) rather than excluded, because
excluding them would lose a large or biased part of the data: a column where more than half of
the values cannot be read (a wrong setting), unreadable values that follow a pattern (dates in a
second format, amounts with the other decimal mark or a currency mark: at least
``SYSTEMATIC_ROWS`` rows and ``SYSTEMATIC_SHARE`` of the column), rows split by another
separator, a required column that is empty in every row, and order ids shared by customers in
more than half of the rows (``order_id`` mapped to the wrong column).

Optional columns that cannot be read (``margin``, ``impressions``, ``clicks``, optional dates and
yes/no flags) are left empty (NULL) and counted in a note; the row is kept. Nothing is silently
changed: an amount with a currency symbol is not "cleaned", it is excluded and counted.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from clvlib.backends import MONEY_DECIMALS
from clvlib.config import ClientConfig, CsvOptions, Source
from clvlib.data.io import EXTRA as EXTRA_COLUMN
from clvlib.data.io import RawTable, quote_ident, quote_literal
from clvlib.data.quality import REASONS
from clvlib.data.schema import TABLES
from clvlib.errors import ConfigError, DataError

# amounts whose unreadable value excludes the row; other amounts become NULL with a note
VALUE_AMOUNTS = {"revenue", "unit_price", "quantity", "spend"}
PARSED_KINDS = ("money", "number", "ts", "date", "bool")
SPACES = " \t\u00a0\u202f\u2009"  # trimmed around every value; thousands separators in amounts
TRUE_WORDS = ("1", "true", "t", "tak", "yes", "y", "prawda")
FALSE_WORDS = ("0", "false", "f", "nie", "no", "n", "fałsz", "falsz")
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
NUMERIC_TYPES += ("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "DECIMAL")
# client column names that look like personal data: never shown in examples of excluded rows
PERSONAL_HINTS = ("mail", "telefon", "phone", "tel", "imie", "imię", "nazwisko", "name")
PERSONAL_HINTS += ("adres", "address", "ulica", "street", "pesel", "urodz", "birth")
COMMON_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y.%m.%d")
COMMON_DATE_FORMATS += ("%d.%m.%y", "%Y%m%d", "%Y-%m")
TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S")
#: unreadable values of a column are systematic (blocking) from this many rows …
SYSTEMATIC_ROWS = 10
#: … that are also at least this share of the column's non-empty values
SYSTEMATIC_SHARE = 0.01
SEPARATORS = (";", ",", "\t", "|")
#: currency marks that make an amount text ('1 234,56 zł', 'PLN 12.00', '€5')
CURRENCY_MARKS = r"(zł|zl|pln|eur|€|\$|usd|gbp|£|chf|czk|kč)"
# strftime directive -> the shape of its text (RE2), for telling impossible dates from others
_DATE_SHAPES = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "H": r"\d{1,2}"}
_DATE_SHAPES |= {"M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,9}", "j": r"\d{1,3}"}
_ISO_SHAPE = r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?)?"


def is_personal(column: str) -> bool:
    """True for column names that look like personal data (e-mail, phone, name, address)."""
    low = column.lower().replace("-", "").replace("_", "").replace(" ", "")
    return any(hint in low for hint in PERSONAL_HINTS)


# -- column mapping -------------------------------------------------------------------------------
def resolve_columns(table: str, source: Source, raw: RawTable) -> dict[str, str]:
    """canonical -> client column (as in the staged file), checked against the file's header.

    A canonical column not mapped in ``client.yml`` but present under its canonical name is used
    as is. Raises ``DataError`` for a mapped column that is absent, a required column (or every
    alternative of ``TableSpec.one_of``) that is neither mapped nor present, and a return-flag
    column that is absent.
    """
    spec = TABLES[table]
    present = set(raw.columns)
    mapping: dict[str, str] = {}
    for canonical in spec.columns:
        wanted = source.columns.get(canonical)
        if wanted is None:
            if canonical in present:
                mapping[canonical] = canonical
            continue
        wanted_clean = wanted.replace("\ufeff", "").strip()
        if wanted_clean not in present:
            raise _absent(table, raw, wanted, f"sources.{table}.columns.{canonical}")
        mapping[canonical] = wanted_clean
    missing = [c for c in spec.required if c not in mapping]
    if spec.one_of and not any(all(c in mapping for c in group) for group in spec.one_of):
        missing.append(" or ".join(" and ".join(group) for group in spec.one_of))
    if missing:
        example = missing[0].split(" ")[0]
        close = _close_match(example, raw.columns)
        hint = f" ('{close}' looks close)" if close else ""
        target = close or "<the client's column name>"
        raise DataError(
            f"the required column(s) {', '.join(missing)} are not mapped in client.yml and the "
            f"file has no column of that name{hint}; the file's columns are: "
            f"{_listed(raw.columns)}{_separator_hint(raw)}",
            file=str(raw.file),
            fix=f'map them under sources.{table}.columns in client.yml, e.g. {example}: "{target}"',
        )
    if source.returns is not None:
        flag = source.returns.column.replace("\ufeff", "").strip()
        if flag not in present:
            raise _absent(table, raw, source.returns.column, f"sources.{table}.returns.column")
    return mapping


def _absent(table: str, raw: RawTable, wanted: str, key: str) -> DataError:
    close = _close_match(wanted, raw.columns)
    hint = f" — did you mean '{close}'?" if close else ""
    return DataError(
        f"the column '{wanted}' named in {key} is not in the file{hint}; the file's columns are: "
        f"{_listed(raw.columns)}{_separator_hint(raw)}",
        file=str(raw.file),
        column=wanted,
        fix=f"edit {key} in client.yml to the exact column header"
        + (f' (e.g. "{close}")' if close else ""),
    )


def _close_match(name: str, columns: list[str]) -> str | None:
    lowered = {c.lower(): c for c in columns}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _listed(columns: list[str]) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def _separator_hint(raw: RawTable) -> str:
    if raw.format == "csv" and len(raw.columns) == 1:
        for sep in (";", ",", "\t", "|"):
            if sep in raw.columns[0]:
                shown = "\\t" if sep == "\t" else sep
                return (
                    f" — the file was read as a single column, so its separator is probably "
                    f"'{shown}': set csv.sep: \"{shown}\""
                )
    return ""


# -- parsing expressions --------------------------------------------------------------------------
def text_sql(column: str, dtype: str) -> str:
    """The value as trimmed text, NULL when empty (typed columns: their own value)."""
    col = quote_ident(column)
    if dtype != "VARCHAR":
        return col
    # trim(col, chars) is ~4x slower than a regex test, and almost no value needs it
    edge = quote_literal(f"^[\\s{SPACES}]|[\\s{SPACES}]$")
    trim = f"trim({col}, {quote_literal(SPACES)})"
    trimmed = f"CASE WHEN regexp_matches({col}, {edge}) THEN {trim} ELSE {col} END"
    return f"NULLIF({trimmed}, '')"


def _as_text(expr: str, dtype: str) -> str:
    if dtype == "VARCHAR":
        return expr
    if dtype in ("FLOAT", "DOUBLE"):  # an id stored as 1001.0 reads as '1001'
        return (
            f"CASE WHEN {expr} = trunc({expr}) THEN CAST(CAST({expr} AS HUGEINT) AS VARCHAR) "
            f"ELSE CAST({expr} AS VARCHAR) END"
        )
    return f"CAST({expr} AS VARCHAR)"


def _thousands(options: CsvOptions) -> list[str]:
    """Thousands separators accepted in amounts (only in a strict 1 234 567 grouping)."""
    if options.thousands is None:
        return [" ", "." if options.decimal == "," else ","]
    if options.thousands == options.decimal:
        raise ConfigError(
            f"csv.thousands and csv.decimal are both '{options.decimal}'",
            fix='set csv.thousands to " " or "." with decimal ",", or to "," with decimal "."',
        )
    return [options.thousands] if options.thousands else []


def amount_sql(text: str, dtype: str, options: CsvOptions) -> str:
    """A number from ``text`` (already trimmed); NULL when it is not a number in the dialect.

    ``'1 234,56'`` and (with a decimal comma) ``'1.234,56'`` -> 1234.56: a thousands separator is
    dropped only inside a strict grouping (1-3 digits, then groups of exactly 3). Anything else
    with a character other than sign, digits and the decimal mark -> NULL. A typed column's NaN
    or infinity (Parquet, Excel, a database) -> NULL too: it is not an amount, and no total
    could be added up from it (``clvlib.backends.exact_sum``).
    """
    if dtype.startswith(("FLOAT", "DOUBLE")):
        return f"CASE WHEN isfinite({text}) THEN CAST({text} AS DOUBLE) END"
    if dtype.startswith(NUMERIC_TYPES):
        return f"CAST({text} AS DOUBLE)"
    text = _as_text(text, dtype)
    d = options.decimal
    dec = re.escape(d)
    plain = rf"[-+]?(\d+({dec}\d*)?|{dec}\d+)"
    to_point = (lambda e: e) if d == "." else (lambda e: f"replace({e}, ',', '.')")
    cases = [f"WHEN regexp_full_match({text}, {quote_literal(plain)}) THEN {to_point(text)}"]
    for sep in _thousands(options):
        group = "[" + SPACES[0] + SPACES[2:] + "]" if sep == " " else re.escape(sep)
        pattern = rf"[-+]?\d{{1,3}}({group}\d{{3}})+({dec}\d+)?"
        dropped = f"regexp_replace({text}, {quote_literal(group)}, '', 'g')"
        cases.append(
            f"WHEN regexp_full_match({text}, {quote_literal(pattern)}) THEN {to_point(dropped)}"
        )
    return f"TRY_CAST(CASE {' '.join(cases)} END AS DOUBLE)"


def date_formats(date_format: str | list[str] | None) -> list[str]:
    """The format(s), each also with ' %H:%M' and ' %H:%M:%S' (exports often add times)."""
    formats = [date_format] if isinstance(date_format, str) else list(date_format or [])
    variants: list[str] = []
    for fmt in formats:
        base = fmt.split(" %H")[0]
        variants += [fmt, *(base + s for s in TIME_SUFFIXES)]
    return list(dict.fromkeys(variants))


def date_shape(date_format: str | list[str] | None) -> str | None:
    """An RE2 pattern of the text the format(s) write (digits where the numbers go), so that
    ``31.02.2024`` can be told, as an impossible date, from ``2024-02-01`` in a dd.mm.yyyy file;
    ``None`` for formats with month names or other directives."""
    formats = date_formats(date_format)
    if not formats:
        return _ISO_SHAPE
    shapes = []
    for fmt in formats:
        shape, i = "", 0
        while i < len(fmt):
            if fmt[i] == "%" and i + 1 < len(fmt):
                if fmt[i + 1] not in _DATE_SHAPES:
                    return None
                shape += _DATE_SHAPES[fmt[i + 1]]
                i += 2
            else:
                shape += "\\" + fmt[i] if fmt[i] in ".^$*+?()[]{}|\\" else fmt[i]
                i += 1
        shapes.append(shape)
    return "(" + "|".join(shapes) + ")"


def timestamp_sql(text: str, dtype: str, options: CsvOptions) -> str:
    """A timestamp from ``text``: typed dates/timestamps cast; text with ``csv.date_format``
    (and the time variants of ``date_formats``) or, without a format, ISO 8601."""
    if dtype.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({text} AS TIMESTAMP)"
    text = _as_text(text, dtype)
    formats = date_formats(options.date_formats)
    if not formats:
        return f"TRY_CAST({text} AS TIMESTAMP)"
    listed = ", ".join(quote_literal(f) for f in formats)
    return f"try_strptime({text}, [{listed}])"


def boolean_sql(text: str, dtype: str) -> str:
    """Yes/no from 1/0, true/false, tak/nie, t/n (or t/f), yes/no, y/n (any case)."""
    if dtype == "BOOLEAN":
        return text
    low = f"lower({_as_text(text, dtype)})"
    yes = ", ".join(quote_literal(w) for w in TRUE_WORDS)
    no = ", ".join(quote_literal(w) for w in FALSE_WORDS)
    return f"CASE WHEN {low} IN ({yes}) THEN true WHEN {low} IN ({no}) THEN false END"


def parse_sql(kind: str, text: str, dtype: str, options: CsvOptions) -> str:
    """The canonical value of a column of ``kind`` (schema type) from its trimmed text."""
    if kind in ("money", "number"):
        return amount_sql(text, dtype, options)
    if kind == "ts":
        return timestamp_sql(text, dtype, options)
    if kind == "date":
        return f"CAST({timestamp_sql(text, dtype, options)} AS DATE)"
    if kind == "bool":
        return boolean_sql(text, dtype)
    return _as_text(text, dtype)


# -- classification -------------------------------------------------------------------------------
@dataclass
class Classification:
    """The classified rows of one table (temp table ``relation``) and what was counted."""

    table: str
    relation: str
    mapping: dict[str, str]
    output: list[str]  # canonical columns of the used-rows table, in order (plus source_row)
    excluding: list[str]  # parsed columns whose unreadable value excludes the row
    optional: list[str]  # parsed columns left NULL when unreadable
    counts: dict[str, int] = field(default_factory=dict)  # reason ('' = used) -> rows
    bad: dict[str, dict[str, int]] = field(default_factory=dict)  # reason -> column -> n
    filled: dict[str, int] = field(default_factory=dict)  # column -> non-empty values
    nonempty: dict[str, int] = field(default_factory=dict)  # every mapped column -> non-empty
    returns: int = 0
    malformed: int = 0  # CSV rows with more fields than the header
    split: int = 0  # CSV rows whose fields are all in the first column, split by another sep
    split_orders: int = 0  # order ids whose purchase lines fall on different days

    @property
    def rows_read(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_used(self) -> int:
        return self.counts.get("", 0)

    @property
    def rows_excluded(self) -> dict[str, int]:
        return {r: self.counts[r] for r in REASONS if self.counts.get(r)}

    def unreadable(self, column: str, *, used_only: bool = False) -> int:
        reasons = [""] if used_only else list(self.bad)
        return sum(self.bad.get(r, {}).get(column, 0) for r in reasons)


def classify(
    duck,
    config: ClientConfig,
    table: str,
    source: Source,
    raw: RawTable,
    mapping: dict[str, str],
    *,
    window: tuple[dt.date, dt.date] | None = None,
    today: dt.date | None = None,
) -> Classification:
    """Parse and classify every row of ``raw`` into the temp table ``__clv_cls_<table>``.

    One SQL pass over the staged file: trimmed text, parsed values, the duplicate rank (window
    over all the file's columns), the first exclusion reason; then one GROUP BY for the counts.
    ``window`` (first day, last day) is the observation window of the loaded transactions, used
    for ``marketing_spend`` (``outside_window``); ``today`` (default: the current date) is the
    day after which a date is in the future.
    """
    spec = TABLES[table]
    options = source.csv
    required = set(spec.required)
    if table == "transactions":
        required |= {"revenue"} if "revenue" in mapping else {"unit_price", "quantity"}
    parsed_cols = [c for c in mapping if spec.types[c] in PARSED_KINDS]
    excluding = [
        c
        for c in parsed_cols
        if (c in required and spec.types[c] in ("ts", "date")) or c in VALUE_AMOUNTS
    ]
    optional = [c for c in parsed_cols if c not in excluding]
    cls = Classification(
        table=table,
        relation=f"__clv_cls_{table}",
        mapping=mapping,
        output=[],
        excluding=excluding,
        optional=optional,
    )

    # layer 1: trimmed text (typed columns as they are), duplicate rank, return flag
    texts = {c: text_sql(col, raw.types[col]) for c, col in mapping.items()}
    dtype = {c: raw.types[col] for c, col in mapping.items()}
    layer1 = [f"{expr} AS __t_{c}" for c, expr in texts.items()]
    partition = ", ".join(quote_ident(c) for c in raw.columns)
    layer1.append("coalesce(__dups.__dup, 1) AS __dup")
    layer1.append(
        f"{raw.extra} IS NOT NULL AS __malformed" if raw.extra else "false AS __malformed"
    )
    layer1.append(f"{_split_sql(raw, options.sep)} AS __split")
    if table == "transactions" and source.returns is not None:
        flag_col = source.returns.column.replace("\ufeff", "").strip()
        flag = _as_text(text_sql(flag_col, raw.types[flag_col]), raw.types[flag_col])
        values = ", ".join(quote_literal(v.strip().lower()) for v in source.returns.values)
        layer1.append(f"coalesce(lower({flag}) IN ({values}), false) AS __flag")

    # layer 2: parsed values
    layer2 = [
        f"{parse_sql(spec.types[c], f'__t_{c}', dtype[c], options)} AS __p_{c}" for c in mapping
    ]

    # layer 3: canonical output, unreadable flags, reason
    out: dict[str, str] = {c: f"__p_{c}" for c in spec.columns if c in mapping}
    if table == "transactions":
        value = "__p_revenue" if "revenue" in mapping else "(__p_unit_price * __p_quantity)"
        returned = [f"{value} < 0"]
        if "quantity" in mapping:
            returned.append("__p_quantity < 0")
        if source.returns is not None:
            returned.append("__flag")
        if "is_return" in mapping:
            returned.append("coalesce(__p_is_return, false)")
        is_return = "coalesce(" + " OR ".join(returned) + ", false)"
        out["order_id"] = out.get("order_id", "'row-' || CAST(source_row AS VARCHAR)")
        out["revenue"] = f"CASE WHEN {is_return} THEN -abs({value}) ELSE {value} END"
        out["is_return"] = is_return
        order = [c for c in spec.columns if c in out]
        out = {c: out[c] for c in order}
    cls.output = list(out)
    layer3 = [f"{expr} AS {c}" for c, expr in out.items()]
    layer3 += [f"(__t_{c} IS NOT NULL AND __p_{c} IS NULL) AS __bad_{c}" for c in parsed_cols]
    layer3 += [f"__t_{c} IS NOT NULL AS __filled_{c}" for c in mapping]
    reason = _reason_sql(
        config, table, mapping, required, excluding, dtype, window=window, today=today
    )
    layer3.append(f"{reason} AS __reason")
    layer3 += ["__malformed", "__split"]

    # the file's own values travel along and are kept, as text, for excluded rows only (the
    # examples in the report), which spares a second read of the file
    carried = [f"__r{i}" for i in range(len(raw.columns))]
    layer1 += [f"{quote_ident(c)} AS {r}" for c, r in zip(raw.columns, carried, strict=True)]
    layer3 += carried
    as_text = ", ".join(f"CAST({r} AS VARCHAR)" for r in carried)
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {cls.relation} AS "
        f"WITH {_duplicates_sql(raw.view, partition)}, "
        f"l1 AS (SELECT __src.__row AS source_row, {', '.join(layer1)} "
        "FROM __src LEFT JOIN __dups ON __src.__row = __dups.__row), "
        f"l2 AS (SELECT *, {', '.join(layer2)} FROM l1), "
        f"l3 AS (SELECT source_row, {', '.join(layer3)} FROM l2) "
        f"SELECT * EXCLUDE ({', '.join(carried)}), "
        f"CASE WHEN __reason IS NOT NULL THEN [{as_text}] END AS __raw FROM l3"
    )
    duck.execute(sql)
    if table == "transactions" and "order_id" in mapping:
        _mark_conflicts(duck, cls, raw)
    _count(duck, cls, table)
    return cls


def _duplicates_sql(view: str, partition: str) -> str:
    """CTEs ``__src`` (the staged rows) and ``__dups`` (``__row``, ``__dup``: the rank of a row
    among its exact copies, by file order) for the rows whose hash over all the file's columns
    is shared with another row. Rows with a unique hash cannot have a copy, so the exact window
    over every column runs on those few candidates only (hash collisions are ranked apart by the
    exact partition): a tenth of the time of that window over all rows."""
    return (
        f"__src AS MATERIALIZED (SELECT *, hash({partition}) AS __h FROM {view}), "
        "__shared AS (SELECT __h FROM __src GROUP BY __h HAVING count(*) > 1), "
        f"__dups AS (SELECT __row, row_number() OVER (PARTITION BY {partition} ORDER BY __row) "
        "AS __dup FROM __src WHERE __h IN (SELECT __h FROM __shared))"
    )


def _mark_conflicts(duck, cls: Classification, raw: RawTable) -> None:
    """Order ids that, among the rows usable so far, belong to two or more customers: their rows
    become ``conflicting_order_id`` (one GROUP BY; the file is read again only when there are
    some, for the examples). Also counts the order ids whose purchase lines fall on different
    days (``cls.split_orders``; merged into one order, noted)."""
    conflicts = f"{cls.relation}_conflicts"
    duck.execute(
        f"CREATE OR REPLACE TEMP TABLE {conflicts} AS SELECT order_id, "
        "min(customer_id) IS DISTINCT FROM max(customer_id) AS shared, "
        "count(DISTINCT CASE WHEN NOT is_return THEN CAST(order_ts AS DATE) END) > 1 AS days "
        f"FROM {cls.relation} WHERE __reason IS NULL GROUP BY order_id HAVING shared OR days"
    )
    try:
        shared, days = duck.execute(
            f"SELECT count_if(shared), count_if(days AND NOT shared) FROM {conflicts}"
        ).fetchone()
        cls.split_orders = int(days or 0)
        if not shared:
            return
        values = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR)" for c in raw.columns)
        duck.execute(
            f"UPDATE {cls.relation} AS c SET __reason = 'conflicting_order_id', __raw = r.v "
            f"FROM (SELECT __row, [{values}] AS v FROM {raw.view}) AS r, "
            f"(SELECT order_id FROM {conflicts} WHERE shared) AS k "
            "WHERE c.__reason IS NULL AND c.order_id = k.order_id AND c.source_row = r.__row"
        )
    finally:
        duck.execute(f"DROP TABLE IF EXISTS {conflicts}")


def _split_sql(raw: RawTable, sep: str) -> str:
    """True for a CSV row whose values all sit in the first column, which holds another
    separator: a row written with a different separator than the rest of the file."""
    if raw.format != "csv" or len(raw.columns) < 2:
        return "false"
    others = [s for s in SEPARATORS if s != sep]
    chars = "".join("\\t" if s == "\t" else re.escape(s) for s in others)
    pattern = quote_literal(f"[{chars}]")
    first = quote_ident(raw.columns[0])
    empty = " AND ".join(f"{quote_ident(c)} IS NULL" for c in raw.columns[1:])
    return f"coalesce({empty} AND regexp_matches({first}, {pattern}), false)"


def _reason_sql(
    config: ClientConfig,
    table: str,
    mapping: dict[str, str],
    required: set[str],
    excluding: list[str],
    dtype: dict[str, str],
    *,
    window: tuple[dt.date, dt.date] | None = None,
    today: dt.date | None = None,
) -> str:
    spec = TABLES[table]
    options = getattr(config.sources, table).csv
    checks: list[tuple[str, str]] = []
    if "customer_id" in spec.required:
        checks.append(("missing_customer_id", "__t_customer_id IS NULL"))
    if table == "transactions" and "order_id" in mapping:
        checks.append(("missing_order_id", "__t_order_id IS NULL"))
    others = [
        c
        for c in spec.columns
        if c in required
        and c not in ("customer_id", "order_id")
        and spec.types[c] not in ("money", "number")
    ]
    if others:
        checks.append(("missing_required_value", _any(f"__t_{c} IS NULL" for c in others)))
    dates = [c for c in excluding if spec.types[c] in ("ts", "date")]
    if dates:
        shape = date_shape(options.date_formats)

        def shaped(c: str) -> str:
            if shape is None or dtype[c] != "VARCHAR":
                return "false"
            return f"coalesce(regexp_full_match(__t_{c}, {quote_literal(shape)}), false)"

        checks.append(
            ("unparseable_date", _any(f"(__p_{c} IS NULL AND NOT {shaped(c)})" for c in dates))
        )
        if shape is not None:
            checks.append(("impossible_date", _any(f"__p_{c} IS NULL" for c in dates)))
        tomorrow = ((today or dt.date.today()) + dt.timedelta(days=1)).isoformat()
        later = f"TIMESTAMP {quote_literal(tomorrow)}"
        future = (f"CAST(__p_{c} AS TIMESTAMP) >= {later}" for c in dates)
        checks.append(("future_date", _any(future)))
    amounts = [c for c in excluding if spec.types[c] in ("money", "number")]
    if amounts:
        bad = [
            f"__p_{c} IS NULL" if c in required else f"(__t_{c} IS NOT NULL AND __p_{c} IS NULL)"
            for c in amounts
        ]
        checks.append(("non_numeric_amount", _any(bad)))
    if table == "marketing_spend":
        checks.append(("negative_spend", "__p_spend < 0"))
    checks.append(("duplicate_row", "__dup > 1"))
    window_checks = []
    if table == "transactions":
        if config.observation_start:
            start = config.observation_start.isoformat()
            window_checks.append(f"__p_order_ts < TIMESTAMP {quote_literal(start)}")
        if config.observation_end:
            after = (config.observation_end + dt.timedelta(days=1)).isoformat()
            window_checks.append(f"__p_order_ts >= TIMESTAMP {quote_literal(after)}")
    if table == "marketing_spend" and window is not None:
        first_month = window[0].replace(day=1).isoformat()
        window_checks.append(f"__p_period < DATE {quote_literal(first_month)}")
        window_checks.append(f"__p_period > DATE {quote_literal(window[1].isoformat())}")
    if window_checks:
        checks.append(("outside_window", _any(window_checks)))
    if table == "sessions":
        steps = ", ".join(quote_literal(s) for s in config.funnel.steps)
        checks.append(("unknown_funnel_step", f"__t_step NOT IN ({steps})"))
    assert [r for r, _ in checks] == [r for r in REASONS if r in dict(checks)]
    return "CASE " + " ".join(f"WHEN {c} THEN {quote_literal(r)}" for r, c in checks) + " END"


def _any(conditions) -> str:
    return "(" + " OR ".join(conditions) + ")"


def _count(duck, cls: Classification, table: str) -> None:
    parsed = cls.excluding + cls.optional
    aggregates = ["count(*)"]
    aggregates.append("count_if(is_return)" if table == "transactions" else "0")
    aggregates.append("count_if(__malformed)")
    aggregates.append("count_if(__split)")
    aggregates += [f"count_if(__bad_{c})" for c in parsed]
    aggregates += [f"count({c})" for c in cls.excluding]  # = parsed values (revenue too)
    aggregates += [f"count_if(__filled_{c})" for c in cls.mapping]
    rows = duck.execute(
        f"SELECT coalesce(__reason, ''), {', '.join(aggregates)} FROM {cls.relation} GROUP BY ALL"
    ).fetchall()
    k, e = len(parsed), len(cls.excluding)
    for reason, n, returns, malformed, split, *rest in rows:
        cls.counts[reason] = n
        cls.malformed += malformed
        cls.split += split
        cls.bad[reason] = dict(zip(parsed, rest[:k], strict=True))
        if reason == "":
            cls.returns = returns
        bad = cls.bad[reason]
        for c, parsed_n in zip(cls.excluding, rest[k : k + e], strict=True):
            cls.filled[c] = cls.filled.get(c, 0) + parsed_n + bad[c]
        for c, filled_n in zip(cls.mapping, rest[k + e :], strict=True):
            cls.nonempty[c] = cls.nonempty.get(c, 0) + filled_n


# -- checks, notes and examples -------------------------------------------------------------------
def check_malformed(duck, cls: Classification, raw: RawTable, source: Source) -> None:
    """Raise ``DataError`` when CSV rows have more fields than the header, or all their values
    in the first field, split by another separator than ``csv.sep``.

    A longer row almost always has the separator inside an unquoted value, so its values sit in
    the wrong columns; reading it anyway could put a street number into an amount. A row written
    with another separator would lose every value but the first. Values of columns that look
    like personal data are blanked in the message.
    """
    sep = source.csv.sep
    shown_sep = "\\t" if sep == "\t" else sep
    if cls.malformed:
        row, listed = _flagged_rows(duck, cls, "__malformed")
        raise DataError(
            f"{cls.malformed:,} row(s) have more fields than the header's {len(raw.columns)} "
            f"(data rows {listed}{' ...' if cls.malformed > 2 else ''}), so their values cannot "
            "be matched to columns",
            file=str(raw.file),
            row=f"data row {row} read as '{_row_text(duck, raw, row, sep)}'",
            fix=f"a value there contains the separator '{shown_sep}' without quotes: re-export "
            "with values in quotes, or correct those rows; check csv.sep and csv.skip_rows too",
        )
    if cls.split:
        row, listed = _flagged_rows(duck, cls, "__split")
        values = duck.execute(
            f"SELECT {quote_ident(raw.columns[0])} FROM {raw.view} WHERE __row = {row}"
        ).fetchall()[0][0]
        other = next((s for s in SEPARATORS if s != sep and s in values), "?")
        shown_other = "\\t" if other == "\t" else other
        text = values if not is_personal(raw.columns[0]) else "…"
        raise DataError(
            f"{cls.split:,} row(s) use '{shown_other}' as the separator while the file uses "
            f"'{shown_sep}' (csv.sep), so all their values land in the first column "
            f"'{raw.columns[0]}' (data rows {listed}{' ...' if cls.split > 2 else ''}): the "
            "export mixes separators",
            file=str(raw.file),
            column=raw.columns[0],
            row=f"data row {row}: '{text}'",
            fix=f"re-export the file with one separator, or replace '{shown_other}' by "
            f"'{shown_sep}' in those rows of a copy of the file and point sources.{cls.table}."
            "path at the copy",
        )


def _flagged_rows(duck, cls: Classification, flag: str) -> tuple[int, str]:
    rows = duck.execute(
        f"SELECT source_row FROM {cls.relation} WHERE {flag} ORDER BY source_row LIMIT 2"
    ).fetchall()
    return rows[0][0], ", ".join(str(r) for (r,) in rows)


def _row_text(duck, raw: RawTable, row: int, sep: str) -> str:
    values = duck.execute(
        f"SELECT * EXCLUDE (__row) FROM {raw.view} WHERE __row = {row}"
    ).fetchall()[0]
    names = [*raw.columns, EXTRA_COLUMN]
    return sep.join(
        "…" if i < len(raw.columns) and is_personal(names[i]) else ("" if v is None else str(v))
        for i, v in enumerate(values)
    )


def check_empty_columns(cls: Classification, raw: RawTable) -> list[str]:
    """Raise ``DataError`` for a mapped column that is empty in every row when an empty value
    excludes the row (ids, required values, value amounts): the mapping points at the wrong
    column. Any other mapped column that is empty everywhere is dropped from the canonical table
    (so the steps treat it as not given) and named in the returned notes."""
    spec = TABLES[cls.table]
    blocking = set(spec.required) | set(VALUE_AMOUNTS)
    if cls.table == "transactions":
        blocking |= {"order_id"}
    notes = []
    for canonical, column in cls.mapping.items():
        if cls.nonempty.get(canonical, 0) or not cls.rows_read:
            continue
        if canonical in blocking:
            raise DataError(
                f"the column mapped to {canonical} is empty in all {cls.rows_read:,} rows, so no "
                "row could be used",
                file=str(raw.file),
                column=column,
                row=f"data row 1 has {canonical} ''",
                fix=f"point sources.{cls.table}.columns.{canonical} in client.yml at the column "
                f"that holds it (the file's columns are: {_listed(raw.columns)})",
            )
        if canonical in cls.output:
            cls.output.remove(canonical)
        notes.append(
            f"{canonical} (column '{column}') is empty in every row and is treated as not given"
        )
    return notes


def check_parse_rates(
    duck,
    cls: Classification,
    raw: RawTable,
    source: Source,
    *,
    threshold: float = 0.5,
    systematic: bool = True,
) -> None:
    """Raise ``DataError`` when a column that excludes rows (required dates, value amounts)
    cannot be read in a way that points to a setting or a systematic defect, not dirty rows:
    more than ``threshold`` of its non-empty values (a wrong ``csv.date_format`` or
    ``csv.decimal``), or at least ``SYSTEMATIC_ROWS`` rows and ``SYSTEMATIC_SHARE`` of them in
    a second date format, with the other decimal mark or with a currency mark (not checked
    with ``systematic=False``, for a file's first rows)."""
    for canonical in cls.excluding:
        filled = cls.filled.get(canonical, 0)
        bad = cls.unreadable(canonical)
        if not filled or not bad:
            continue
        column = cls.mapping[canonical]
        kind = TABLES[cls.table].types[canonical]
        position = raw.columns.index(column) + 1  # DuckDB lists are 1-based
        value = f"trim(__raw[{position}], {quote_literal(SPACES)})"
        if bad / filled > threshold:
            samples = duck.execute(
                f"SELECT source_row, __raw[{position}] FROM {cls.relation} "
                f"WHERE __bad_{canonical} ORDER BY source_row LIMIT 200"
            ).fetchall()
            shown = "; ".join(f"row {r}: '{v}'" for r, v in samples[:2])
            values = [v for _, v in samples]
            if kind in ("ts", "date"):
                fix, what = _date_fix(values, source.csv.date_formats), "dates"
            else:
                fix, what = _amount_fix(values, source.csv), "numbers"
            raise DataError(
                f"{bad:,} of {filled:,} values of {canonical} cannot be read as {what} with the "
                f"configured settings, which points to a setting rather than dirty rows",
                file=str(raw.file),
                column=column,
                row=shown,
                fix=fix,
            )
        if not systematic or not _systematic(bad, filled):
            continue
        if kind in ("ts", "date"):
            _check_second_date_format(duck, cls, raw, source, canonical, value, bad, filled)
        else:
            _check_amount_patterns(duck, cls, raw, source, canonical, value, bad, filled)


def _pattern_rows(duck, cls: Classification, canonical: str, value: str, condition: str):
    """How many unreadable values of ``canonical`` meet ``condition`` (SQL over ``value``),
    and the first two as (row, text)."""
    where = f"__bad_{canonical} AND coalesce({condition}, false)"
    n = duck.execute(f"SELECT count(*) FROM {cls.relation} WHERE {where}").fetchone()[0]
    first = duck.execute(
        f"SELECT source_row, {value} FROM {cls.relation} WHERE {where} "
        "ORDER BY source_row LIMIT 200"
    ).fetchall()
    return n, first


def _systematic(n: int, filled: int) -> bool:
    return n >= max(SYSTEMATIC_ROWS, SYSTEMATIC_SHARE * filled)


def _check_second_date_format(duck, cls, raw, source, canonical, value, bad, filled) -> None:
    current = source.csv.date_formats
    others = [f for base in COMMON_DATE_FORMATS for f in date_formats(base)]
    others = [f for f in others if f not in date_formats(current)]
    listed = ", ".join(quote_literal(f) for f in others)
    n, rows = _pattern_rows(
        duck, cls, canonical, value, f"try_strptime({value}, [{listed}]) IS NOT NULL"
    )
    if not _systematic(n, filled):
        return
    best = _best_format([v for _, v in rows], exclude=current)
    now = ", ".join(f'"{f}"' for f in current) or "ISO 8601"
    suggestion = ", ".join(f'"{f}"' for f in [*(current or ["%Y-%m-%d"]), best])
    raise DataError(
        f"{n:,} of {filled:,} values of {canonical} are dates in another format than "
        f"csv.date_format ({now}): the export mixes two date formats, and excluding these rows "
        f"would drop {n / filled:.1%} of the data",
        file=str(raw.file),
        column=cls.mapping[canonical],
        row="; ".join(f"row {r}: '{v}'" for r, v in rows[:2]),
        fix=f"list both formats, tried in order, for this source in client.yml: "
        f"csv.date_format: [{suggestion}] (formats that differ only in the order of day and "
        "month cannot be told apart: re-export such a file instead)",
    )


def _check_amount_patterns(duck, cls, raw, source, canonical, value, bad, filled) -> None:
    options = source.csv
    other = "," if options.decimal == "." else "."
    other_dialect = options.model_copy(update={"decimal": other, "thousands": None})
    readable_other = f"{amount_sql(value, 'VARCHAR', other_dialect)} IS NOT NULL"
    currency = f"regexp_matches(lower({value}), {quote_literal(CURRENCY_MARKS)})"
    n, rows = _pattern_rows(duck, cls, canonical, value, currency)
    column = cls.mapping[canonical]
    example = "; ".join(f"row {r}: '{v}'" for r, v in rows[:2])
    if _systematic(n, filled):
        raise DataError(
            f"{n:,} of {filled:,} values of {canonical} carry a currency mark, so they are not "
            f"plain numbers; excluding these rows would drop {n / filled:.1%} of the data",
            file=str(raw.file),
            column=column,
            row=example,
            fix="export the amounts as plain numbers (in Excel, format the column as Number "
            "rather than Currency before saving as CSV); clvlib does not strip currency marks, "
            "since an export mixing currencies would then be summed as one",
        )
    n, rows = _pattern_rows(duck, cls, canonical, value, readable_other)
    if _systematic(n, filled):
        raise DataError(
            f"{n:,} of {filled:,} values of {canonical} use '{other}' as the decimal mark while "
            f"csv.decimal is '{options.decimal}': the export mixes decimal marks, so a value "
            f"such as '1{options.decimal if options.decimal == '.' else '.'}250' cannot be read "
            f"safely either way, and excluding these rows would drop {n / filled:.1%} of the data",
            file=str(raw.file),
            column=column,
            row="; ".join(f"row {r}: '{v}'" for r, v in rows[:2]),
            fix="re-export the column with one decimal mark (format it as a number in the "
            "source system or in Excel, then save as CSV or XLSX)",
        )


def check_conflicts(duck, cls: Classification, raw: RawTable) -> list[str]:
    """Order ids shared by customers: blocking when they are more than half of the rows (the
    mapping of ``order_id`` is wrong), else a note with the fix (the rows are excluded as
    ``conflicting_order_id``). Also a note for order ids whose purchase lines fall on
    different days (numbering that restarts, e.g. every year): they are merged into one order."""
    if cls.table != "transactions" or "order_id" not in cls.mapping:
        return []
    notes = []
    column = cls.mapping["order_id"]
    n = cls.counts.get("conflicting_order_id", 0)
    if n:
        (order, rows), *_ = duck.execute(
            f"SELECT order_id, list(source_row ORDER BY source_row)[1:2] FROM {cls.relation} "
            "WHERE __reason = 'conflicting_order_id' GROUP BY order_id ORDER BY min(source_row) "
            "LIMIT 1"
        ).fetchall()
        example = f"order '{order}' on data rows {', '.join(map(str, rows))} (two customers)"
        if n * 2 > cls.rows_read:
            raise DataError(
                f"{n:,} of {cls.rows_read:,} rows share their order id with another customer's "
                "rows, so the column mapped to order_id does not identify orders",
                file=str(raw.file),
                column=column,
                row=example,
                fix="point sources.transactions.columns.order_id at the order number (not a "
                "line, product or invoice-position number), or leave order_id out to count "
                "every row as an order",
            )
        notes.append(
            f"{n:,} rows excluded because their order id also belongs to another customer, e.g. "
            f"{example}; if order numbers restart (per year or per shop), map order_id to a "
            "column that is unique"
        )
    if cls.split_orders:
        notes.append(
            f"{cls.split_orders:,} order ids (column '{column}') have purchase lines on "
            "different days; each counts as one order on its first day — if order numbers "
            "restart (e.g. every year), map order_id to a number that is unique"
        )
    return notes


def _best_format(values: list[str], *, exclude: list[str]) -> str:
    """The common base date format that reads most ``values`` (other than ``exclude``)."""
    values = [v.strip() for v in values if v and v.strip()]
    scores = {
        base: sum(_strptime_any(v, base) for v in values)
        for base in COMMON_DATE_FORMATS
        if base not in exclude
    }
    return max(scores, key=lambda b: scores[b]) if scores else "%Y-%m-%d"


def _date_fix(values: list[str], current: list[str]) -> str:
    """Suggest the common date format that reads most of the unreadable ``values``."""
    shown = ", ".join(f'"{f}"' for f in current)
    now = f"now {shown}" if current else "now not set, i.e. ISO 8601 yyyy-mm-dd"
    values = [v.strip() for v in values if v and v.strip()]
    best, best_n = None, 0
    for base in COMMON_DATE_FORMATS:
        n = sum(_strptime_any(v, base) for v in values)
        if n > best_n:
            best, best_n = base, n
    if best and best_n * 2 > len(values):
        return (
            f'set csv.date_format: "{best}" for this source in client.yml ({now}); it reads '
            f"{best_n} of the {len(values)} sampled values (a time such as 10:15 after the date "
            "is accepted too)"
        )
    return (
        f"set csv.date_format for this source in client.yml to the pattern of these dates "
        f'({now}), e.g. "%d.%m.%Y" for 31.12.2025 or "%Y-%m-%d" for 2025-12-31'
    )


def _strptime_any(value: str, base: str) -> bool:
    for suffix in TIME_SUFFIXES:
        try:
            dt.datetime.strptime(value, base + suffix)
            return True
        except ValueError:
            continue
    return False


def _amount_fix(values: list[str], options: CsvOptions) -> str:
    """Suggest the other decimal mark when most unreadable ``values`` are numbers with it."""
    other = "," if options.decimal == "." else "."
    number = re.compile(r"[-+]?\d[\d\s\u00a0\u202f.,]*")
    values = [v.strip() for v in values if v and v.strip()]
    fits = sum(bool(number.fullmatch(v)) and other in v for v in values)
    if values and fits * 2 > len(values):
        return f'set csv.decimal: "{other}" for this source in client.yml (now "{options.decimal}")'
    marks = sum(bool(re.search(CURRENCY_MARKS, v.lower())) for v in values)
    if values and marks * 2 > len(values):
        return (
            "the amounts carry a currency mark: export them as plain numbers (in Excel, format "
            "the column as Number rather than Currency before saving as CSV); clvlib does not "
            "strip currency marks, since an export mixing currencies would be summed as one"
        )
    return (
        f'check the column mapping and csv.decimal (now "{options.decimal}"; Polish exports use '
        'decimal: ","); amounts must be plain numbers — a currency symbol or text such as '
        "'zł' in the values must be removed in the export"
    )


def optional_notes(cls: Classification) -> list[str]:
    """One sentence per optional column with used rows whose value could not be read."""
    notes = []
    for canonical in cls.optional:
        n = cls.unreadable(canonical, used_only=True)
        if n:
            verb = (
                "value could not be read and was" if n == 1 else "values could not be read and were"
            )
            notes.append(
                f"{canonical} (column '{cls.mapping[canonical]}'): {n:,} {verb} left empty"
            )
    return notes


def excluded_examples(
    duck, cls: Classification, raw: RawTable, *, per_reason: int = 3
) -> list[dict[str, Any]]:
    """Up to ``per_reason`` excluded rows per reason: ``{reason, source_row, <client columns>}``
    with the raw values as text, without columns that look like personal data."""
    picked = duck.execute(
        f"SELECT __reason, source_row, __raw FROM {cls.relation} WHERE __reason IS NOT NULL "
        f"QUALIFY row_number() OVER (PARTITION BY __reason ORDER BY source_row) <= {per_reason}"
    ).fetchall()
    keep = [(i, c) for i, c in enumerate(raw.columns) if not is_personal(c)]
    order = list(REASONS)
    picked.sort(key=lambda p: (order.index(p[0]), p[1]))
    return [
        {"reason": reason, "source_row": row, **{c: values[i] for i, c in keep}}
        for reason, row, values in picked
    ]


def precision_notes(duck, table: str) -> list[str]:
    """One sentence per money column of the canonical ``table`` with amounts that have more
    decimals than ``MONEY_DECIMALS``: the audit adds money rounded to that many decimals
    (``clvlib.backends.exact_sum``: exact totals whatever the order), which changes each such
    amount by at most half a unit of its last kept decimal. A product such as unit price ×
    quantity is not counted for the binary noise of its last bit (|x − round(x)| ≤ 4e-15·|x|)."""
    columns = {c for (c, *_) in duck.execute(f"DESCRIBE {quote_ident(table)}").fetchall()}
    money = [c for c, kind in TABLES[table].types.items() if kind == "money" and c in columns]
    if not money:
        return []
    d = MONEY_DECIMALS

    def finer(c: str) -> str:
        col = quote_ident(c)
        return f"abs({col} - round({col}, {d})) > greatest(1e-12, abs({col}) * 4e-15)"

    counts = ", ".join(f"count(*) FILTER (WHERE {finer(c)})" for c in money)
    examples = ", ".join(f"min({quote_ident(c)}) FILTER (WHERE {finer(c)})" for c in money)
    row = duck.execute(f"SELECT {counts}, {examples} FROM {quote_ident(table)}").fetchone()
    notes = []
    for i, c in enumerate(money):
        n, example = row[i], row[len(money) + i]
        if n:
            values = "amount has" if n == 1 else "amounts have"
            notes.append(
                f"{c}: {n:,} {values} more than {d} decimals (e.g. {example!r}); the audit adds "
                f"money rounded to {d} decimals, which changes each by at most "
                f"{0.5 * 10**-d:.{d + 1}f}"
            )
    return notes


def create_canonical(duck, cls: Classification) -> None:
    """The used rows as the typed canonical table named like the table (replaced if present)."""
    columns = ", ".join([*cls.output, "source_row"])
    duck.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(cls.table)} AS SELECT {columns} "
        f"FROM {cls.relation} WHERE __reason IS NULL ORDER BY source_row"
    )
