"""A client's PostgreSQL database as a source gives the same audit as the CSV exports.

Reference: the demo client's CSV run (the path every other test checks against closed forms and the
demo's ground truth; the suite's run of the small demo client, ``demo_reference`` in
tests/conftest.py, which test_end_to_end checks too). A throwaway PostgreSQL server
(``tests/pg_server.py``: Debian's binaries, a free loopback port, SCRAM password authentication)
holds the same exports as a client's database would: every column whose values all parse (with the
demo's CSV options, parsed here with the standard library, not clvlib) gets its SQL type —
``bigint`` ids and quantities, ``numeric(14,2)`` amounts, ``date``, ``timestamp``, ``boolean``
(tak/nie) — and the columns with dirty values stay ``text`` in the Polish format (decimal comma,
``dd.mm.yyyy``), so both the typed and the text path of the loader are read. ``orders`` and
``messages`` are plain tables, ``crm.customers`` and ``web.sessions`` schema-qualified (sessions
through a ``query`` with ``ORDER BY``), marketing spend through a ``query`` that casts its amounts
to unbounded ``numeric`` (read as doubles). The role is read-only, like access to a replica.

Every leaf of ``metrics.json`` must agree: text exactly, numbers to 1e-9 relative (the same
doubles in the same order should give identical figures; the tolerance only absorbs a last-bit
difference, far below anything the report prints). Excluded: ``run`` — versions, timestamps and
the config hash (the two client.yml files differ in their sources by construction).
``metrics.json`` holds no source location (paths or URLs): where the source is described (the
report's data-quality table) the DB run must show the URL and table, which is checked apart.

Without PostgreSQL's server binaries the slow tests are skipped with the reason, except under CI
(``CI`` set), where they fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets
import time
from decimal import Decimal
from pathlib import Path

import pg_server
import pytest
import yaml
from metrics_leaves import leaves, same

from clvlib.cli import main
from clvlib.config import load_config
from clvlib.data.quality import source_label
from clvlib.errors import ConfigError

EXCLUDED = {"run": "versions, timestamps, run time and config hash differ by construction"}
REL_TOL = 1e-9
PASSWORD_ENV = "CLVLIB_TEST_PG_PASSWORD"
#: where each demo table goes in the database, and how the source reads it
LAYOUT = {
    "transactions": {"table": "orders"},
    "customers": {"table": "crm.customers"},
    "marketing_spend": {"query": 'SELECT "Miesiąc", "Kanał", "Koszt"::numeric AS "Koszt", '
                        '"Wyświetlenia", "Kliknięcia" FROM marketing_spend ORDER BY line_no'},
    "messages": {"table": "messages"},
    "sessions": {"query": 'SELECT "ID sesji", "Czas", "Etap", "ID klienta", "Źródło ruchu" '
                 "FROM web.sessions ORDER BY line_no"},
}  # fmt: skip


# -- building the client's database from the demo exports (independently of clvlib) --------------
INTEGER = re.compile(r"-?(0|[1-9]\d{0,17})")


def _column_type(values: list[str], options: dict) -> tuple[str, object]:
    """The SQL type a client's database would give a column and the converter of its values:
    a type only when every non-empty value parses, else ``text``."""
    filled = [v for v in values if v != ""]
    decimal = options.get("decimal", ".")
    amount = re.compile(rf"-?\d+({re.escape(decimal)}\d+)?")
    fmt = options.get("date_format")
    base = fmt.split(" %H")[0] if fmt else None

    def parses(fmt_: str, v: str) -> bool:
        try:
            dt.datetime.strptime(v, fmt_)
            return True
        except ValueError:
            return False

    if not filled:
        return "text", str
    if all(INTEGER.fullmatch(v) for v in filled):
        return "bigint", int
    if all(amount.fullmatch(v) for v in filled):
        return "numeric(14,2)", lambda v: Decimal(v.replace(decimal, "."))
    if all(v.lower() in ("tak", "nie") for v in filled):
        return "boolean", lambda v: v.lower() == "tak"
    if base and all(parses(base, v) for v in filled):
        return "date", lambda v: dt.datetime.strptime(v, base).date()
    if base:
        formats = [base + " %H:%M:%S", base + " %H:%M", base]
        if all(any(parses(f, v) for f in formats) for v in filled):

            def stamp(v: str) -> dt.datetime:
                for f in formats:
                    if parses(f, v):
                        return dt.datetime.strptime(v, f)
                raise AssertionError(v)

            return "timestamp", stamp
    return "text", str


def _load_demo(conn, demo_dir: Path, file_config: dict) -> dict[str, dict[str, str]]:
    """Create one table per demo export with typed columns and copy its rows in file order.
    A table read by a query also gets ``line_no`` (the file's row number) for its ORDER BY; a
    table read whole does not: an extra column unique per row would hide exact duplicates.
    Returns the SQL types by table and column."""
    from psycopg import sql

    conn.execute("CREATE SCHEMA crm")
    conn.execute("CREATE SCHEMA web")
    types = {}
    for name, source in file_config["sources"].items():
        options = source.get("csv", {})
        with open(demo_dir / source["path"], encoding=options["encoding"], newline="") as fh:
            rows = list(csv.reader(fh, delimiter=options["sep"], quotechar='"'))
        header, data = rows[0], rows[1:]
        kinds = [_column_type([r[i] for r in data], options) for i in range(len(header))]
        types[name] = dict(zip(header, (k for k, _ in kinds), strict=True))
        target = LAYOUT[name].get("table", name)
        if "query" in LAYOUT[name]:
            target = {"sessions": "web.sessions"}.get(name, name)
        schema, _, table = target.rpartition(".")
        ident = sql.Identifier(schema, table) if schema else sql.Identifier(table)
        numbered = "query" in LAYOUT[name]
        columns = [sql.Identifier(h) for h in header]
        if numbered:
            kinds.append(("bigint", int))
            columns.append(sql.Identifier("line_no"))
        definitions = sql.SQL(", ").join(
            sql.SQL("{} {}").format(c, sql.SQL(k)) for c, (k, _) in zip(columns, kinds, strict=True)
        )
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, definitions))
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(ident, sql.SQL(", ").join(columns))
        with conn.cursor().copy(copy_sql) as copy:
            for line_no, row in enumerate(data, start=1):
                values = [*row, str(line_no)] if numbered else row
                copy.write_row(
                    [None if v == "" else f(v) for v, (_, f) in zip(values, kinds, strict=True)]
                )
    return types


def _db_client_yml(file_yml: Path, server: pg_server.PgServer, name: str) -> Path:
    """The demo's client.yml with every source read from ``server`` (same column mapping;
    file settings dropped, the text formats kept)."""
    raw = yaml.safe_load(file_yml.read_text(encoding="utf-8"))
    for table, source in raw["sources"].items():
        options = source.pop("csv", {})
        source.pop("path")
        source["url"] = server.url
        source.update(LAYOUT[table])
        source["password_env"] = PASSWORD_ENV
        source["csv"] = {k: options[k] for k in ("decimal", "date_format") if k in options}
    path = file_yml.with_name(name)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def database(request):
    """A running server with the demo client's tables; yields (server, password, demo dir,
    types); the server is stopped whatever happens."""
    reason = pg_server.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL source test cannot run under CI: {reason}")
        pytest.skip(reason)
    config = request.getfixturevalue("demo_reference")["config"]  # the suite's demo client
    file_config = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    password = "pw-" + secrets.token_hex(12)
    started = time.perf_counter()
    with pg_server.pg_server(password=password) as server:
        pg_server.wait_ready(server, password)
        with server.connect(password, autocommit=True) as conn:
            types = _load_demo(conn, Path(config).parent, file_config)
            # like read access to a replica: the audit may not create anything, not even the
            # temporary view ibis would use to describe a query
            conn.execute(f"ALTER ROLE {server.role} SET default_transaction_read_only = on")
        print(f"PostgreSQL started and loaded in {time.perf_counter() - started:.1f} s")
        yield server, password, Path(config), types


@pytest.fixture(scope="module")
def runs(database, request):
    """metrics.json and run directory of the CSV run (the suite's run of the demo client,
    ``demo_reference`` in tests/conftest.py) and of the database run; the database
    run's ``_work`` (its DuckDB copy of the data, state, metrics parts), which the run deletes
    at its end, is copied to ``<run>-work`` just before metrics.json is written."""
    import shutil

    import clvlib.report.run as report_run

    server, password, config, _ = database
    db_config = _db_client_yml(config, server, "client_db.yml")
    out = {}
    mp = pytest.MonkeyPatch()
    mp.setenv(PASSWORD_ENV, password)
    write_json = report_run.write_json_atomic

    def keep_work(path, data):
        work = Path(path).parent / "_work"
        if work.is_dir():
            shutil.copytree(work, Path(path).parent.with_name(Path(path).parent.name + "-work"))
        return write_json(path, data)

    reference = request.getfixturevalue("demo_reference")  # the suite's CSV run of the client
    assert reference["run_dir"] is not None, reference["stdout"]
    metrics = json.loads((reference["run_dir"] / "metrics.json").read_text(encoding="utf-8"))
    out["csv"] = (reference["run_dir"], metrics)
    try:
        mp.setattr(report_run, "write_json_atomic", keep_work)
        started = time.perf_counter()
        run_dir = report_run.run_audit(
            db_config, out=config.parent / "reports-db", pdf=False, progress=False
        )
        print(f"db audit: {time.perf_counter() - started:.1f} s")
        metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
        out["db"] = (run_dir, metrics)
    finally:
        mp.undo()
    return out


def _same(a, b) -> bool:
    return same(a, b, REL_TOL)


@pytest.mark.slow
def test_database_is_typed_like_a_clients(database):
    """The fixture really exercises typed and text columns (else the comparison proves less)."""
    *_, types = database
    kinds = {k for table in types.values() for k in table.values()}
    assert {"bigint", "numeric(14,2)", "timestamp", "date", "boolean", "text"} <= kinds
    # the dirty columns stay text in the Polish format: the text path is read too
    assert types["transactions"]["Cena jedn. brutto"] == "text"
    assert types["transactions"]["Data zamówienia"] == "text"
    assert types["transactions"]["Ilość"] == "bigint"


@pytest.mark.slow
def test_database_audit_metrics_match_csv(runs):
    (_, csv_metrics), (_, db_metrics) = runs["csv"], runs["db"]
    a = {k: v for k, v in leaves(csv_metrics) if k[0] not in EXCLUDED}
    b = {k: v for k, v in leaves(db_metrics) if k[0] not in EXCLUDED}
    assert sorted(map(str, a)) == sorted(map(str, b)), "different metrics keys"
    assert {"data_quality", "calculation", "funnel", "channels", "retention"} <= {k[0] for k in a}
    assert sum(isinstance(v, float) for v in a.values()) > 100
    # the dirty rows are excluded for the same reasons from the database as from the files
    assert any("rows_excluded" in map(str, k) for k in a)
    differ = [(k, a[k], b[k]) for k in a if not _same(a[k], b[k])]
    assert differ == [], "\n".join(f"{'.'.join(map(str, k))}: {x!r} vs {y!r}" for k, x, y in differ)


def _contents(path: Path) -> list[bytes]:
    """A file's bytes, and the bytes of each member of a zip (xlsx) or the rows of each table
    of a DuckDB file (both may compress text, hiding it from a plain search)."""
    import zipfile

    import duckdb

    data = [path.read_bytes()]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += [archive.read(member) for member in archive.namelist()]
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as con:
            for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
                data.append(repr(rows).encode())
    return data


@pytest.mark.slow
def test_database_run_names_url_and_table_never_password(runs, database):
    server, password, *_ = database
    run_dir, _ = runs["db"]
    work = run_dir.with_name(run_dir.name + "-work")
    state = json.loads((work / "state.json").read_text(encoding="utf-8"))
    files = {q["table"]: q["file"] for q in state["quality"].values()}
    assert files["transactions"] == f"{server.url} · orders"
    assert files["customers"] == f"{server.url} · crm.customers"
    assert files["sessions"] == f"{server.url} · query"
    # the data-quality table names each source by source_label: the whole URL and table
    assert source_label(files["transactions"]) == f"{server.url} · orders"
    assert source_label(str(Path("/data/exports/transactions.csv"))) == "transactions.csv"
    html = (run_dir / "audit.html").read_text(encoding="utf-8")
    assert f"{server.url} · orders" in html
    searched = [p for d in (run_dir, work) for p in sorted(d.rglob("*")) if p.is_file()]
    assert {"metrics.json", "audit.html", "audit.duckdb", "state.json"} <= {
        p.name for p in searched
    }
    contents = {p: _contents(p) for p in searched}
    # the search finds what is written: the URL (without password) is, in state.json
    assert any(server.url.encode() in b for p in searched for b in contents[p])
    leaked = [str(p) for p in searched if any(password.encode() in b for b in contents[p])]
    assert leaked == [], f"the password is written in {leaked}"


@pytest.mark.slow
def test_database_errors_name_source_and_fix(database, tmp_path, monkeypatch, capsys):
    server, password, config, _ = database
    monkeypatch.setenv(PASSWORD_ENV, password)
    cases = {
        "unknown table": ({"transactions": {"table": "orderz"}}, "no table 'orderz'", "orders"),
        "unknown column": (
            {"sessions": {"query": 'SELECT "Czasy" FROM web.sessions'}},
            'column "Czasy" does not exist',
            "sources.sessions.query",
        ),
        "SQL error": (
            {"sessions": {"query": "SELECT 1/0 AS x FROM web.sessions"}},
            "division by zero",
            "sources.sessions.query",
        ),
        "wrong password": ("wrong", "password authentication failed", f"${PASSWORD_ENV}"),
    }
    for name, (change, problem, fix) in cases.items():
        db_yml = _db_client_yml(config, server, f"client_{name.replace(' ', '_')}.yml")
        if change == "wrong":
            monkeypatch.setenv(PASSWORD_ENV, "not-" + password)
        else:
            raw = yaml.safe_load(db_yml.read_text(encoding="utf-8"))
            for table, keys in change.items():
                raw["sources"][table].pop("table", None)
                raw["sources"][table].pop("query", None)
                raw["sources"][table].update(keys)
            db_yml.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        assert main(["validate", str(db_yml)]) == 2, name
        err = capsys.readouterr().err
        assert problem in err, (name, err)
        assert fix in err and "Fix:" in err, (name, err)
        assert server.url in err, (name, err)
        assert password not in err and "Traceback" not in err, (name, err)
        monkeypatch.setenv(PASSWORD_ENV, password)


# -- fast: configuration rules and errors without a server ----------------------------------------
def _yml(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "client.yml"
    path.write_text(f"client: Test\nsources:\n  transactions:\n{source}", encoding="utf-8")
    return path


def _config_error(tmp_path: Path, source: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(_yml(tmp_path, source))
    assert info.value.__cause__ is None  # pydantic's text would repeat the input
    return str(info.value)


URL = "postgresql://audit@127.0.0.1:5433/shop"


def test_database_source_config_accepted(tmp_path):
    config = load_config(
        _yml(
            tmp_path,
            f"    url: {URL}\n    table: sales.orders\n    password_env: SHOP_PW\n"
            "    csv: {decimal: ',', date_format: '%d.%m.%Y'}\n",
        )
    )
    source = config.sources.transactions
    assert source.is_database and source.path is None and source.table == "sales.orders"
    query = load_config(_yml(tmp_path, f"    url: {URL}\n    query: 'SELECT * FROM o;'\n"))
    assert query.sources.transactions.query == "SELECT * FROM o"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (f"    url: {URL}\n", "exactly one of table"),
        (f"    url: {URL}\n    table: o\n    query: SELECT 1\n", "exactly one of table"),
        (f"    url: {URL}\n    path: t.csv\n    table: o\n", "not both"),
        ("    columns: {}\n", "give path"),
        ("    path: t.csv\n    table: o\n", "belong to a database source"),
        (f"    url: {URL}\n    table: o\n    sheet: 1\n", "sheet applies to Excel"),
        (f"    url: {URL}\n    table: o\n    csv: {{sep: ';'}}\n", "csv.sep describe a file"),
        (f"    url: {URL}\n    query: DELETE FROM o\n", "one SELECT statement"),
        (f"    url: {URL}\n    query: SELECT 1; DROP TABLE o\n", "one statement"),
        (f"    url: {URL}\n    table: o\n    password_env: 'pass word!'\n", "NAME of an environ"),
        ("    url: shop.example.com/db\n    table: o\n", "connection URL such as"),
    ],
)
def test_database_source_config_rules(tmp_path, source, message):
    text = _config_error(tmp_path, source)
    assert message in text and "sources.transactions" in text
    assert "Fix:" in text


def test_url_with_password_refused_without_repeating_it(tmp_path):
    text = _config_error(tmp_path, "    url: postgresql://audit:Hunter2Secret@db:5432/shop\n"
                         "    table: orders\n")  # fmt: skip
    assert "carries a password" in text and "password_env" in text
    assert "Hunter2Secret" not in text


def test_missing_password_env_names_the_variable(tmp_path, monkeypatch):
    from clvlib.data.database import connect

    monkeypatch.delenv("CLVLIB_NO_SUCH_PW", raising=False)
    config = load_config(
        _yml(tmp_path, f"    url: {URL}\n    table: o\n    password_env: CLVLIB_NO_SUCH_PW\n")
    )
    with pytest.raises(ConfigError) as info:
        connect(config.sources.transactions, "transactions", config)
    assert "CLVLIB_NO_SUCH_PW" in str(info.value) and "is not set" in str(info.value)
    monkeypatch.setenv("CLVLIB_NO_SUCH_PW", "")
    with pytest.raises(ConfigError, match="CLVLIB_NO_SUCH_PW, which is empty"):
        connect(config.sources.transactions, "transactions", config)


def test_refused_connection_names_url_and_fix(tmp_path, monkeypatch, capsys):
    port = pg_server.free_port()  # nobody listens there
    monkeypatch.setenv("CLVLIB_PW", "Sekret-123")
    path = _yml(
        tmp_path,
        f"    url: postgresql://audit@127.0.0.1:{port}/shop\n    table: orders\n"
        "    password_env: CLVLIB_PW\n",
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"postgresql://audit@127.0.0.1:{port}/shop · orders" in err
    assert "cannot connect" in err and "check host and port" in err
    assert "Sekret-123" not in err and "Traceback" not in err


def test_safe_url_drops_only_the_password():
    from clvlib.data.database import safe_url

    assert safe_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u@h:5432/db"
    assert safe_url(URL) == URL
