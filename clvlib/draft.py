"""``clv-audit init``: draft a client's ``client.yml`` from a folder of raw exports.

``draft_config(folder)`` sniffs every CSV/XLSX/Parquet file in the folder (``clvlib.data.sniff``),
guesses which is which canonical table and which column is which canonical column
(``clvlib.data.guess``), reads the whole transactions file once for the observation window
(and the sessions file for its funnel steps), and renders a commented ``client.yml``: every
guess with its confidence (0-1) and evidence, the alternatives, and the economics defaults to
confirm. A mapping is written only when it is confident; a column that could be two things is
left as a commented choice (``CHOOSE``), a weak guess as a commented ``CHECK`` line, so that
``clv-audit validate`` stops with a message naming the key until the consultant decides.

Where the draft goes (``resolve_out``): ``--out`` if given (a directory gets ``client.yml``),
``-`` for standard output, else ``client.yml`` in the current directory — never inside the
input folder unless ``--out`` names it explicitly (raw exports are immutable), never over an
existing file without ``force``, and only to a ``.yml``/``.yaml`` name so that no export can
be overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from clvlib import __version__
from clvlib.config import (
    DEFAULT_FUNNEL_STEPS,
    CsvOptions,
    Source,
    default_holdout_weeks,
    infer_cart_step,
    load_config,
)
from clvlib.data.guess import Plan, TableGuess, normalise, plan_tables, returns_flag
from clvlib.data.io import FORMATS, drop_stage, explain_read_error, stage_source
from clvlib.data.schema import TABLES
from clvlib.data.sniff import Export, Guess, readable, sniff_file
from clvlib.data.validation import parse_sql, text_sql
from clvlib.errors import ConfigError, DataError

COMMENT_AT = 38  # column where trailing comments start
WIDTH = 100  # comments wrap beyond this
CHECK_BELOW = 0.6  # a setting guessed with less confidence is marked CHECK
POLISH_WORDS = {"klient", "klienta", "data", "kwota", "wartosc", "cena", "ilosc", "kanal"}
POLISH_WORDS |= {"zrodlo", "zamowienia", "kategoria", "etap", "sesji", "czas", "miesiac"}
POLISH_WORDS |= {"koszt", "opiekun", "wojewodztwo", "nr", "kod", "rabatowy"}
CURRENCY_WORDS = {"pln": "PLN", "zl": "PLN", "eur": "EUR", "euro": "EUR", "usd": "USD"}
CURRENCY_WORDS |= {"gbp": "GBP", "czk": "CZK"}


@dataclass
class Window:
    """What a full read of the transactions' date column found."""

    first: dt.date
    last: dt.date
    rows: int
    unreadable: int  # rows whose date does not read with the drafted format
    days: dict[dt.date, int]  # rows per day

    def stray_tail(self) -> tuple[dt.date, int] | None:
        """(month end, rows after it) when the last month holds far fewer rows than usual —
        e.g. a few rows dated after the export's real end; ``None`` otherwise."""
        end = self.last.replace(day=1) - dt.timedelta(days=1)
        if end <= self.first:
            return None
        after = sum(n for d, n in self.days.items() if d > end)
        per_day = (self.rows - after) / max(1, (end - self.first).days + 1)
        expected = per_day * (self.last - end).days
        return (end, after) if after < 0.25 * expected else None


@dataclass
class Draft:
    """A drafted ``client.yml`` and what the consultant should look at."""

    text: str
    out: Path | None  # None: standard output
    plan: Plan
    warnings: list[str] = field(default_factory=list)  # unreadable files, failed full reads
    todo: list[str] = field(default_factory=list)  # choices and weak guesses left open
    blocking: list[str] = field(default_factory=list)  # what validate will stop at

    @property
    def tables(self) -> dict[str, TableGuess]:
        return self.plan.tables

    @property
    def unused(self) -> list[tuple[Export, str]]:
        return self.plan.unused

    def summary(self) -> list[str]:
        """The lines ``clv-audit init`` prints."""
        lines = []
        for table, g in self.tables.items():
            mapped = len(g.mapping())
            open_ = sum(ch.status in ("choose", "weak") for ch in g.choices.values())
            state = " (commented out: weak fit)" if _commented_out(g) else ""
            lines.append(
                f"{table:<16}{g.export.label:<32} fit {g.fit:.2f}  {mapped} column(s) mapped"
                + (f", {open_} to decide" if open_ else "")
                + state
            )
        for export, why in self.unused:
            lines.append(f"not used: {export.label}: {why}")
        lines += [f"to decide: {t}" for t in self.todo]
        if self.blocking:
            lines.append(
                "validate stops until you decide: " + "; ".join(self.blocking) + " (see CHOOSE "
                "and CHECK in the draft)"
            )
        return lines


# -- where the draft goes -------------------------------------------------------------------------
def resolve_out(folder: Path, out: str | Path | None, *, force: bool = False) -> Path | None:
    """The file to write (``None`` = standard output); raises ``ConfigError`` when unsafe."""
    if out is not None and str(out) == "-":
        return None
    explicit = out is not None
    path = Path(out) if explicit else Path.cwd() / "client.yml"
    if path.is_dir():
        path = path / "client.yml"
    if path.suffix.lower() not in (".yml", ".yaml"):
        raise ConfigError(
            f"--out must name a .yml file (got {path.name}), so that no export is overwritten",
            fix="e.g. --out client.yml, or --out - to print the draft",
        )
    inside = path.resolve().parent.is_relative_to(folder.resolve())
    if inside and not explicit:
        raise ConfigError(
            f"the default output {path} would be inside the folder of exports ({folder}), which "
            "clvlib never writes to (raw data stays as the client sent it)",
            fix=f"run clv-audit init from another directory, or pass --out explicitly (e.g. "
            f"--out {folder.resolve().name}.client.yml, or --out {folder / 'client.yml'} if you "
            "mean it)",
        )
    if path.exists() and not force:
        raise ConfigError(
            f"{path} exists and is not replaced",
            file=str(path),
            fix="pass --force to replace it, or --out another file",
        )
    return path


# -- the draft ------------------------------------------------------------------------------------
def draft_config(
    folder: str | Path,
    *,
    out: str | Path | None = None,
    force: bool = False,
    client: str | None = None,
) -> Draft:
    """Sniff the exports in ``folder`` and write (or, with ``out='-'``, return) a draft.

    Raises ``DataError`` when nothing usable is found (no file looks like transactions, or no
    file can be read) and ``ConfigError`` for an unsafe ``out`` (see ``resolve_out``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(
            "the folder of exports does not exist",
            file=str(folder),
            fix="pass the folder holding the client's CSV/XLSX/Parquet files",
        )
    target = resolve_out(folder, out, force=force)
    files, others = _files(folder)
    exports, warnings = [], []
    for path in files:
        try:
            exports += sniff_file(path)
        except DataError as exc:
            warnings.append(exc.paragraph())
    _harmonise_decimals(exports)
    _harmonise_day_month(exports)
    plan = plan_tables(exports)
    if "transactions" not in plan.tables:
        raise _nothing_usable(folder, files, plan, warnings)
    base = (target.parent if target else Path.cwd()).resolve()
    sources = {t: _source(g, base) for t, g in plan.tables.items()}
    window = steps = None
    try:
        window = _window(plan.tables["transactions"], sources["transactions"])
    except DataError as exc:
        warnings.append(f"reading the whole transactions file: {exc.paragraph()}")
    if "sessions" in plan.tables:
        try:
            steps = _steps(plan.tables["sessions"], sources["sessions"])
        except DataError as exc:
            warnings.append(f"reading the whole sessions file: {exc.paragraph()}")
    draft = Draft("", target, plan, warnings)
    name = client or folder.resolve().name
    draft.text = _render(draft, folder, name, sources, window, steps, others)
    _check_loads(draft.text)
    if target is not None:
        _write_atomic(target, draft.text)
    return draft


def _files(folder: Path) -> tuple[list[Path], list[str]]:
    files, others = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")):
            continue
        if path.is_file() and path.suffix.lower() in FORMATS:
            files.append(path)
        else:
            others.append(path.name + ("/" if path.is_dir() else ""))
    return files, others


def _harmonise_decimals(exports: list[Export]) -> None:
    """An export without fractional numbers takes the decimal mark the folder's other exports
    show (one system exported them all); it cannot matter for its sampled rows."""
    seen = [e.options["decimal"].value for e in exports if _decimal_seen(e)]
    if not seen:
        return
    mark = max(set(seen), key=seen.count)
    for export in exports:
        guess = export.options.get("decimal")
        if export.format == "csv" and guess is not None and not _decimal_seen(export):
            export.options["decimal"] = Guess(
                mark,
                guess.confidence,
                f"no number with a fractional part in the sample; '{mark}' as in the other exports",
                guess.alternatives,
            )


def _harmonise_day_month(exports: list[Export]) -> None:
    """A file whose slash dates cannot tell day/month from month/day takes the order of the
    folder's other exports where a number above 12 decided it."""
    decided = {
        g.value.split(" ")[0]
        for e in exports
        if (g := e.options.get("date_format")) and g.value and "/" in g.value and not g.ambiguous
    }
    if len(decided) != 1:
        return
    (order,) = decided
    for export in exports:
        guess = export.options.get("date_format")
        if guess is not None and guess.ambiguous:
            value = order + guess.value[len(order) :]
            export.options["date_format"] = Guess(
                value,
                0.7,
                f"{readable(value)}: no day above 12 here, so the order is that of the other "
                "exports, where one is",
                (guess.value,),
            )


def _decimal_seen(export: Export) -> bool:
    guess = export.options.get("decimal")
    return guess is not None and guess.reason.startswith("e.g.")


def _nothing_usable(folder, files, plan, warnings) -> DataError:
    found = [f"{g.export.label} looks like {t}" for t, g in plan.tables.items()]
    found += [f"{e.label} {why}" for e, why in plan.unused]
    if not files:
        problem = "the folder holds no CSV, XLSX or Parquet file"
    elif not found:
        problem = "no file in the folder can be read: " + " ".join(warnings)
    else:
        problem = (
            "no file looks like transactions (a customer id, a date and an amount or a price and "
            "a quantity per row), which every audit needs; " + "; ".join(found)
        )
        if warnings:
            problem += "; unreadable: " + " ".join(warnings)
    return DataError(
        problem,
        file=str(folder),
        fix="add the order or invoice export to the folder (CSV, XLSX or Parquet, one row per "
        "order or order line), or write client.yml by hand starting from data/demo/client.yml",
    )


def _source(g: TableGuess, base: Path) -> Source:
    export = g.export
    options = export.csv_options()
    flag = returns_flag(export, g.mapping()) if g.table == "transactions" else None
    return Source(
        path=Path(os.path.relpath(export.path.resolve(), base)),
        columns=g.mapping(),
        csv=options,
        sheet=export.sheet,
        returns={"column": flag[0], "values": flag[1]} if flag else None,
    )


def _check_loads(text: str) -> None:
    """The draft must load with ``load_config``; if it does not, that is a bug here."""
    with tempfile.TemporaryDirectory(prefix="clvlib-draft-") as tmp:
        probe = Path(tmp) / "client.yml"
        probe.write_text(text, encoding="utf-8")
        try:
            load_config(probe, check_files=False)
        except ConfigError as exc:
            raise RuntimeError(f"the drafted client.yml does not load: {exc}") from None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".client-", suffix=".yml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- whole-file facts (the loader's own reader and parser) ----------------------------------------
def _scan(g: TableGuess, source: Source, column: str, kind: str, sql: str) -> list[tuple]:
    """Run ``sql`` (``{v}`` = the column's value parsed as ``kind``) over the whole file."""
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="clvlib-draft-") as tmp:
            raw = stage_source(con, g.table, source, g.export.path, Path(tmp))
            try:
                dtype = raw.types[column]
                value = parse_sql(kind, text_sql(column, dtype), dtype, source.csv)
                query = sql.format(v=value, t=text_sql(column, dtype), view=raw.view)
                try:
                    return con.execute(query).fetchall()
                except (duckdb.InvalidInputException, duckdb.IOException) as exc:
                    raise explain_read_error(raw, exc) from None
            finally:
                drop_stage(con, raw)
    finally:
        con.close()


def _window(g: TableGuess, source: Source) -> Window | None:
    column = source.columns.get("order_ts")
    if column is None:
        return None
    per_day = _scan(
        g,
        source,
        column,
        "ts",
        "SELECT CAST({v} AS DATE) AS d, count(*), count_if({t} IS NOT NULL AND {v} IS NULL) "
        "FROM {view} GROUP BY d",
    )
    days = {d: n for d, n, _ in per_day if d is not None}
    if not days:
        return None
    rows = sum(n for _, n, _ in per_day)
    unreadable = sum(bad for _, _, bad in per_day)
    return Window(min(days), max(days), rows, unreadable, days)


def _steps(g: TableGuess, source: Source) -> list[tuple[str, int]] | None:
    column = source.columns.get("step")
    if column is None:
        return None
    rows = _scan(
        g,
        source,
        column,
        "text",
        "SELECT {t} AS s, count(*) AS n FROM {view} WHERE {t} IS NOT NULL "
        "GROUP BY s ORDER BY n DESC, s LIMIT 51",
    )
    return [(str(s), int(n)) for s, n in rows]


# -- rendering ------------------------------------------------------------------------------------
def _q(value: object) -> str:
    """A YAML scalar: strings double-quoted (JSON escapes are valid YAML)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _line(indent: int, code: str, comment: str = "") -> list[str]:
    """``code`` at ``indent`` with a trailing comment, wrapped under itself when long."""
    head = " " * indent + code
    if not comment:
        return [head]
    at = max(COMMENT_AT, len(head) + 1)
    parts = textwrap.wrap(_clean(comment), width=max(30, WIDTH - at - 2))
    lines = [head.ljust(at) + "# " + parts[0]]
    lines += [" " * at + "# " + p for p in parts[1:]]
    return lines


def _comment(indent: int, text: str) -> list[str]:
    parts = textwrap.wrap(_clean(text), width=WIDTH - indent - 2)
    return [" " * indent + "# " + p for p in parts]


def _commented(lines: list[str], indent: int) -> list[str]:
    """The same lines commented out at ``indent`` (uncommenting them restores valid YAML)."""
    return [line[:indent] + "# " + line[indent:] if line.strip() else line for line in lines]


def _render(draft, folder, client, sources, window, steps, others) -> str:
    tables = draft.tables
    names = [p.name for g in tables.values() for p in g.export.columns]
    polish = any(set(n) & set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") for n in names) or any(
        set(normalise(n)) & POLISH_WORDS for n in names
    )
    words = {w for n in names for w in normalise(n)}
    currency = next((c for w, c in CURRENCY_WORDS.items() if w in words), None)
    today = dt.date.today().isoformat()
    out = [
        f"# client.yml drafted by `clv-audit init` (clvlib {__version__}, {today}) from the",
        f"# exports in {folder}.",
        "# Every value below is a guess from the files' names and contents, with its confidence",
        "# (0-1) and the evidence. CHOOSE: a choice left to you (uncomment one line). CHECK: a",
        "# weak guess (commented out) or a setting to verify. CONFIRM: a default that is not in",
        "# the data. Then run `clv-audit validate` on this file to see what is read and excluded.",
        "# Paths are relative to this file. Unknown keys are errors; comments are fine.",
        "",
    ]
    out += _line(0, f"client: {_q(client)}", "CHECK: the client's name on the report cover")
    if currency:
        out += _line(0, f"currency: {currency}", "from the column names")
    else:
        out += _line(0, "currency: PLN", "CHECK: the currency of the amounts (ISO code)")
    locale = "pl" if polish else "en"
    what = "Polish" if polish else "English"
    out += _line(
        0,
        f"locale: {locale}",
        f"any CLDR locale (pl_PL, en_GB, de_DE …): the figures' format; texts are Polish for "
        f"pl*, else English. The column names are {what}",
    )
    out += _window_lines(window, tables["transactions"])
    out += [""]
    margin = "margin" in tables["transactions"].mapping()
    out += _line(0, "economics:", "CONFIRM: defaults, not read from the data")
    out += _line(
        2,
        "gross_margin: 0.35",
        "margin as a fraction of revenue"
        + (" (unused: the margin column is mapped)" if margin else ", when there is no margin"),
    )
    out += _line(2, "annual_discount_rate: 0.10", "per year; discounts future margin in the CLV")
    out += _line(2, "horizon_months: 36", "CLV horizon")
    out += _line(
        2, "retention_period_cap_years: 10", "simple CLV: retention period 1 / (1 - r) at most"
    )
    out += _line(0, "retention:")
    out += _line(2, "churn_after_days: 365", "CONFIRM: no purchase this long = a lost customer")
    out += ["", "sources:"]
    for table in TABLES:
        if table in tables:
            out += _source_lines(draft, tables[table], sources[table])
        else:
            out += _comment(2, f"{table}: no file looks like it; the steps that need it say so")
    if draft.unused:
        out += _comment(2, "Files not used:")
        for export, why in draft.unused:
            out += _comment(4, f"{export.label}: {why}")
    for warning in draft.warnings:
        out += _comment(2, f"WARNING: {warning}")
    if others:
        out += _comment(2, "Not read (not CSV, XLSX or Parquet, or a folder): " + ", ".join(others))
    out += _funnel_lines(steps, tables.get("sessions"))
    return "\n".join(out) + "\n"


def _window_lines(window: Window | None, g: TableGuess) -> list[str]:
    if window is None:
        return _comment(
            0,
            "observation_end: not set (the order date column is not decided); the default is "
            "the last transaction",
        ) + _line(
            0,
            "holdout_weeks: auto",
            "CONFIRM: weeks held out to check model forecasts (auto: 26, a third of a short "
            "history, a full year when purchases follow a strong season)",
        )
    name = g.export.label
    weeks = (window.last - window.first).days / 7
    lines = _line(
        0,
        f"observation_end: {window.last.isoformat()}",
        f"CONFIRM: the last order date in {name} (the first is {window.first.isoformat()}, "
        f"{window.rows:,} rows); set the end of the period the client's data covers",
    )
    if (tail := window.stray_tail()) is not None:
        end, after = tail
        lines += _comment(
            0,
            f"CHECK: only {after:,} rows are dated after {end.isoformat()}, far fewer than usual "
            f"for {(window.last - end).days} days: if the export ends on {end.isoformat()}, set "
            "observation_end to it (later rows are then counted as outside_window)",
        )
    if window.unreadable:
        lines += _comment(
            0,
            f"CHECK: {window.unreadable:,} order dates do not read with the date_format below "
            "(validate counts them as unparseable_date)",
        )
    holdout = default_holdout_weeks(weeks)
    why = (
        f"{holdout} weeks of the {weeks:.0f} weeks of history, or a full year (52) when "
        "repeat purchases follow a strong season and the history holds two years"
        if holdout
        else f"only {weeks:.0f} weeks of history: too short to hold any out"
    )
    return lines + _line(
        0, "holdout_weeks: auto", f"CONFIRM: weeks held out to check model forecasts: {why}"
    )


def _source_lines(draft: Draft, g: TableGuess, source: Source) -> list[str]:
    export = g.export
    sample = "all rows" if export.complete else f"the first {export.rows:,} rows"
    why = "; ".join(g.reasons)
    lines = _line(2, f"{g.table}:", f"{export.label}: fit {g.fit:.2f} ({why}; {sample} sampled)")
    alternatives = [
        f"{o.table} {o.fit:.2f}"
        for o in draft.plan.guesses[id(export)]
        if o.possible and o.table != g.table
    ]
    if alternatives:
        lines += _comment(4, "also fits: " + ", ".join(alternatives))
    lines += _line(4, f"path: {_q(source.path.as_posix())}")
    if export.sheet:
        lines += _line(4, f"sheet: {_q(export.sheet)}", "the workbook has several sheets")
    lines += _csv_lines(export)
    columns, todo, blocking = _column_lines(g)
    lines += columns
    if source.returns is not None:
        values = ", ".join(_q(v) for v in source.returns.values)
        lines += _line(
            4,
            f"returns: {{column: {_q(source.returns.column)}, values: [{values}]}}",
            "CHECK: rows with these values are returns",
        )
    for column, why in g.unmapped():
        lines += _comment(4, f"not mapped: {_q(column)} ({why})")
    for note in export.notes:
        lines += _comment(4, note)
    if _commented_out(g):
        draft.todo.append(f"{g.table}: {export.label}? (weak fit {g.fit:.2f}, commented out)")
        head = _comment(
            2, f"CHECK: {export.label} may be {g.table} (fit {g.fit:.2f}); uncomment to use it"
        )
        return head + _commented(lines, 2)
    draft.todo += todo
    draft.blocking += blocking
    return lines


def _commented_out(g: TableGuess) -> bool:
    """An optional table that fits weakly is drafted commented out."""
    return g.table != "transactions" and g.fit < CHECK_BELOW


def _csv_lines(export: Export) -> list[str]:
    opts = export.options
    defaults = CsvOptions()
    keys = ["encoding", "sep", "decimal", "date_format", "header", "skip_rows"]
    if export.format != "csv":  # typed cells need no dialect; text cells need decimal and dates
        keys = [k for k in keys if k in opts and _needed(k, opts[k], defaults)]
    lines = []
    for key in keys:
        guess = opts.get(key)
        if guess is None or (
            key in ("header", "skip_rows") and guess.value == getattr(defaults, key)
        ):
            continue
        if key == "date_format" and guess.value is None:
            lines += _comment(6, f"date_format: not needed ({guess.reason})")
            continue
        code = f"{key}: {_q(guess.value)}"
        mark = "CHECK: " if guess.confidence < CHECK_BELOW else ""
        lines += _line(6, code, f"{mark}{guess.confidence:.2f}: {guess.reason}")
        for alt in guess.alternatives if guess.confidence < CHECK_BELOW else ():
            lines += _comment(6, f"{key}: {_q(alt)}  — the other reading")
    if not any(not line.lstrip().startswith("#") for line in lines):
        return [line[2:] for line in lines]  # comments only: no csv block
    return _line(4, "csv:") + lines


def _needed(key: str, guess, defaults: CsvOptions) -> bool:
    if key == "decimal":
        return guess.value != defaults.decimal and guess.confidence > 0.5
    return guess.value != getattr(defaults, key) or key == "date_format"


def _column_lines(g: TableGuess) -> tuple[list[str], list[str], list[str]]:
    """The ``columns:`` block, the choices left open and the required ones among them."""
    spec = TABLES[g.table]
    mapping = g.mapping()
    # revenue, or unit_price and quantity: once one group is mapped the other is optional
    needed = set(spec.required)
    if spec.one_of and not any(all(c in mapping for c in grp) for grp in spec.one_of):
        needed |= {c for grp in spec.one_of for c in grp}
    body: list[str] = []
    todo: list[str] = []
    blocking: list[str] = []
    for canonical, choice in g.choices.items():
        cands = choice.candidates
        where = f"{g.table}.{canonical}"
        required = canonical in needed
        if choice.status == "mapped":
            best = cands[0]
            body += _line(
                6, f"{canonical}: {_q(best.column)}", f"{best.score:.2f}: {best.evidence}"
            )
            continue
        if choice.status == "choose":
            why = choice.note or "columns fit about equally well"
            body += _comment(6, f"CHOOSE {canonical}: {why}; uncomment the right line")
            shown = cands[:3]
            todo.append(f"{where}: " + " or ".join(f"'{c.column}'" for c in shown))
        elif choice.status == "weak" or (required and cands):
            body += _comment(6, f"CHECK {canonical}: the best guess is weak; uncomment if right")
            shown = cands[:1]
            todo.append(f"{where}: '{cands[0].column}'? (weak, {cands[0].score:.2f})")
        elif required:
            body += _comment(6, f"CHECK {canonical}: required, but no column looks like it")
            shown = []
            todo.append(f"{where}: no column found")
        else:
            continue
        for c in shown:
            body += _line(6, f"# {canonical}: {_q(c.column)}", f"{c.score:.2f}: {c.evidence}")
        if required:
            blocking.append(where)
    if not mapping:
        head = _line(4, "columns: {}", "nothing is mapped with confidence: replace {} by the "
                     "lines you uncomment below")  # fmt: skip
    else:
        head = _line(4, "columns:", "canonical name: the client's column (confidence: evidence)")
    return head + body, todo, blocking


def _funnel_lines(steps: list[tuple[str, int]] | None, g: TableGuess | None) -> list[str]:
    if not steps or g is None:
        return []
    names = [s for s, _ in steps]
    if set(names) <= set(DEFAULT_FUNNEL_STEPS):
        return [""] + _comment(
            0,
            f"funnel: the steps in {g.export.label} are the default ones "
            f"({', '.join(DEFAULT_FUNNEL_STEPS)}), so funnel.steps is not needed",
        )
    if len(names) > 20:
        return [""] + _comment(
            0,
            f"CHECK funnel.steps: the step column of {g.export.label} has more than 20 values, "
            "so the steps cannot be listed; set funnel.steps to the funnel's steps in order",
        )
    cart, how = infer_cart_step(names)
    lines = [""] + _line(
        0,
        "funnel:",
        f"CHECK: the steps found in {g.export.label}, by number of rows (a funnel narrows); the "
        "last must be the purchase",
    )
    lines += _line(2, "steps: [" + ", ".join(_q(s) for s in names) + "]")
    if how == "name":
        lines += _line(2, f"cart_step: {_q(cart)}", "the step at which a cart exists (its name)")
    elif how == "before_checkout":
        lines += _line(
            2,
            f"cart_step: {_q(cart)}",
            "CHECK: no step is named like a cart; the step before the checkout is assumed",
        )
    else:
        lines += _comment(
            2,
            "CHECK cart_step: no step is named like a cart or a checkout, so the audit shows no "
            "abandoned-cart figures; name the step at which a cart exists to have them",
        )
    return lines
